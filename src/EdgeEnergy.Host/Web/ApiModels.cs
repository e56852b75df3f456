using EdgeEnergy.Control.Supervision;
using System.Globalization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Host.Web;

/// <summary><c>GET /api/v1/recommendation/now</c>. <c>powerW</c>: battery W, + = discharging, − = charging.</summary>
internal sealed record RecommendationView(SlotMode Mode, double PowerW, string Reason, DateTimeOffset ValidUntil, RecommendationSource Source)
{
    public static RecommendationView From(Recommendation r) => new(r.Mode, r.PowerW, r.Reason, r.ValidUntilUtc, r.Source);
}

/// <summary><c>GET /api/v1/plan</c>: the plan being followed, each slot with its prices, forecasts and reason.</summary>
internal sealed record PlanView(
    DateTimeOffset CreatedUtc,
    PlanStatus Status,
    double ObjectivePence,
    double SolveMilliseconds,
    string? Reason,
    int SlotMinutes,
    int NowSlot,
    PlanBatteryView Battery,
    IReadOnlyList<PlanSlotView> Slots)
{
    public static PlanView From(ActivePlan active, DateTimeOffset now)
    {
        var problem = active.Problem;
        var plan = active.Plan;
        var capacity = problem.Battery.CapacityKwh;
        var slots = new PlanSlotView[plan.Slots.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var s = plan.Slots[i];
            var input = problem.Slots[i];
            slots[i] = new PlanSlotView(
                s.Start, s.Start.AddMinutes(problem.SlotMinutes), s.Mode, s.Reason,
                input.ImportPence, input.ExportPence, input.LoadKwh, input.PvKwh, input.PricesEstimated,
                s.ImportKwh, s.ExportKwh, s.ChargeKwh, s.DischargeKwh, s.PvUsedKwh, s.SocKwh,
                capacity > 0 ? 100.0 * s.SocKwh / capacity : 0, s.ImmersionKwh, s.StoredValuePencePerKwh)
            {
                SessionRewardPence = s.SessionRewardPence,
            };
        }

        var b = problem.Battery;
        return new PlanView(active.CreatedUtc, plan.Status, plan.ObjectivePence, plan.SolveMilliseconds, plan.Reason, problem.SlotMinutes,
            active.SlotAt(now), new PlanBatteryView(b.CapacityKwh, b.SocKwh, b.MinSocKwh, b.MaxSocKwh, b.MaxChargeKw, b.MaxDischargeKw), slots)
        {
            ExpectedSessionRewardPence = plan.ExpectedSessionRewardPence,
        };
    }

    /// <summary>The Saving Session reward the plan expects (pence); left out when the plan has no session.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? ExpectedSessionRewardPence { get; init; }
}

/// <summary>The battery the plan was made for: energies in kWh (startSocKwh at the plan's start), powers in kW.</summary>
internal sealed record PlanBatteryView(double CapacityKwh, double StartSocKwh, double MinSocKwh, double MaxSocKwh, double MaxChargeKw, double MaxDischargeKw);

/// <summary>One slot: its inputs (prices p/kWh, forecasts kWh), the planned flows (kWh), the end SoC and why.</summary>
internal sealed record PlanSlotView(
    DateTimeOffset Start,
    DateTimeOffset End,
    SlotMode Mode,
    string Reason,
    double ImportPence,
    double ExportPence,
    double LoadKwh,
    double PvKwh,
    bool PricesEstimated,
    double ImportKwh,
    double ExportKwh,
    double ChargeKwh,
    double DischargeKwh,
    double PvUsedKwh,
    double SocKwh,
    double SocPercent,
    IReadOnlyDictionary<string, double> ImmersionKwh,
    double? StoredValuePencePerKwh)
{
    /// <summary>The Saving Session reward this slot is planned to earn (pence); left out outside a session.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? SessionRewardPence { get; init; }
}

/// <summary><c>GET /api/v1/status</c>: everything the dashboard shows apart from the plan.</summary>
/// <c>mode</c>: <c>active</c> or <c>shadow</c> (nothing is written); <c>modeConfirmUntil</c>: while a switch to active
/// waits for its confirming second command; <c>ab</c>: the A/B schedule (<c>Control:AbSchedule</c>), null when off.
internal sealed record StatusView(
    DateTimeOffset NowUtc,
    long Version,
    string Mode,
    DateTimeOffset? ModeConfirmUntil,
    AbView? Ab,
    RecommendationView? Recommendation,
    TelemetryView? Telemetry,
    CostTodayView? CostToday,
    FallbackView Fallback,
    OverrideView Override,
    PlanSummaryView? Plan,
    IReadOnlyList<SourceView> Sources,
    HealthView Health,
    ReportView? Report,
    ForecastSkillView? ForecastSkill,
    DispatchesView? Dispatches)
{
    public static StatusView From(ApplianceSnapshot s, DateTimeOffset now) => new(
        now,
        s.Version,
        s.Mode.ToWire(),
        s.ModeConfirmUntilUtc is { } until && until > now ? until : null,
        s.Ab is { } ab ? AbView.From(ab) : null,
        s.Recommendation is { } r ? RecommendationView.From(r) : null,
        s.Telemetry is { } t ? new TelemetryView(t.MeasuredAtUtc, Math.Max(0, (now - t.MeasuredAtUtc).TotalSeconds), t.BatterySocPercent, t.BatteryPowerW, t.PvPowerW, t.GridPowerW, t.LoadPowerW, t.ImmersionPowerW) : null,
        s.CostToday is { } c ? new CostTodayView(c.SinceUtc, c.CostPence, c.NoBatteryCostPence, c.SavingsPence) : null,
        new FallbackView(s.Fallback.Active, s.Fallback.Cause, s.Fallback.SinceUtc),
        OverrideView.From(s.Override, now),
        s.Plan is { } p ? new PlanSummaryView(p.CreatedUtc, p.Plan.Status, p.Plan.ObjectivePence, p.Plan.Slots.Count) : null,
        s.Sources.Select(f => SourceView.From(f, now)).ToArray(),
        HealthView.From(s, now),
        s.Bills is { } b ? new ReportView(b.ComputedUtc, b.Days) : null,
        s.ForecastSkill is { } f ? ForecastSkillView.Of(f) : null,
        s.Dispatches is { } d ? DispatchesView.Of(d, now) : null);
}

/// <summary>
/// Intelligent Octopus Go's dispatches that have not ended, as Octopus listed them at <c>fetched</c> (null when not on
/// Intelligent Octopus Go or before the first read). <c>kind</c>: <c>smart</c> (its half hours off-peak for the whole
/// house) or <c>boost</c> (peak); <c>dailySmartCapHours</c>: <c>Octopus:SmartChargeCapHours</c>, null without a cap.
/// </summary>
internal sealed record DispatchesView(DateTimeOffset Fetched, double? DailySmartCapHours, IReadOnlyList<DispatchView> Upcoming)
{
    public static DispatchesView Of(Domain.Prices.DispatchSchedule d, DateTimeOffset now) => new(
        d.FetchedUtc, d.DailySmartCap?.TotalHours, [.. d.Upcoming(now).Select(x => new DispatchView(x.StartUtc, x.EndUtc, x.Kind.ToString().ToLowerInvariant(), x.EnergyKwh))]);
}

/// <summary>One planned dispatch [<c>start</c>, <c>end</c>).</summary>
internal sealed record DispatchView(DateTimeOffset Start, DateTimeOffset End, string Kind, double? EnergyKwh);

/// <summary>
/// How good the forecasts planned on have been (the forecast-skill job, hourly; null until it has run): over the half
/// hours of [<c>from</c>, <c>to</c>), per quantity (<c>load</c>, <c>solar</c>) and lead band, MAE and bias (actual −
/// forecast) in kWh per half hour and persistence's MAE on the same slots. <c>enoughHistory</c> false: no band has
/// <c>minimumSlots</c> scored yet, and <c>slots</c> says how many there are; a band's figures are null, never 0, until it has.
/// </summary>
internal sealed record ForecastSkillView(
    DateTimeOffset Computed, DateTimeOffset From, DateTimeOffset To, int Slots, int MinimumSlots, bool EnoughHistory, IReadOnlyList<ForecastSkillBandView> Bands)
{
    public static ForecastSkillView Of(ForecastSkillReport r) => new(
        r.ComputedUtc, r.FromUtc, r.ToUtc, r.Slots, ForecastSkillReport.MinimumSlots, r.HasFigures,
        [.. r.Bands.Select(b => new ForecastSkillBandView(b.Quantity, b.Lead, b.FromHours, b.ToHours, b.Slots, b.MaeKwh, b.BiasKwh, b.PersistenceMaeKwh))]);
}

/// <summary>One quantity at one lead band [<c>fromHours</c>, <c>toHours</c>), e.g. <c>lead</c> <c>0-2h</c>; kWh per half hour.</summary>
internal sealed record ForecastSkillBandView(
    string Quantity, string Lead, double FromHours, double ToHours, int Slots, double? MaeKwh, double? BiasKwh, double? PersistenceMaeKwh);

/// <summary>
/// The daily report of the last 7 UK days (<c>edgeenergy report</c>'s figures, made by the daily job at 00:10 UK):
/// null until it has run once. An incomplete day has its <c>incompleteReason</c> and no figures.
/// </summary>
internal sealed record ReportView(DateTimeOffset Computed, IReadOnlyList<ReportedDay> Days);

/// <summary>
/// The A/B schedule: <c>today</c> <c>A</c> or <c>B</c>, <c>running</c> (false while shadow is chosen: no day is
/// active), <c>nextSwitch</c> (the next UK midnight) and <c>text</c> for people, e.g. <c>A/B: today B (handed back), next switch 00:00</c>.
/// </summary>
internal sealed record AbView(string Schedule, DateOnly Date, string Today, bool Running, DateTimeOffset NextSwitch, string Text)
{
    public static AbView From(AbStatus ab)
    {
        var today = ab.TodayIsA ? "A" : "B";
        var next = UkTime.ToLocal(ab.NextSwitchUtc).ToString("HH:mm", CultureInfo.InvariantCulture);
        var text = !ab.Running
            ? $"A/B: paused (shadow chosen), today would be {today}"
            : ab.TodayIsA ? $"A/B: today A (EdgeEnergy in control), next switch {next}" : $"A/B: today B (handed back), next switch {next}";
        return new AbView(ab.Schedule, ab.Today, today, ab.Running, ab.NextSwitchUtc, text);
    }
}

/// <summary>Live flows in W: battery + = discharging, grid + = importing; SoC in %.</summary>
internal sealed record TelemetryView(DateTimeOffset MeasuredAt, double AgeSeconds, double BatterySocPercent, double BatteryPowerW, double PvPowerW, double GridPowerW, double LoadPowerW, double ImmersionPowerW);

internal sealed record CostTodayView(DateTimeOffset Since, double CostPence, double NoBatteryCostPence, double SavingsPence);

internal sealed record FallbackView(bool Active, string? Cause, DateTimeOffset? Since);

internal sealed record OverrideView(bool Active, SlotMode? Mode, double? PowerW, string? Reason, DateTimeOffset? Until, double RemainingSeconds)
{
    public static OverrideView From(OverrideState o, DateTimeOffset now)
    {
        var remaining = o.Remaining(now);
        return new OverrideView(o.Active && remaining > TimeSpan.Zero, o.Mode, o.PowerW, o.Reason, o.UntilUtc, remaining.TotalSeconds);
    }
}

internal sealed record PlanSummaryView(DateTimeOffset CreatedUtc, PlanStatus Status, double ObjectivePence, int Slots);

internal sealed record SourceView(string Source, DateTimeOffset? LastSuccess, double? AgeSeconds, double MaxAgeSeconds, bool Stale, string? LastError)
{
    public static SourceView From(SourceFreshness f, DateTimeOffset now) =>
        new(f.Source, f.LastSuccessUtc, f.Age(now)?.TotalSeconds, f.MaxAge.TotalSeconds, f.IsStale(now), f.LastError);
}

/// <summary>
/// <c>GET /healthz</c>: the worst component state is the appliance's; stale data makes it at least degraded. Until the
/// control loop has finished a poll (no <see cref="ControlStatusPublisher.Inverter"/> component yet) it is
/// <c>starting</c>, whatever else has reported: the price fetch often reports healthy a second before the first
/// reading, and a health check must not take an appliance that has not yet seen its inverter for a working one.
/// </summary>
internal sealed record HealthView(string Status, DateTimeOffset CheckedAt, IReadOnlyList<ComponentView> Components, IReadOnlyList<SourceView> Sources)
{
    public static HealthView From(ApplianceSnapshot s, DateTimeOffset now)
    {
        var sources = s.Sources.Select(f => SourceView.From(f, now)).ToArray();
        var components = s.Components.Select(c => new ComponentView(c.Component, c.State, c.Detail, c.CheckedAtUtc)).ToList();
        if (s.Fallback.Active)
        {
            components.Add(new ComponentView("control", HealthState.Degraded, $"fallback rules in charge: {s.Fallback.Cause}", s.Fallback.SinceUtc ?? now));
        }

        var worst = components.Count == 0 ? HealthState.Degraded : components.Max(c => c.State);
        if (worst == HealthState.Healthy && sources.Any(x => x.Stale))
        {
            worst = HealthState.Degraded;
        }

        var inverterRead = components.Any(c => c.Component == ControlStatusPublisher.Inverter);
        var status = !inverterRead && worst != HealthState.Unhealthy ? "starting" : worst switch
        {
            HealthState.Healthy => "healthy",
            HealthState.Degraded => "degraded",
            _ => "unhealthy",
        };
        return new HealthView(status, now, components, sources);
    }
}

internal sealed record ComponentView(string Component, HealthState State, string Detail, DateTimeOffset CheckedAt);

/// <summary><c>POST /api/v1/prices/update</c> result.</summary>
internal sealed record PriceRefreshView(bool Succeeded, int SlotsStored, string Message);
