using System.Collections.Concurrent;
using System.Globalization;
using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Testing.Forecasting;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>One run of the real engine and optimiser on a fixture history and site, shared by the tests that inspect it.</summary>
public abstract class FixtureRun
{
    protected FixtureRun(string historyPath, string sitePath)
    {
        using var reader = new StreamReader(historyPath);
        History = HistoryCsv.Read(reader, "history");
        Site = SiteJson.Parse(File.ReadAllText(sitePath), "site");
        Result = new BacktestEngine(new OrToolsScheduleOptimiser()).Run(History, Site);
        var trace = new StringWriter(CultureInfo.InvariantCulture);
        BacktestReport.WriteTrace(trace, History, Result.Strategies[StrategyNames.Optimiser]);
        Trace = trace.ToString();
    }

    public BacktestHistory History { get; }
    public BacktestSite Site { get; }
    public BacktestResult Result { get; }

    /// <summary>The optimiser strategy's TRACE.csv.</summary>
    public string Trace { get; }
}

/// <summary>8 real days with an immersion heater.</summary>
public sealed class EightDayRun() : FixtureRun(Testing.BacktestFixtures.History, Testing.BacktestFixtures.SiteWithImmersion);

public class BacktestEngineTests(EightDayRun run) : IClassFixture<EightDayRun>
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public void Perfect_foresight_bounds_the_optimiser_which_beats_no_battery_and_the_rules()
    {
        var bill = run.Result.Strategies.ToDictionary(s => s.Key, s => s.Value.TotalBillPence);
        Assert.True(bill["perfect"] <= bill["optimiser"] + 1e-6, $"perfect {bill["perfect"]} > optimiser {bill["optimiser"]}");
        Assert.True(bill["optimiser"] < bill["rules"], $"optimiser {bill["optimiser"]} ≥ rules {bill["rules"]}");
        Assert.True(bill["rules"] < bill["none"], $"rules {bill["rules"]} ≥ none {bill["none"]}");
        Assert.InRange(run.Result.SavingsCapturePercent, 0, 100);
        Assert.Equal(0, run.Result.FallbackPlans);
        Assert.Equal(0, run.Result.ImmersionShortfalls);
    }

    [Fact]
    public void The_trace_recomputes_to_the_bill_and_keeps_every_constraint()
    {
        var b = run.Site.Battery;
        var lines = run.Trace.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BacktestReport.TraceHeader, lines[0]);
        Assert.Equal(run.History.Slots.Count, lines.Length - 1);
        var soc = b.SocKwh;
        double bill = 0;
        var heatByDay = new Dictionary<DateOnly, double>();
        for (var t = 0; t < run.History.Slots.Count; t++)
        {
            var c = lines[t + 1].Split(',');
            var h = run.History.Slots[t];
            Assert.Equal(h.Start, DateTimeOffset.Parse(c[0], CultureInfo.InvariantCulture));
            var v = c.Skip(1).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var (imp, exp, ch, dis, pvUsed, socAfter, heat, slotBill) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
            Assert.Equal(pvUsed + imp + dis, h.LoadKwh + ch + exp + heat, 6);
            Assert.Equal(soc + b.ChargeEfficiency * ch - dis / b.DischargeEfficiency, socAfter, 6);
            Assert.InRange(socAfter, b.MinSocKwh - 1e-6, b.MaxSocKwh + 1e-6);
            Assert.InRange(ch, 0, b.MaxChargeKw / 2 + 1e-6);
            Assert.InRange(dis, 0, b.MaxDischargeKw / 2 + 1e-6);
            Assert.InRange(exp, 0, run.Site.Grid.MaxExportKw / 2 + 1e-6);
            Assert.InRange(heat, 0, 1.5 + 1e-6);
            Assert.False(ch > 1e-6 && dis > 1e-6, $"slot {t} charges and discharges");
            Assert.False(imp > 1e-6 && exp > 1e-6, $"slot {t} imports and exports");
            Assert.True(Math.Abs(imp * h.ImportPence - exp * h.ExportPence - slotBill) < 1e-4, $"slot {t}: bill {slotBill} does not match its flows");
            bill += slotBill;
            soc = socAfter;
            var local = TimeZoneInfo.ConvertTime(h.Start, s_london);
            if (local.Hour < 18)
            {
                var day = DateOnly.FromDateTime(local.DateTime);
                heatByDay[day] = heatByDay.GetValueOrDefault(day) + heat;
            }
        }

        Assert.Equal(run.Result.Strategies[StrategyNames.Optimiser].TotalBillPence, bill, 3);
        Assert.All(heatByDay.Values, kwh => Assert.InRange(kwh, 3 - 1e-6, 6 + 1e-6));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the live default: on to 23:00 tomorrow before publication, every such price marked estimated
    public void The_optimiser_never_plans_on_a_price_before_it_is_published(bool estimatePrices)
    {
        var spy = new RecordingOptimiser(new OrToolsScheduleOptimiser());
        var history = new BacktestHistory([.. run.History.Slots.Take(96)]);
        new BacktestEngine(spy, new BacktestOptions { Threads = 1, EstimatePrices = estimatePrices }, perfectOptimiser: new OrToolsScheduleOptimiser()).Run(history, run.Site);
        Assert.Equal(96, spy.Problems.Count);
        foreach (var p in spy.Problems)
        {
            // Independent statement of the rule: before 16:00 UK, nothing at or after 23:00 UK today is published.
            var local = TimeZoneInfo.ConvertTime(p.Start, s_london);
            var lastDay = DateOnly.FromDateTime(local.DateTime).AddDays(local.Hour >= 16 ? 1 : 0);
            var limit = TimeZoneInfo.ConvertTimeToUtc(lastDay.ToDateTime(new TimeOnly(23, 0)), s_london);
            var published = p.Slots.Where((_, k) => p.Start.AddMinutes(30 * (k + 1)) <= limit).Count();
            Assert.All(p.Slots.Take(published), s => Assert.False(s.PricesEstimated));
            Assert.All(p.Slots.Skip(published), s => Assert.True(s.PricesEstimated, $"decision at {local:yyyy-MM-dd HH:mm} UK planned on a price after {limit:u} as if published"));
            var end = p.Start.AddMinutes(30 * p.Slots.Count);
            if (!estimatePrices)
            {
                Assert.True(end <= limit, $"decision at {local:yyyy-MM-dd HH:mm} UK planned until {end:u}, prices known only until {limit:u}");
                Assert.True(local.Hour < 16 ? end.UtcDateTime <= limit : end.UtcDateTime > limit.AddDays(-1));
            }
        }

        Assert.Equal(estimatePrices, spy.Problems.Any(p => p.Slots.Any(s => s.PricesEstimated)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // estimated prices and the learned terminal value too see only what is published
    public void Decisions_do_not_change_when_the_unknowable_future_changes(bool horizonPolicies)
    {
        const int cut = 150; // a decision at 03:00 UK on day 4
        var original = new BacktestHistory([.. run.History.Slots.Take(240)]);
        var knownUntil = AgilePublication.KnownUntil(original.Slots[cut].Start, s_london);
        // Same past; the load from the cut on and every price not yet published are different.
        var altered = new BacktestHistory([.. original.Slots.Select((s, i) => i < cut ? s : s with
        {
            LoadKwh = s.LoadKwh * 3 + 0.2,
            ImportPence = s.Start >= knownUntil ? s.ImportPence + 40 : s.ImportPence,
            ExportPence = s.Start >= knownUntil ? s.ExportPence + 40 : s.ExportPence,
        })]);
        var options = new BacktestOptions
        {
            Threads = 1, EstimatePrices = horizonPolicies, Terminal = horizonPolicies ? TerminalValueRule.Learned : new TerminalValueRule(TerminalMode.LateCheapest),
        };
        var a = new BacktestEngine(new OrToolsScheduleOptimiser(), options).Run(original, run.Site);
        var b = new BacktestEngine(new OrToolsScheduleOptimiser(), options).Run(altered, run.Site);
        for (var t = 0; t <= cut; t++)
        {
            Assert.Equal(a.Decisions[t].Command, b.Decisions[t].Command);
            Assert.Equal(a.Decisions[t].ForecastLoadKwh, b.Decisions[t].ForecastLoadKwh);
            Assert.Equal(a.Decisions[t].TerminalValuePencePerKwh, b.Decisions[t].TerminalValuePencePerKwh);
            Assert.Equal(a.Decisions[t].EstimatedSlots, b.Decisions[t].EstimatedSlots);
        }

        Assert.Equal(horizonPolicies, a.Decisions.Take(cut).Any(d => d.EstimatedSlots > 0));

        // …and the test is sensitive: a day later the forecast of the same slot sees the changed load.
        Assert.NotEqual(a.Decisions[cut + 48].ForecastLoadKwh, b.Decisions[cut + 48].ForecastLoadKwh);
    }

    private sealed class RecordingOptimiser(IScheduleOptimiser inner) : IScheduleOptimiser
    {
        private readonly ConcurrentQueue<PlanProblem> _problems = new();

        public ConcurrentQueue<PlanProblem> Problems => _problems;

        public Plan Solve(PlanProblem problem, CancellationToken cancellationToken = default)
        {
            _problems.Enqueue(problem);
            return inner.Solve(problem, cancellationToken);
        }
    }
}

public class AttributionTests(EightDayRun run) : IClassFixture<EightDayRun>
{
    [Fact]
    public void The_gap_to_perfect_foresight_splits_by_cause_and_sums_to_it()
    {
        var result = new BacktestEngine(new OrToolsScheduleOptimiser(), new BacktestOptions { Attribution = true }).Run(run.History, run.Site);
        var a = result.Attribution!;
        var gap = result.Strategies[StrategyNames.Optimiser].TotalBillPence - result.Strategies[StrategyNames.Perfect].TotalBillPence;

        Assert.Equal(gap, a.TotalPence, 1.0); // docs/contracts.md section 6: within 1p
        Assert.True(gap > 0, $"the optimiser beat perfect foresight by {-gap}p");
        // The default run is the first of the sequence, untouched by the attribution's replays.
        Assert.Equal(run.Result.Strategies[StrategyNames.Optimiser].BillPence, result.Strategies[StrategyNames.Optimiser].BillPence);
        // Each share is a real replay's difference: the load forecast's is the bill change of knowing the load.
        var knowingLoad = new BacktestEngine(new OrToolsScheduleOptimiser(), new BacktestOptions { Oracle = ForecastOracle.Load }).Run(run.History, run.Site);
        Assert.Equal(gap - (knowingLoad.Strategies[StrategyNames.Optimiser].TotalBillPence - result.Strategies[StrategyNames.Perfect].TotalBillPence), a.LoadForecastPence, 6);
        Assert.NotEqual(0, a.LoadForecastPence);
        Assert.Equal(0, a.PvForecastPence, 6); // the fixture has no solar: nothing to forecast
        Assert.Contains("\"attribution\"", BacktestReport.ToJson(result, 1));
        Assert.DoesNotContain("\"attribution\"", BacktestReport.ToJson(run.Result, 1));
    }
}

public class OptimiserReplayTests(EightDayRun run) : IClassFixture<EightDayRun>
{
    [Theory]
    [InlineData(48, 0)] // guessed replays warm up a day early: most meet the true replay before their segment starts
    [InlineData(0, 0)] // no warm-up: every segment after the first needs its catch-up replay
    [InlineData(48, 3)] // plans that allow for 3 scenarios (from day 6 on, once 5 days of forecast errors exist)
    public void Replaying_in_parallel_segments_gives_the_same_slots_as_one_replay(int warmUpSlots, int scenarios)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(run.Site.TimeZone);
        var options = new BacktestOptions { Terminal = TerminalValueRule.Learned, EstimatePrices = true, Scenarios = new ScenarioOptions { Count = scenarios } };
        OptimiserReplayResult Replay(int workers, int segmentSlots) =>
            new OptimiserReplay(new OrToolsScheduleOptimiser(), options, run.History, run.Site, zone)
                .Run(workers, progress: null, CancellationToken.None, segmentSlots, warmUpSlots);

        var whole = Replay(workers: 1, OptimiserReplay.SegmentSlots);
        var cut = Replay(workers: 3, segmentSlots: 36); // 8 days in 10 segments of 19–20 slots

        Assert.Equal(1, whole.Segments);
        Assert.Equal(10, cut.Segments);
        if (warmUpSlots == 0)
        {
            Assert.True(cut.CatchUpSlots > 0, "the segments started from a guess, yet none needed catching up");
        }

        // The site has an immersion heater, so its open windows are part of the state handed on, as are the battery and
        // the debouncer's command.
        Assert.NotEmpty(run.Site.Immersions);
        Assert.Equal(whole.Run.Flows, cut.Run.Flows);
        Assert.Equal(whole.Run.BillPence, cut.Run.BillPence);
        Assert.Equal(whole.Decisions.Select(d => d with { SolveMilliseconds = 0 }), cut.Decisions.Select(d => d with { SolveMilliseconds = 0 }));
        Assert.Equal(whole.Run.EndSocKwh, cut.Run.EndSocKwh);
        Assert.Equal((whole.Fallbacks, whole.Shortfalls), (cut.Fallbacks, cut.Shortfalls));
        Assert.Equal(whole.Errors!.ImportMaeByHour, cut.Errors!.ImportMaeByHour, (a, b) => double.IsNaN(a) ? double.IsNaN(b) : Math.Abs(a - b) < 1e-9);
        Assert.Equal(whole.Errors.Count, cut.Errors.Count);
        if (scenarios > 0)
        {
            // …and the scenarios were planned on: the same replay on the point forecast alone differs.
            var point = new OptimiserReplay(new OrToolsScheduleOptimiser(), options with { Scenarios = new ScenarioOptions() }, run.History, run.Site, zone)
                .Run(1, progress: null, CancellationToken.None);
            Assert.NotEqual(point.Run.Flows, whole.Run.Flows);
            Assert.Equal(point.Run.Flows.Take(6 * 48), whole.Run.Flows.Take(6 * 48)); // no scenarios before 5 whole days of errors
        }
    }

    [Fact]
    public void With_the_learned_load_forecaster_parallel_segments_give_the_same_slots_as_one_replay()
    {
        // Retrained daily from day 3 so that the 8 days see several models; each replay has its own forecaster, so
        // nothing cached by one helps the other.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(run.Site.TimeZone);
        var modelOptions = new LoadModelOptions { RetrainDays = 1, MinimumHistoryDays = 3, ValidationDays = 2, TrainingDays = 3, TrainingStrideSlots = 2 };
        LearnedLoadForecaster Learned() => new(new MeanLabelLoadModelTrainer(), run.History.Slots[0].Start, zone, modelOptions);
        (OptimiserReplayResult, LearnedLoadForecaster) Replay(int workers, int segmentSlots)
        {
            var forecaster = Learned();
            var options = new BacktestOptions { Terminal = TerminalValueRule.Learned, EstimatePrices = true, LoadForecaster = forecaster };
            return (new OptimiserReplay(new OrToolsScheduleOptimiser(), options, run.History, run.Site, zone)
                .Run(workers, progress: null, CancellationToken.None, segmentSlots, warmUpSlots: 0), forecaster);
        }

        var (whole, wholeForecaster) = Replay(workers: 1, OptimiserReplay.SegmentSlots);
        var (cut, _) = Replay(workers: 3, segmentSlots: 36);
        Assert.NotEmpty(wholeForecaster.TrainingMilliseconds);
        Assert.Contains(wholeForecaster.Choices, c => c.Choice.Model is not null);
        Assert.Equal(whole.Run.Flows, cut.Run.Flows);
        Assert.Equal(whole.Run.BillPence, cut.Run.BillPence);
        Assert.Equal(whole.Decisions.Select(d => d with { SolveMilliseconds = 0 }), cut.Decisions.Select(d => d with { SolveMilliseconds = 0 }));
    }

    [Fact]
    public void With_the_scheduled_load_apart_parallel_segments_give_the_same_slots_as_one_replay()
    {
        // 24 days of the solar fixture with a 7 kW car from 00:30 to 02:30 UK on Monday to Thursday mornings: learned
        // from day 14, so the replay crosses several learnings; each replay has its own forecaster (no shared cache).
        using var reader = new StreamReader(Testing.BacktestFixtures.SolarHistory);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(run.Site.TimeZone);
        var history = new BacktestHistory([.. HistoryCsv.Read(reader, "fixture").Slots.Take(24 * 48).Select(s =>
        {
            var local = TimeZoneInfo.ConvertTime(s.Start, zone);
            var car = local.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday && local.TimeOfDay.TotalMinutes is >= 30 and < 150;
            return car ? s with { LoadKwh = s.LoadKwh + 3.5 } : s;
        })]);
        var site = run.Site with { Immersions = [] };
        ScheduledLoadForecaster Forecaster() => new(new BlendedLoadForecaster(), new SlotCalendar(history.Slots[0].Start, zone));
        OptimiserReplayResult Replay(int workers, int segmentSlots, ScheduledLoadForecaster forecaster) =>
            new OptimiserReplay(new OrToolsScheduleOptimiser(), new BacktestOptions { LoadForecaster = forecaster }, history, site, zone)
                .Run(workers, progress: null, CancellationToken.None, segmentSlots, warmUpSlots: 0);

        var wholeForecaster = Forecaster();
        var whole = Replay(workers: 1, OptimiserReplay.SegmentSlots, wholeForecaster);
        var cut = Replay(workers: 3, segmentSlots: 100, Forecaster());

        var learned = wholeForecaster.Split(history.Slots.Select(s => s.LoadKwh).ToArray(), history.Slots.Select(s => s.LoadKwh).ToArray()).Learned;
        Assert.True(learned.Found, learned.Reason);
        Assert.Equal(whole.Run.Flows, cut.Run.Flows);
        Assert.Equal(whole.Run.BillPence, cut.Run.BillPence);
        Assert.Equal(whole.Decisions.Select(d => d with { SolveMilliseconds = 0 }), cut.Decisions.Select(d => d with { SolveMilliseconds = 0 }));
    }
}
