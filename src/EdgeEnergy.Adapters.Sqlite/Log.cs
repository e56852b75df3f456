using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Sqlite;

internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "{Path}: applied schema migration {Version} ({Name})")]
    public static partial void SchemaMigrated(this ILogger logger, string path, int version, string name);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Retention: {Downsampled} telemetry minutes averaged into 30-minute rows, {TelemetryDeleted} old 30-minute rows, {Plans} plans and {Forecasts} forecasts deleted")]
    public static partial void RetentionApplied(this ILogger logger, int downsampled, int telemetryDeleted, int plans, int forecasts);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "{Kind} rate for {SlotStart:o} revised from {Old} p to {New} p")]
    public static partial void RateRevised(this ILogger logger, string kind, DateTimeOffset slotStart, double old, double @new);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Stored user override (user_overrides row {Id}) is corrupt and NOT applied: {Problem}. The row is kept and ended as corrupt; the plan decides until a new override is set")]
    public static partial void StoredOverrideCorrupt(this ILogger logger, long id, string problem);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "{Count} telemetry sample(s) not stored: minute {Minute:u} is older than the newest stored minute {Newest:u} (the wall clock is behind the history, e.g. stepped back); stored rows are kept, recording resumes when the clock passes them")]
    public static partial void TelemetryBehindStored(this ILogger logger, int count, DateTimeOffset minute, DateTimeOffset newest);
}
