using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control;

/// <summary>The control side's log messages (event ids 5000–5099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Plan {PlanId} ({Status}, {Slots} slots from {Start:u}, objective {Objective:0.0}p, trigger {Trigger}) solved in {Milliseconds:0.0} ms")]
    public static partial void PlanSolved(this ILogger logger, long planId, EdgeEnergy.Domain.Planning.PlanStatus status, int slots, DateTimeOffset start, double objective, EdgeEnergy.Domain.Planning.PlanningTrigger trigger, double milliseconds);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Planning skipped: {Reason}")]
    public static partial void PlanningSkipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Plan {Status}: {Reason}")]
    public static partial void PlanDegraded(this ILogger logger, EdgeEnergy.Domain.Planning.PlanStatus status, string? reason);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Inverter command {Command} from {Source}: {Reason}")]
    public static partial void CommandApplied(this ILogger logger, string command, EdgeEnergy.Domain.Status.RecommendationSource source, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Inverter command {Command} via {Target} failed: {Error}")]
    public static partial void CommandFailed(this ILogger logger, string command, string target, string error);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Telemetry read failed ({Failures} in a row): {Error}")]
    public static partial void TelemetryFailed(this ILogger logger, int failures, string error);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Fallback active: {Cause}")]
    public static partial void FallbackStarted(this ILogger logger, string cause);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "Fallback over; following {Source} again")]
    public static partial void FallbackEnded(this ILogger logger, EdgeEnergy.Domain.Status.RecommendationSource source);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Information, Message = "Replan requested: {Reason}")]
    public static partial void ReplanRequested(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Information, Message = "Native fallback schedule written: {Reason}")]
    public static partial void NativeFallbackWritten(this ILogger logger, string reason);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Warning, Message = "Native fallback schedule not written: {Error}")]
    public static partial void NativeFallbackFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 5035, Level = LogLevel.Warning, Message = "Telemetry from {Path} not plausible, taken as unknown: {Rejected}")]
    public static partial void TelemetryImplausible(this ILogger logger, string path, string rejected);

    [LoggerMessage(EventId = 5040, Level = LogLevel.Warning, Message = "Telemetry history not writable ({Error}); holding up to {Capacity} minutes in memory until it is")]
    public static partial void TelemetryHistoryFailing(this ILogger logger, string error, int capacity);

    [LoggerMessage(EventId = 5041, Level = LogLevel.Information, Message = "Telemetry history writable again: {Written} held minute(s) written, {Dropped} dropped")]
    public static partial void TelemetryHistoryRecovered(this ILogger logger, int written, long dropped);

    [LoggerMessage(EventId = 5042, Level = LogLevel.Warning, Message = "Plan ({Status}, {Slots} slots from {Start:u}, objective {Objective:0.0}p, trigger {Trigger}) solved in {Milliseconds:0.0} ms but not stored in the history ({Error}); it is in force all the same")]
    public static partial void PlanNotStored(this ILogger logger, EdgeEnergy.Domain.Planning.PlanStatus status, int slots, DateTimeOffset start, double objective, EdgeEnergy.Domain.Planning.PlanningTrigger trigger, double milliseconds, string error);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Error, Message = "Control step failed; the loop goes on")]
    public static partial void StepFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Warning, Message = "Load forecast: {Detail}")]
    public static partial void LoadForecastDegraded(this ILogger logger, string detail);

    [LoggerMessage(EventId = 5026, Level = LogLevel.Information, Message = "Load model retrained in {Seconds:0.0} s; planning on {Choice}")]
    public static partial void LoadModelChosen(this ILogger logger, string choice, double seconds);

    [LoggerMessage(EventId = 5027, Level = LogLevel.Information, Message = "Load forecast: {Learned}")]
    public static partial void ScheduledLoadLearned(this ILogger logger, string learned);

    [LoggerMessage(EventId = 5025, Level = LogLevel.Warning, Message = "Solar forecast: {Detail}")]
    public static partial void SolarForecastDegraded(this ILogger logger, string detail);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Immersion {Id}: relay {State} ({Reason})")]
    public static partial void ImmersionSwitched(this ILogger logger, string id, string state, string reason);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Immersion {Id}: relay not switched: {Error}")]
    public static partial void ImmersionFailed(this ILogger logger, string id, string error);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Immersion {Id}: thermostat satisfied (load rose {RiseW:0} W of {ElementW:0} W): tank hot, off until tomorrow")]
    public static partial void ImmersionSatisfied(this ILogger logger, string id, double riseW, double elementW);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Warning, Message = "Stored override ({Mode} from {Start:o} to {Expires:o}, set through {Source}) not restored: {Problem}; the plan decides")]
    public static partial void StoredOverrideRejected(this ILogger logger, string mode, DateTimeOffset start, DateTimeOffset expires, string source, string problem);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Information, Message = "Override {Mode} restored (set through {Source}); in force until {Expires:o}")]
    public static partial void StoredOverrideRestored(this ILogger logger, string mode, string source, DateTimeOffset expires);

    [LoggerMessage(EventId = 5028, Level = LogLevel.Information, Message = "State of charge measured: {SocPercent}%; asking for the first plan")]
    public static partial void FirstSocMeasured(this ILogger logger, double socPercent);

    [LoggerMessage(EventId = 5029, Level = LogLevel.Debug, Message = "Shadow mode: would command {Command} from {Source}: {Reason} (not sent)")]
    public static partial void ShadowDecision(this ILogger logger, string command, EdgeEnergy.Domain.Status.RecommendationSource source, string reason);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Immersion heat delivered: {Action} failed: {Error}; kept in memory, a restart may forget it")]
    public static partial void ImmersionDeliveryStoreFailed(this ILogger logger, string action, string error);

    [LoggerMessage(EventId = 5031, Level = LogLevel.Warning, Message = "Car (evcc): {Problem}; the house plan goes on")]
    public static partial void EvccUnavailable(this ILogger logger, string problem);

    [LoggerMessage(EventId = 5032, Level = LogLevel.Warning, Message = "Car's need: {Problem}")]
    public static partial void EvNeedDegraded(this ILogger logger, string problem);

    [LoggerMessage(EventId = 5033, Level = LogLevel.Information, Message = "Car (evcc): {Change}; asking for a replan")]
    public static partial void EvChanged(this ILogger logger, string change);

    [LoggerMessage(EventId = 5034, Level = LogLevel.Error, Message = "evcc can command a home battery ({Warning}): with EdgeEnergy driving the inverter that is two Modbus masters on one inverter. Remove the battery's control from evcc's configuration")]
    public static partial void EvccControlsBattery(this ILogger logger, string warning);

    [LoggerMessage(EventId = 5036, Level = LogLevel.Warning, Message = "The wall clock stepped {Step} (from {Before:u} to {After:u}) while the monotonic clock ran on: resend and dwell times kept on elapsed time, a replan asked for on the new clock")]
    public static partial void WallClockStepped(this ILogger logger, TimeSpan step, DateTimeOffset before, DateTimeOffset after);

    [LoggerMessage(EventId = 5037, Level = LogLevel.Warning, Message = "Telemetry not recorded while the wall clock ({Now:u}) is behind the newest minute written ({Newest:u}): rows already stored are not overwritten")]
    public static partial void TelemetryBehindClock(this ILogger logger, DateTimeOffset now, DateTimeOffset newest);

    [LoggerMessage(EventId = 5090, Level = LogLevel.Warning, Message = "Saving Sessions: {Problem}; planned without them")]
    public static partial void SavingSessionsUnavailable(this ILogger logger, string problem);

    [LoggerMessage(EventId = 5091, Level = LogLevel.Information, Message = "Saving Session {SessionId} {Outcome}: {Detail}")]
    public static partial void SavingSessionJoin(this ILogger logger, string sessionId, string outcome, string detail);

    [LoggerMessage(EventId = 5092, Level = LogLevel.Information, Message = "Saving Session baseline: {Detail}")]
    public static partial void SavingSessionBaseline(this ILogger logger, string detail);
}
