using System.Text.Json.Serialization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Domain.Status;

/// <summary>
/// Everything the appliance shows about itself at one instant, the one model behind Home Assistant (MQTT), the REST
/// API, the dashboard and the metrics: an immutable value, replaced whole by <see cref="IApplianceStatusPublisher"/>
/// so readers never see half an update. Null means "not known (yet)". Units and signs: powers W with battery
/// + = discharging and grid + = importing, energies kWh, SoC %, prices pence per kWh, money pence, times UTC.
/// Values that follow from the plan and the clock (the current slot's prices, the next action) are not stored but
/// read through <see cref="ActivePlan"/> with the reader's <c>now</c>.
/// </summary>
public sealed record ApplianceSnapshot
{
    public static ApplianceSnapshot Empty { get; } = new();

    /// <summary>Increases by one with every published change.</summary>
    public long Version { get; init; }

    /// <summary>Who is in charge: <see cref="ControlMode.Active"/>, or <see cref="ControlMode.Shadow"/> (nothing is written).</summary>
    public ControlMode Mode { get; init; }

    /// <summary>While a switch from shadow to active waits for its confirming second command: until when it may come.</summary>
    public DateTimeOffset? ModeConfirmUntilUtc { get; init; }

    /// <summary>The A/B schedule (<c>Control:AbSchedule</c>) and today's place in it; null with the schedule off.</summary>
    public AbStatus? Ab { get; init; }

    /// <summary>The plan being followed, with the problem it was solved from; null before the first plan.</summary>
    public ActivePlan? Plan { get; init; }

    /// <summary>What the battery should do now; null before the control loop has decided anything.</summary>
    public Recommendation? Recommendation { get; init; }

    /// <summary>The latest inverter reading; null before the first one.</summary>
    public LiveTelemetry? Telemetry { get; init; }

    /// <summary>Today's bill so far against the same day without a battery; null when not yet known.</summary>
    public CostToday? CostToday { get; init; }

    /// <summary>Yesterday's and the last 7 days' bills from the daily report; null before its first run.</summary>
    public ReportedBills? Bills { get; init; }

    /// <summary>How good the forecasts planned on have been lately (the forecast-skill job); null before its first run.</summary>
    public ForecastSkillReport? ForecastSkill { get; init; }

    public FallbackState Fallback { get; init; } = FallbackState.Inactive;

    public OverrideState Override { get; init; } = OverrideState.None;

    /// <summary>Freshness of each data source (prices, forecast, inverter, ...), keyed by source name.</summary>
    public IReadOnlyList<SourceFreshness> Sources { get; init; } = [];

    /// <summary>Health of each component (inverter, mqtt, storage, planner, ...).</summary>
    public IReadOnlyList<ComponentHealth> Components { get; init; } = [];

    /// <summary>
    /// The override the user asked for, as stored (mode, power, times, channel); null when none. It may have expired
    /// since the snapshot was made: check with <see cref="Override.IsActiveAt"/>. <see cref="Override"/> is what it
    /// makes the battery do.
    /// </summary>
    public Override? UserOverride { get; init; }

    /// <summary>The reserve SoC in force, %; null before the settings are loaded.</summary>
    public double? ReserveSocPercent { get; init; }

    /// <summary>How long the next override lasts, minutes (the duration control).</summary>
    public int OverrideDurationMinutes { get; init; } = 60;

    /// <summary>The immersion heaters, by id (as in the plan problem).</summary>
    public IReadOnlyList<ImmersionState> Immersions { get; init; } = [];

    /// <summary>
    /// The car's settings in force, every field set: the departure and target from Home Assistant or else the
    /// <c>Ev:Default*</c> keys, and "charge now"; null without a car (<c>Ev:EvccUrl</c> empty).
    /// </summary>
    public Ev.EvChoice? Ev { get; init; }

    /// <summary>Intelligent Octopus Go's dispatches as last read (only those Octopus lists now); null when not on Intelligent Octopus Go or before the first read.</summary>
    public Prices.DispatchSchedule? Dispatches { get; init; }

    /// <summary>Commands the control loop applied to the inverter since start (each one or more register writes).</summary>
    public long InverterWrites { get; init; }

    /// <summary>Commands to the inverter that failed since start (timeout, exception reply, refused).</summary>
    public long InverterWriteFailures { get; init; }

    /// <summary>
    /// This snapshot with <paramref name="health"/> as its component's one entry in <see cref="Components"/> (the
    /// earlier entry replaced, or added when the component is new): how every component reports itself.
    /// </summary>
    public ApplianceSnapshot WithComponent(ComponentHealth health) =>
        this with { Components = [.. Components.Where(c => c.Component != health.Component), health] };

    /// <summary>This snapshot without <paramref name="component"/>'s entry (a component with nothing to report).</summary>
    public ApplianceSnapshot WithoutComponent(string component) =>
        this with { Components = [.. Components.Where(c => c.Component != component)] };

    /// <summary>Last success of the first source whose name starts with <paramref name="sourcePrefix"/> (e.g. "octopus").</summary>
    public DateTimeOffset? LastSuccess(string sourcePrefix) =>
        Sources.FirstOrDefault(f => f.Source.StartsWith(sourcePrefix, StringComparison.Ordinal))?.LastSuccessUtc;
}

/// <summary>The A/B schedule in force (<c>Control:AbSchedule</c>, issue 16 §4).</summary>
/// <param name="Schedule">Its name, e.g. <c>alternate-days</c>.</param>
/// <param name="Today">Today's UK date.</param>
/// <param name="TodayIsA">An A day (EdgeEnergy in control) or a B day (handed back).</param>
/// <param name="Running">The chosen mode is active, so the schedule decides; false while a person has chosen shadow (every day is shadow).</param>
/// <param name="NextSwitchUtc">The next UK midnight, when the day changes.</param>
public sealed record AbStatus(string Schedule, DateOnly Today, bool TodayIsA, bool Running, DateTimeOffset NextSwitchUtc);

/// <summary>
/// The bills of whole UK days from <c>edgeenergy report</c>'s core, run once a day after midnight (issue 16 §2), in
/// pence: the metered bill, EdgeEnergy's (metered on active days, its plans replayed on shadow days) and no battery's,
/// each with the day's standing charges of the tariffs in force (issue 18 §1).
/// </summary>
/// <param name="Yesterday">The last day reported.</param>
/// <param name="YesterdayBills">Its bills; null when the day is incomplete (a figure is never a stand-in zero).</param>
/// <param name="WeekBills">The sums over the 7 days to <paramref name="Yesterday"/>; null unless all 7 are complete.</param>
/// <param name="WeekCompleteDays">How many of those 7 days are complete.</param>
/// <param name="ComputedUtc">When the report ran.</param>
public sealed record ReportedBills(DateOnly Yesterday, DayBills? YesterdayBills, DayBills? WeekBills, int WeekCompleteDays, DateTimeOffset ComputedUtc)
{
    /// <summary>Every reported day, oldest first, for the dashboard's report (an incomplete one with its reason, no figures).</summary>
    public IReadOnlyList<ReportedDay> Days { get; init; } = [];
}

/// <summary>
/// One day of the report (contracts section 5), pence: the metered bill, EdgeEnergy's (with its error bar), no battery's
/// and perfect foresight's, and EdgeEnergy − perfect by cause. <paramref name="IncompleteReason"/> set: no figures.
/// </summary>
public sealed record ReportedDay(
    DateOnly Date, string? IncompleteReason, string Mode, double? ActualPence, double? EdgeEnergyPence, double? ErrorBarPence,
    double? NoBatteryPence, double? PerfectPence, ReportedCauses? Causes)
{
    /// <summary>The day's standing charges (import + export, pence), included in every bill above; null when not known
    /// (then the day is incomplete and <see cref="IncompleteReason"/> says why).</summary>
    public double? StandingPence { get; init; }
}

/// <summary>EdgeEnergy's bill − perfect foresight's, by cause, pence (they sum to the difference).</summary>
public sealed record ReportedCauses(double LoadForecastPence, double PvForecastPence, double PricesPence, double HorizonPence, double ExecutionPence);

/// <summary>
/// The skill of the load and solar forecasts the service planned on (issue 15 §1), made by the forecast-skill job over
/// the half hours of [<paramref name="FromUtc"/>, <paramref name="ToUtc"/>): per quantity and lead band, see
/// <see cref="ForecastSkillBand"/>.
/// </summary>
public sealed record ForecastSkillReport(DateTimeOffset ComputedUtc, DateTimeOffset FromUtc, DateTimeOffset ToUtc, IReadOnlyList<ForecastSkillBand> Bands)
{
    /// <summary>
    /// A band with fewer scored slot forecasts than a day's half hours has no figures: an MAE over a few half hours is
    /// one morning's luck, and would be shown as if it were the forecast's skill.
    /// </summary>
    public const int MinimumSlots = 48;

    /// <summary>Slot forecasts scored: the most of any quantity (summed over its bands).</summary>
    public int Slots => Bands.GroupBy(b => b.Quantity, StringComparer.Ordinal).Select(g => g.Sum(b => b.Slots)).DefaultIfEmpty(0).Max();

    /// <summary>Whether any band has figures; otherwise there is not enough history yet.</summary>
    public bool HasFigures => Bands.Any(b => b.MaeKwh is not null);
}

/// <summary>
/// One quantity (<c>load</c> or <c>solar</c>) at one lead band [<paramref name="FromHours"/>, <paramref name="ToHours"/>)
/// (a forecast's lead: its half hour's start − when the plan was made). kWh per half hour: <paramref name="MaeKwh"/> the
/// mean absolute error, <paramref name="BiasKwh"/> the mean of actual − forecast (positive: the forecast ran low),
/// <paramref name="PersistenceMaeKwh"/> the MAE of "the same half hour yesterday" on the same slots. The figures are
/// null (never 0) while <paramref name="Slots"/> is below <see cref="ForecastSkillReport.MinimumSlots"/>.
/// </summary>
public sealed record ForecastSkillBand(string Quantity, double FromHours, double ToHours, int Slots, double? MaeKwh, double? BiasKwh, double? PersistenceMaeKwh)
{
    /// <summary>The band as a label, e.g. <c>0-2h</c> (also the metrics' <c>lead</c> label).</summary>
    public string Lead => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{FromHours:0.#}-{ToHours:0.#}h");
}

/// <summary>Bills in pence (import cost − export income + the days' standing charges).</summary>
public sealed record DayBills(double ActualPence, double EdgeEnergyPence, double NoBatteryPence)
{
    /// <summary>The standing charges included in each bill (import + export, pence).</summary>
    public double StandingPence { get; init; }
}

/// <summary>One immersion heater.</summary>
/// <param name="Id">As in the plan problem, [a-z0-9_]+.</param>
/// <param name="Name">For people.</param>
/// <param name="Enabled">The user lets the planner heat it (the switch).</param>
/// <param name="Heating">The relay is on now.</param>
/// <param name="BoostUntilUtc">End of a manual boost, or null.</param>
public sealed record ImmersionState(string Id, string Name, bool Enabled, bool Heating, DateTimeOffset? BoostUntilUtc = null);

/// <summary>A solved plan together with the problem it answers (prices and forecasts per slot) and when it was made.</summary>
public sealed record ActivePlan(PlanProblem Problem, Plan Plan, DateTimeOffset CreatedUtc)
{
    /// <summary>The slot index containing <paramref name="instant"/>, or -1 when outside the plan.</summary>
    public int SlotAt(DateTimeOffset instant)
    {
        var offsetMinutes = (instant - Problem.Start).TotalMinutes;
        if (offsetMinutes < 0)
        {
            return -1;
        }

        var slot = (int)(offsetMinutes / Problem.SlotMinutes);
        return slot < Plan.Slots.Count ? slot : -1;
    }

    /// <summary>The problem's inputs (prices, forecasts) for <paramref name="slot"/>, or null outside the plan.</summary>
    public SlotInput? InputAt(int slot) => slot >= 0 && slot < Problem.Slots.Count ? Problem.Slots[slot] : null;

    /// <summary>How many of the plan's slots use estimated prices (issue 10), not published ones.</summary>
    public int EstimatedPriceSlots => Problem.Slots.Count(x => x.PricesEstimated);

    /// <summary>Start of the plan's first slot on estimated prices; null when every slot's prices are published.</summary>
    public DateTimeOffset? EstimatedPricesFrom => IndexOfFirstEstimated() is var i and >= 0 ? Problem.SlotStart(i) : null;

    /// <summary>End of the plan's last slot on published prices; null when none is published.</summary>
    public DateTimeOffset? PricesPublishedUntil
    {
        get
        {
            for (var i = Problem.Slots.Count - 1; i >= 0; i--)
            {
                if (!Problem.Slots[i].PricesEstimated)
                {
                    return Problem.SlotStart(i + 1);
                }
            }

            return null;
        }
    }

    /// <summary>End of the plan's last slot.</summary>
    public DateTimeOffset End => Problem.SlotStart(Problem.Slots.Count);

    private int IndexOfFirstEstimated()
    {
        for (var i = 0; i < Problem.Slots.Count; i++)
        {
            if (Problem.Slots[i].PricesEstimated)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first slot after <paramref name="slot"/> whose mode differs from it, or null (none, or outside the plan).</summary>
    public PlanSlot? NextChangeAfter(int slot) =>
        slot < 0 || slot >= Plan.Slots.Count ? null : Plan.Slots.Skip(slot + 1).FirstOrDefault(x => x.Mode != Plan.Slots[slot].Mode);
}

/// <summary>
/// One inverter reading. Powers in W with the product's signs: battery + = discharging, grid + = importing;
/// PV and load are ≥ 0. State of charge in percent (0–100).
/// </summary>
public sealed record LiveTelemetry
{
    public required DateTimeOffset MeasuredAtUtc { get; init; }

    /// <summary>State of charge, % (0–100); the last one measured (0 until a reading has given one).</summary>
    public required double BatterySocPercent { get; init; }

    /// <summary>
    /// When a reading last gave the state of charge, or null when none has since this process started (then
    /// <see cref="BatterySocPercent"/> is no measurement, and nothing may be planned from it).
    /// </summary>
    public DateTimeOffset? SocMeasuredAtUtc { get; init; }

    /// <summary>Battery power, W, + = discharging, − = charging.</summary>
    public required double BatteryPowerW { get; init; }

    /// <summary>PV generation, W, ≥ 0.</summary>
    public required double PvPowerW { get; init; }

    /// <summary>Grid power, W, + = importing, − = exporting.</summary>
    public required double GridPowerW { get; init; }

    /// <summary>House load, W, ≥ 0.</summary>
    public required double LoadPowerW { get; init; }

    /// <summary>Immersion heater power, W, ≥ 0, summed over heaters (part of the load).</summary>
    public double ImmersionPowerW { get; init; }

    /// <summary>Grid import energy since installation, kWh, never decreasing; null when the inverter lacks it.</summary>
    public double? GridImportEnergyKwh { get; init; }

    /// <summary>Grid export energy since installation, kWh, never decreasing; null when the inverter lacks it.</summary>
    public double? GridExportEnergyKwh { get; init; }
}

/// <summary>
/// Today's money in pence (UK local day): what the grid has cost so far (imports minus export income) and what the
/// same load and PV would have cost with no battery and the immersion heated at its default times.
/// </summary>
public sealed record CostToday
{
    /// <summary>Start of the local day (UTC instant) the figures run from.</summary>
    public required DateTimeOffset SinceUtc { get; init; }

    /// <summary>The bill so far, pence (negative when export income exceeds import cost).</summary>
    public required double CostPence { get; init; }

    /// <summary>The bill the same day would have had with no battery, pence.</summary>
    public required double NoBatteryCostPence { get; init; }

    /// <summary>Positive when the battery saved money.</summary>
    public double SavingsPence => NoBatteryCostPence - CostPence;
}

/// <summary>Whether the fallback rules are in charge, why, and since when.</summary>
public sealed record FallbackState(bool Active, string? Cause, DateTimeOffset? SinceUtc)
{
    public static FallbackState Inactive { get; } = new(false, null, null);
}

/// <summary>A user's timed override: the mode and battery power (W, + = discharging) it forces, until when.</summary>
public sealed record OverrideState(bool Active, SlotMode? Mode, double? PowerW, string? Reason, DateTimeOffset? UntilUtc)
{
    public static OverrideState None { get; } = new(false, null, null, null, null);

    /// <summary>Time left at <paramref name="now"/>; zero when inactive or expired.</summary>
    public TimeSpan Remaining(DateTimeOffset now) =>
        Active && UntilUtc is { } until && until > now ? until - now : TimeSpan.Zero;
}

/// <summary>
/// How fresh one data source is. A source is stale when its last success is older than <see cref="MaxAge"/> (or it
/// never succeeded).
/// </summary>
public sealed record SourceFreshness
{
    /// <summary>Short lower-case name, also the metrics label (e.g. <c>octopus-import</c>, <c>solcast</c>, <c>inverter</c>).</summary>
    public required string Source { get; init; }

    public DateTimeOffset? LastSuccessUtc { get; init; }

    public DateTimeOffset? LastAttemptUtc { get; init; }

    /// <summary>Why the last attempt failed; null when it succeeded.</summary>
    public string? LastError { get; init; }

    /// <summary>Age beyond which the data may no longer be relied on.</summary>
    public required TimeSpan MaxAge { get; init; }

    /// <summary>Age of the data at <paramref name="now"/>; null when it never succeeded.</summary>
    public TimeSpan? Age(DateTimeOffset now) => LastSuccessUtc is { } t ? now - t : null;

    public bool IsStale(DateTimeOffset now) => Age(now) is not { } age || age > MaxAge;
}

/// <summary>How a component is doing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthState>))]
public enum HealthState
{
    [JsonStringEnumMemberName("healthy")] Healthy,
    /// <summary>Working with reduced function (e.g. retrying, using cached data).</summary>
    [JsonStringEnumMemberName("degraded")] Degraded,
    /// <summary>Not working; the appliance compensates (fallback) or cannot.</summary>
    [JsonStringEnumMemberName("unhealthy")] Unhealthy,
}

/// <summary>One component's health with a sentence for people.</summary>
public sealed record ComponentHealth(string Component, HealthState State, string Detail, DateTimeOffset CheckedAtUtc);
