using EdgeEnergy.Control.Supervision;
using System.Text.Json;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Host.Web.Preview;

/// <summary>Which banners the preview shows.</summary>
public enum PreviewMode
{
    /// <summary>The plan is followed.</summary>
    Normal,
    /// <summary>The fallback rules are in charge (prices stale).</summary>
    Fallback,
    /// <summary>A user's timed override is in force.</summary>
    Override,
    /// <summary>Shadow mode: the plan is made and shown, nothing is written.</summary>
    Shadow,
}

/// <summary>
/// A realistic appliance state for the dashboard preview and the web tests, built from real data
/// (<c>preview-day.json</c>, see README.md beside it) re-dated to today and solved with the real optimiser:
/// the plan from now on, today's cost so far from the plan made at midnight against no battery, live flows from
/// the current slot. It is a preview: nothing is measured.
/// </summary>
public sealed class PreviewScenario(IScheduleOptimiser optimiser, PreviewMode mode = PreviewMode.Normal)
{
    private const int HorizonSlots = 48;
    private static readonly Lazy<SlotInput[]> s_day = new(LoadDay);
    private static readonly TimeZoneInfo s_uk = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static BatterySpec Battery { get; } = new()
    {
        CapacityKwh = 10.4, SocKwh = 5.2, MinSocKwh = 1.04, MaxSocKwh = 10.4, MaxChargeKw = 3.6, MaxDischargeKw = 3.6,
        ChargeEfficiency = 0.95, DischargeEfficiency = 0.95, CycleCostPencePerKwh = 2.0,
    };

    public PreviewMode Mode => mode;

    /// <summary>Builds the snapshot for <paramref name="now"/>; deterministic for a given instant.</summary>
    public ApplianceSnapshot Build(DateTimeOffset now, out Plan solved)
    {
        now = now.ToUniversalTime();
        var local = TimeZoneInfo.ConvertTime(now, s_uk);
        var midnight = new DateTimeOffset(local.Date, s_uk.GetUtcOffset(local.Date)).ToUniversalTime();
        var slotNow = (int)((now - midnight).TotalMinutes / 30);

        // Today from midnight: what the battery did before now, for the cost so far and the SoC now.
        var morning = optimiser.Solve(Problem(midnight, 0, Battery.SocKwh));
        var costPence = 0.0;
        var noBatteryPence = 0.0;
        var socNow = Battery.SocKwh;
        for (var i = 0; i < slotNow && i < morning.Slots.Count; i++)
        {
            var input = s_day.Value[i];
            var s = morning.Slots[i];
            costPence += s.ImportKwh * input.ImportPence - s.ExportKwh * input.ExportPence;
            var net = input.LoadKwh + s.ImmersionKwh.Values.Sum() - input.PvKwh;
            noBatteryPence += net >= 0 ? net * input.ImportPence : net * input.ExportPence;
            socNow = s.SocKwh;
        }

        var start = midnight.AddMinutes(30.0 * slotNow);
        var problem = Problem(start, slotNow, socNow);
        solved = optimiser.Solve(problem);
        var active = new ActivePlan(problem, solved, now);
        var first = solved.Slots.Count > 0 ? solved.Slots[0] : null;
        var h = problem.SlotHours;
        var slotEnd = start.AddMinutes(problem.SlotMinutes);

        var recommendation = first is null ? null : new Recommendation
        {
            Mode = first.Mode,
            PowerW = Math.Round(Energy.Watts(first.DischargeKwh - first.ChargeKwh, h)),
            Reason = first.Reason,
            ValidUntilUtc = slotEnd,
            Source = RecommendationSource.Plan,
        };
        var fallback = FallbackState.Inactive;
        var overriding = OverrideState.None;
        if (mode == PreviewMode.Fallback)
        {
            fallback = new FallbackState(true, "Agile prices are 26 h old (Octopus unreachable since yesterday 16:05); self-use until prices return", now.AddMinutes(-42));
            recommendation = new Recommendation { Mode = SlotMode.SelfUse, PowerW = 0, Reason = "Fallback: self-use while prices are stale", ValidUntilUtc = now.AddMinutes(5), Source = RecommendationSource.Fallback };
        }
        else if (mode == PreviewMode.Override)
        {
            overriding = new OverrideState(true, SlotMode.Charge, -3000, "Charge to full before the storm (set from Home Assistant)", now.AddMinutes(83));
            recommendation = new Recommendation { Mode = SlotMode.Charge, PowerW = -3000, Reason = "Override: charge to full before the storm", ValidUntilUtc = now.AddMinutes(83), Source = RecommendationSource.Override };
        }

        var input0 = problem.Slots[0];
        var immersionW = first is null ? 0 : Math.Round(Energy.Watts(first.ImmersionKwh.Values.Sum(), h));
        var batteryW = recommendation?.PowerW ?? 0;
        var pvW = Math.Round(Energy.Watts(first?.PvUsedKwh ?? input0.PvKwh, h));
        var loadW = Math.Round(Energy.Watts(input0.LoadKwh, h)) + immersionW;
        var telemetry = new LiveTelemetry
        {
            MeasuredAtUtc = now.AddSeconds(-2),
            BatterySocPercent = Math.Round(100 * socNow / Battery.CapacityKwh, 1),
            SocMeasuredAtUtc = now.AddSeconds(-2),
            BatteryPowerW = batteryW,
            PvPowerW = pvW,
            GridPowerW = loadW - pvW - batteryW, // the balance: pv + grid + battery = load
            LoadPowerW = loadW,
            ImmersionPowerW = immersionW,
        };

        var pricesFetched = mode == PreviewMode.Fallback ? now.AddHours(-26) : now.AddMinutes(-37);
        return new ApplianceSnapshot
        {
            Plan = active,
            Recommendation = recommendation,
            Telemetry = telemetry,
            CostToday = new CostToday { SinceUtc = midnight, CostPence = Math.Round(costPence, 1), NoBatteryCostPence = Math.Round(noBatteryPence, 1) },
            Bills = Bills(DateOnly.FromDateTime(local.Date), midnight),
            ForecastSkill = Skill(now),
            // An Intelligent Octopus Go evening: a smart dispatch (off-peak for the house) and a boost the driver asked for.
            Dispatches = new Domain.Prices.DispatchSchedule(
            [
                new Domain.Prices.PlannedDispatch(midnight.AddHours(19).AddMinutes(10), midnight.AddHours(20).AddMinutes(40), Domain.Prices.DispatchKind.Smart, 7.4),
                new Domain.Prices.PlannedDispatch(midnight.AddHours(21), midnight.AddHours(21).AddMinutes(30), Domain.Prices.DispatchKind.Boost),
            ], now.AddMinutes(-3), null),
            Fallback = fallback,
            Override = overriding,
            Mode = mode == PreviewMode.Shadow ? Domain.Control.ControlMode.Shadow : Domain.Control.ControlMode.Active,
            Sources =
            [
                new SourceFreshness { Source = "octopus-import", LastSuccessUtc = pricesFetched, LastAttemptUtc = now.AddMinutes(-7), MaxAge = TimeSpan.FromHours(24), LastError = mode == PreviewMode.Fallback ? "api.octopus.energy: connection timed out" : null },
                new SourceFreshness { Source = "octopus-export", LastSuccessUtc = pricesFetched, LastAttemptUtc = now.AddMinutes(-7), MaxAge = TimeSpan.FromHours(24) },
                new SourceFreshness { Source = "solcast", LastSuccessUtc = now.AddHours(-2.2), LastAttemptUtc = now.AddHours(-2.2), MaxAge = TimeSpan.FromHours(8) },
                new SourceFreshness { Source = ControlStatusPublisher.Inverter, LastSuccessUtc = now.AddSeconds(-2), LastAttemptUtc = now.AddSeconds(-2), MaxAge = TimeSpan.FromSeconds(60) },
            ],
            Components =
            [
                new ComponentHealth(ControlStatusPublisher.Inverter, HealthState.Healthy, "preview: simulated Fox H1 answering", now),
                new ComponentHealth("planner", solved.Status is PlanStatus.Optimal or PlanStatus.Feasible ? HealthState.Healthy : HealthState.Degraded, $"plan {solved.Status.ToString().ToLowerInvariant()}, solved in {solved.SolveMilliseconds:0} ms", now),
                new ComponentHealth("prices", mode == PreviewMode.Fallback ? HealthState.Unhealthy : HealthState.Healthy, mode == PreviewMode.Fallback ? "prices 26 h old" : "published to 23:00 tomorrow", now),
            ],
        };
    }

    /// <summary>
    /// A week of the daily report for the page to show (made-up figures, shaped like a shadow fortnight's; the third day
    /// incomplete, as a day with a telemetry gap is).
    /// </summary>
    private static ReportedBills Bills(DateOnly today, DateTimeOffset computed)
    {
        var days = Enumerable.Range(0, 7).Select(i =>
        {
            var date = today.AddDays(i - 7);
            if (i == 2)
            {
                return new ReportedDay(date, "telemetry missing for 14 of 48 half hours", "shadow", null, null, null, null, null, null);
            }

            var actual = 310 + (37 * i % 90);
            var perfect = actual - 95 - (13 * i % 30);
            var causes = new ReportedCauses(9 + (i % 4), 4 + (i % 3), 1.2, 3.5, 2.0);
            var edgeEnergy = perfect + causes.LoadForecastPence + causes.PvForecastPence + causes.PricesPence + causes.HorizonPence + causes.ExecutionPence;
            return new ReportedDay(date, null, "shadow", actual, edgeEnergy, 4.5 + (i % 3), actual + 120 + (11 * i % 40), perfect, causes);
        }).ToList();
        return new ReportedBills(today.AddDays(-1), null, null, 6, computed) { Days = days };
    }

    /// <summary>
    /// A fortnight's forecast skill for the page to show (made-up figures, shaped like the 2022 solar homes' in
    /// docs/reports/2026-12-02-solar-homes.md: the forecast beats persistence, by less at longer leads).
    /// </summary>
    private static ForecastSkillReport Skill(DateTimeOffset now)
    {
        var to = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute < 30 ? 0 : 30, 0, TimeSpan.Zero);
        (double From, double To)[] leads = [(0, 2), (2, 6), (6, 12), (12, 24)];
        double[] loadMae = [0.092, 0.118, 0.127, 0.134], loadBias = [0.004, -0.011, 0.018, 0.021], loadPersistence = [0.131, 0.142, 0.149, 0.151];
        double[] solarMae = [0.048, 0.087, 0.104, 0.117], solarBias = [-0.006, 0.013, 0.025, 0.031], solarPersistence = [0.121, 0.126, 0.129, 0.133];
        var bands = new List<ForecastSkillBand>();
        for (var i = 0; i < leads.Length; i++)
        {
            var slots = (int)(2 * (leads[i].To - leads[i].From) * 14 * 48); // one plan per half hour for 14 days
            bands.Add(new ForecastSkillBand("load", leads[i].From, leads[i].To, slots, loadMae[i], loadBias[i], loadPersistence[i]));
            bands.Add(new ForecastSkillBand("solar", leads[i].From, leads[i].To, slots - 6, solarMae[i], solarBias[i], solarPersistence[i]));
        }

        return new ForecastSkillReport(now.AddMinutes(-17), to.AddDays(-14), to, bands);
    }

    private static PlanProblem Problem(DateTimeOffset start, int firstSlotOfDay, double socKwh) => new()
    {
        Start = start,
        SlotMinutes = 30,
        Battery = Battery with { SocKwh = socKwh },
        Grid = new GridSpec { MaxImportKw = 15, MaxExportKw = 3.68 },
        TerminalValuePencePerKwh = 15,
        Immersions =
        [
            new ImmersionSpec
            {
                Id = "tank", PowerKw = 3.0, ValuePencePerKwh = 6.5,
                Windows = [new ImmersionWindow { FromSlot = 0, ToSlot = HorizonSlots, MinKwh = 3.0, MaxKwh = 9.0 }],
            },
        ],
        Slots = s_day.Value.Skip(firstSlotOfDay).Take(HorizonSlots).ToArray(),
    };

    private static SlotInput[] LoadDay()
    {
        using var stream = typeof(PreviewScenario).Assembly.GetManifestResourceStream("EdgeEnergy.Host.Web.Preview.preview-day.json")
            ?? throw new InvalidOperationException("preview-day.json is not embedded in the build.");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("slots").EnumerateArray()
            .Select(e => new SlotInput
            {
                ImportPence = e.GetProperty("importPence").GetDouble(),
                ExportPence = e.GetProperty("exportPence").GetDouble(),
                LoadKwh = e.GetProperty("loadKwh").GetDouble(),
                PvKwh = e.GetProperty("pvKwh").GetDouble(),
            })
            .ToArray();
    }
}
