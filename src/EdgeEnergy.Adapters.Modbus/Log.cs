using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Modbus;

/// <summary>Every log message of the Modbus adapter (event ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "{Bus}: connected")]
    public static partial void Connected(this ILogger logger, string bus);

    [LoggerMessage(3001, LogLevel.Warning, "{Bus}: unit {Unit} {Request}: retry {Attempt} in {BackoffMs} ms after: {Reason}")]
    public static partial void Retrying(this ILogger logger, string bus, byte unit, string request, int attempt, double backoffMs, string reason);

    [LoggerMessage(3002, LogLevel.Debug, "{Bus}: discarded a stale or foreign reply: {What}")]
    public static partial void DiscardedFrame(this ILogger logger, string bus, string what);

    [LoggerMessage(3010, LogLevel.Warning, "Fox ESS: {What}")]
    public static partial void SourcesDisagree(this ILogger logger, string what);

    [LoggerMessage(3011, LogLevel.Information, "Fox ESS: model '{Model}' detected as family {Family}")]
    public static partial void FamilyDetected(this ILogger logger, string model, string family);

    [LoggerMessage(3012, LogLevel.Information, "Fox ESS: persistent setting {Setting} unchanged at {Value}; not written")]
    public static partial void PersistentUnchanged(this ILogger logger, string setting, string value);

    [LoggerMessage(3013, LogLevel.Warning, "Fox ESS: daily budget of {Budget} persistent writes used up; {Setting} = {Value} not written")]
    public static partial void PersistentBudgetExhausted(this ILogger logger, int budget, string setting, string value);

    [LoggerMessage(3014, LogLevel.Warning, "Fox ESS: refreshing remote control failed: {Reason}")]
    public static partial void RefreshFailed(this ILogger logger, string reason);

    [LoggerMessage(3015, LogLevel.Information, "Fox ESS: wrote {Setting} = {Value} ({WriteClass})")]
    public static partial void Wrote(this ILogger logger, string setting, string value, string writeClass);
}
