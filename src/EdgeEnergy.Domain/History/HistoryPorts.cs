using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Domain.History;

/// <summary>
/// One minute of site telemetry. Powers in W with our signs: battery + = discharging, grid + = importing; load and PV
/// ≥ 0. Null where the source did not report the quantity. Timestamp UTC, truncated to the minute by the store.
/// <paramref name="CarChargingW"/> is the car charger's draw as evcc measured it (≥ 0), a part of
/// <paramref name="LoadPowerW"/> (the inverter's meter sees the car as house load); null where no charger is read.
/// </summary>
public sealed record TelemetrySample(
    DateTimeOffset TimestampUtc,
    double? BatterySocPercent,
    double? BatteryPowerW,
    double? GridPowerW,
    double? LoadPowerW,
    double? PvPowerW,
    double? CarChargingW = null);

/// <summary>
/// Minute-resolution telemetry history (units and signs as <see cref="TelemetrySample"/>). Older samples are averaged
/// into 30-minute rows by retention; reads return whatever resolution is stored for the range.
/// </summary>
public interface ITelemetryStore
{
    /// <summary>Stores samples in one transaction; a second sample for the same minute replaces the first.</summary>
    Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken);

    Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}

/// <summary>What retention did in one pass.</summary>
public sealed record RetentionResult(int TelemetryMinutesDownsampled, int TelemetrySlotsDeleted, int PlansDeleted, int ForecastsDeleted);

/// <summary>Downsamples and prunes old history (telemetry, plans, forecasts). Prices, the audit log and the override history are kept for good.</summary>
public interface IHistoryRetention
{
    Task<RetentionResult> ApplyAsync(DateTimeOffset nowUtc, CancellationToken cancellationToken);
}

/// <summary>A stored plan: the full problem it solved (replayable with <c>edgeenergy plan</c>) and the plan it gave.</summary>
public sealed record PlanRecord(long Id, DateTimeOffset CreatedUtc, PlanningTrigger Trigger, PlanProblem Problem, Plan Plan);

/// <summary>Every plan with its full input and output.</summary>
public interface IPlanLog
{
    /// <summary>Stores the problem and plan; returns the record id.</summary>
    Task<long> RecordAsync(DateTimeOffset createdUtc, PlanningTrigger trigger, PlanProblem problem, Plan plan, CancellationToken cancellationToken);

    Task<PlanRecord?> GetLatestAsync(CancellationToken cancellationToken);

    Task<PlanRecord?> GetAsync(long id, CancellationToken cancellationToken);
}

/// <summary>The stored plans of a period, for reports that replay decisions as they were made.</summary>
public interface IPlanHistory
{
    /// <summary>Every stored plan created in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), oldest first.</summary>
    Task<IReadOnlyList<PlanRecord>> GetCreatedAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}

/// <summary>One half hour's load and solar forecast from a stored plan's problem, kWh per slot: what the plan stood on.</summary>
/// <param name="MadeAtUtc">When the plan was made.</param>
/// <param name="SlotStartUtc">The start of the half hour forecast.</param>
/// <param name="LoadKwh">The house load planned on, kWh in the slot.</param>
/// <param name="PvKwh">The solar planned on, kWh in the slot.</param>
public readonly record struct PlannedSlotForecast(DateTimeOffset MadeAtUtc, DateTimeOffset SlotStartUtc, double LoadKwh, double PvKwh);

/// <summary>The forecasts stored plans stood on, for scoring them against what was measured.</summary>
public interface IPlannedForecastHistory
{
    /// <summary>
    /// Every slot forecast of the first plan made in each half hour of [<paramref name="fromUtc"/>, <paramref name="toUtc"/>),
    /// oldest plan first: one forecast per half hour of making, however often events replanned within it.
    /// </summary>
    Task<IReadOnlyList<PlannedSlotForecast>> GetPlannedForecastsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}

/// <summary>
/// One command sent to hardware: <see cref="Target"/> names the device or path (e.g. <c>fox-modbus</c>,
/// <c>home-assistant</c>), <see cref="Command"/> what was asked (e.g. <c>work-mode=force-charge power=3000W</c>),
/// <see cref="Outcome"/> what came back (<c>ok</c> or the error).
/// </summary>
public sealed record AuditEntry(DateTimeOffset TimestampUtc, string Target, string Command, string Outcome, string? Reason = null);

/// <summary>Append-only log of every command sent to hardware.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}

/// <summary>Small durable key/value settings (strings; callers own the format), e.g. runtime-changed limits.</summary>
public interface ISettingsStore
{
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string value, CancellationToken cancellationToken);
}

/// <summary>
/// What each immersion heater delivered in each of its daily windows (kWh, ≥ 0, by <see cref="HeatWindowKey"/>),
/// kept durably so a restart in the middle of a window does not forget the heat already in the tank.
/// </summary>
public interface IImmersionDeliveryStore
{
    /// <summary>Every window opened on or after <paramref name="opensOnOrAfter"/> (local date) with its delivered kWh.</summary>
    Task<IReadOnlyDictionary<HeatWindowKey, double>> GetSinceAsync(DateOnly opensOnOrAfter, CancellationToken cancellationToken);

    /// <summary>Sets window <paramref name="key"/>'s delivered total to <paramref name="deliveredKwh"/> (kWh).</summary>
    Task SetAsync(HeatWindowKey key, double deliveredKwh, CancellationToken cancellationToken);
}
