using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Host;

/// <summary>Log messages of the host: this part holds data and scheduling (event ids 4300–4399).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "{Kind} prices for {Range} could not be fetched: {Reason}")]
    public static partial void PriceFetchFailed(this ILogger logger, RateKind kind, TimeRange range, string reason);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "{Kind} prices for {Window}: {Saved} slots new or changed, {Rejected} rejected, {Missing} range(s) still missing")]
    public static partial void PricesUpdated(this ILogger logger, RateKind kind, TimeRange window, int saved, int rejected, int missing);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Solcast: {Reason} ({Used} of {Budget} calls used today)")]
    public static partial void ForecastDecision(this ILogger logger, string reason, int used, int budget);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Solcast site {Site}: {Reason}")]
    public static partial void ForecastFetchFailed(this ILogger logger, string site, string reason);

    [LoggerMessage(EventId = 4346, Level = LogLevel.Debug, Message = "Heap compacted in {Duration}: the collector's committed memory {Before} -> {After} bytes, heap {Heap} bytes of which {Live} live")]
    public static partial void HeapCompacted(this ILogger logger, long before, long after, long heap, long live, TimeSpan duration);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Error, Message = "Job {Job} failed; it runs again at its next trigger")]
    public static partial void JobFailed(this ILogger logger, string job, Exception exception);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "Planning trigger {Trigger} ignored: no IPlanningCycle is registered")]
    public static partial void NoPlanningCycle(this ILogger logger, PlanningTrigger trigger);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Information, Message = "Replan requested: {Trigger}")]
    public static partial void ReplanRequested(this ILogger logger, PlanningTrigger trigger);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Warning, Message = "The wall clock stepped back {Step}: trigger {Trigger} moved from {Before:u} to {After:u}, as far ahead as before the step")]
    public static partial void TriggerMovedForClockStep(this ILogger logger, TimeSpan step, string trigger, DateTimeOffset before, DateTimeOffset after);

    [LoggerMessage(EventId = 4307, Level = LogLevel.Debug, Message = "Replan for {Trigger} joins a replan already waiting")]
    public static partial void ReplanCoalesced(this ILogger logger, PlanningTrigger trigger);

    [LoggerMessage(EventId = 4308, Level = LogLevel.Information, Message = "Daily bills: {Yesterday:yyyy-MM-dd} complete: {Complete}; {CompleteDays} of the last 7 days complete")]
    public static partial void DailyBillsReported(this ILogger logger, DateOnly yesterday, bool complete, int completeDays);

    [LoggerMessage(EventId = 4309, Level = LogLevel.Warning, Message = "Daily bills: the Octopus meters' billed consumption was not read: {Detail}")]
    public static partial void MetersDegraded(this ILogger logger, string detail);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Warning, Message = "Daily bills: the standing charges were not read, so the days have no bills: {Detail}")]
    public static partial void StandingChargesUnknown(this ILogger logger, string detail);

    [LoggerMessage(EventId = 4310, Level = LogLevel.Information, Message = "Forecast skill over {From:yyyy-MM-dd HH:mm} to {To:yyyy-MM-dd HH:mm} UTC: {Slots} slot forecasts scored; 0-2 h load MAE {LoadMaeKwh} kWh (persistence {LoadPersistenceMaeKwh}), solar MAE {SolarMaeKwh} kWh (persistence {SolarPersistenceMaeKwh})")]
    public static partial void ForecastSkillScored(this ILogger logger, DateTimeOffset from, DateTimeOffset to, int slots, double? loadMaeKwh, double? loadPersistenceMaeKwh, double? solarMaeKwh, double? solarPersistenceMaeKwh);

    [LoggerMessage(EventId = 4340, Level = LogLevel.Warning, Message = "Octopus account not read: {Reason}; planning goes on with the configured or last-known tariffs")]
    public static partial void OctopusAccountFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4341, Level = LogLevel.Warning, Message = "Octopus account: {Skipped}")]
    public static partial void OctopusAccountItemSkipped(this ILogger logger, string skipped);

    [LoggerMessage(EventId = 4342, Level = LogLevel.Information, Message = "Octopus tariff in use: {Tariff}, because {Why}")]
    public static partial void OctopusTariffInUse(this ILogger logger, string tariff, string why);

    [LoggerMessage(EventId = 4343, Level = LogLevel.Warning, Message = "Octopus account: {Change}; refetching prices and replanning")]
    public static partial void OctopusTariffChanged(this ILogger logger, string change);

    [LoggerMessage(EventId = 4344, Level = LogLevel.Warning, Message = "Intelligent Octopus Go dispatches not read: {Reason}; planning on the last ones read")]
    public static partial void OctopusDispatchesFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4345, Level = LogLevel.Information, Message = "Intelligent Octopus Go dispatches changed: {Count} planned ({Added} new or moved, {Gone} withdrawn or moved); replanning")]
    public static partial void OctopusDispatchesChanged(this ILogger logger, int count, int added, int gone);
}
