using System.Globalization;
using System.Text.Json.Nodes;
using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Control.Tests.Backtest;

public class EvHistoryCsvTests
{
    private const string Header = "slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh,ev_plugged,ev_need_kwh,ev_deadline_utc";

    private static BacktestInputException Fails(string rows) =>
        Assert.Throws<BacktestInputException>(() => HistoryCsv.Read(new StringReader($"{Header}\n{rows}"), "h.csv"));

    [Fact]
    public void Reads_a_session_and_the_unplugged_slots_around_it()
    {
        var h = HistoryCsv.Read(new StringReader(
            $"{Header}\n2022-05-01T17:00:00Z,20,5,0.3,0,0,,\n2022-05-01T17:30:00Z,20,5,0.3,0,1,9.5,2022-05-02T06:30:00Z\n" +
            "2022-05-01T18:00:00Z,20,5,0.3,0,1,9.5,2022-05-02T06:30:00Z\n"), "h.csv");
        Assert.True(h.HasEv);
        Assert.False(h.Slots[0].Ev!.Plugged);
        Assert.Equal(new HistoryEv(true, 9.5, new DateTimeOffset(2022, 5, 2, 6, 30, 0, TimeSpan.Zero)), h.Slots[2].Ev);
        Assert.False(HistoryCsv.Read(new StringReader("slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh\n2022-05-01T00:00:00Z,20,5,0.3,0\n"), "h.csv").HasEv);
    }

    [Fact]
    public void Bad_ev_values_name_the_line_and_the_column()
    {
        const string plugged = "2022-05-01T17:30:00Z,20,5,0.3,0,1,9.5,2022-05-02T06:30:00Z\n";
        Assert.Equal("h.csv:2: field ev_plugged: 'yes' is not 0 or 1", Fails("2022-05-01T17:30:00Z,20,5,0.3,0,yes,9.5,2022-05-02T06:30:00Z\n").Message);
        Assert.Equal("h.csv:2: field ev_need_kwh: -1 is negative (energy in a slot is ≥ 0)", Fails("2022-05-01T17:30:00Z,20,5,0.3,0,1,-1,2022-05-02T06:30:00Z\n").Message);
        Assert.Equal("h.csv:2: field ev_deadline_utc: 'soon' is not an ISO-8601 time", Fails("2022-05-01T17:30:00Z,20,5,0.3,0,1,9.5,soon\n").Message);
        Assert.StartsWith("h.csv:2: field ev_deadline_utc: 2022-05-01T17:45:00Z is less than a half hour after", Fails("2022-05-01T17:30:00Z,20,5,0.3,0,1,9.5,2022-05-01T17:45:00Z\n").Message);
        Assert.StartsWith("h.csv:3: field ev_need_kwh: 9 differs from the session's 9.5", Fails(plugged + "2022-05-01T18:00:00Z,20,5,0.3,0,1,9,2022-05-02T06:30:00Z\n").Message);
        Assert.StartsWith("h.csv:3: field ev_deadline_utc: 2022-05-02T07:00:00Z differs", Fails(plugged + "2022-05-01T18:00:00Z,20,5,0.3,0,1,9.5,2022-05-02T07:00:00Z\n").Message);
        Assert.StartsWith("h.csv:3: field ev_plugged: 0 at 2022-05-01T18:00:00Z, before the session's deadline", Fails(plugged + "2022-05-01T18:00:00Z,20,5,0.3,0,0,,\n").Message);
        Assert.Equal("h.csv:2: field ev_need_kwh: set while ev_plugged is 0 (leave it empty)", Fails("2022-05-01T17:30:00Z,20,5,0.3,0,0,3,\n").Message);
        var partial = Assert.Throws<BacktestInputException>(() => HistoryCsv.Read(new StringReader("slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh,ev_plugged\n"), "h.csv"));
        Assert.Equal("h.csv:1: the EV columns go together: ev_plugged,ev_need_kwh,ev_deadline_utc (missing ev_need_kwh,ev_deadline_utc)", partial.Message);
    }

    [Fact]
    public void The_site_charger_is_checked_and_must_match_the_history()
    {
        var json = File.ReadAllText(Testing.BacktestFixtures.SiteWithEv);
        var site = SiteJson.Parse(json, "site.json");
        Assert.Equal(7.4, site.Ev!.MaxKw);
        Assert.Equal("site.json: field ev.maxKw: missing", Assert.Throws<BacktestInputException>(() => SiteJson.Parse(json.Replace("\"maxKw\": 7.4, ", "", StringComparison.Ordinal), "site.json")).Message);
        Assert.Contains("ev.minKw", Assert.Throws<BacktestInputException>(() => SiteJson.Parse(json.Replace("\"minKw\": 1.4", "\"minKw\": 8", StringComparison.Ordinal), "site.json")).Message, StringComparison.Ordinal);

        var engine = new BacktestEngine(new OrToolsScheduleOptimiser());
        var plain = HistoryCsv.Read(new StreamReader(Testing.BacktestFixtures.History), "h");
        Assert.Contains("has no EV columns", Assert.Throws<BacktestInputException>(() => engine.Run(plain, site)).Message, StringComparison.Ordinal);
        var ev = HistoryCsv.Read(new StreamReader(Testing.BacktestFixtures.EvHistory), "h");
        Assert.Contains("no \"ev\" charger", Assert.Throws<BacktestInputException>(() => engine.Run(ev, site with { Ev = null })).Message, StringComparison.Ordinal);
    }
}

/// <summary>4 real days with a synthetic commuting car.</summary>
public sealed class EvFourDayRun() : FixtureRun(Testing.BacktestFixtures.EvHistory, Testing.BacktestFixtures.SiteWithEv)
{

    /// <summary>The sessions as (first slot, slots before the deadline, need kWh).</summary>
    public IEnumerable<(int From, int To, double NeedKwh)> Sessions()
    {
        var slots = History.Slots;
        for (var t = 0; t < slots.Count; t++)
        {
            if (slots[t].Ev!.Plugged && (t == 0 || !slots[t - 1].Ev!.Plugged))
            {
                yield return (t, History.SlotAtOrAfter(slots[t].Ev!.DeadlineUtc), slots[t].Ev!.NeedKwh);
            }
        }
    }
}

public class EvBacktestTests(EvFourDayRun run) : IClassFixture<EvFourDayRun>
{
    private IReadOnlyDictionary<string, StrategyRun> Runs => run.Result.Strategies;

    [Fact]
    public void Every_strategy_meets_the_need_and_the_bills_are_ordered()
    {
        Assert.Equal(3, run.Sessions().Count());
        var need = run.Sessions().Sum(s => s.NeedKwh);
        foreach (var strategy in Runs.Values)
        {
            Assert.Equal(0, strategy.EvShortKwh, 6);
            Assert.Equal(need / run.Site.Ev!.Efficiency, strategy.EvKwh, 3);
        }

        Assert.True(Runs["perfect"].TotalBillPence <= Runs["optimiser"].TotalBillPence + 1e-6, "perfect > optimiser");
        Assert.True(Runs["optimiser"].TotalBillPence < Runs["none"].TotalBillPence, "optimiser ≥ none");
        Assert.Equal(0, run.Result.FallbackPlans);
    }

    [Fact]
    public void The_optimiser_charges_the_car_in_cheap_slots_and_none_at_full_power_from_plug_in()
    {
        var full = run.Site.Ev!.MaxKw * BacktestHistory.SlotHours;
        foreach (var (from, to, need) in run.Sessions())
        {
            var none = Runs["none"].Flows;
            // A dumb charger: full power from plug-in until the need is met, then nothing.
            var slots = (int)Math.Floor(need / run.Site.Ev.Efficiency / full);
            Assert.All(Enumerable.Range(from, slots), t => Assert.Equal(full, none[t].EvKwh, 9));
            Assert.All(Enumerable.Range(from + slots + 1, to - from - slots - 1), t => Assert.Equal(0, none[t].EvKwh));

            // The optimiser pays at most the mean price of the session's cheapest slots that could hold the energy, plus a little.
            var opt = Runs["optimiser"].Flows;
            var paid = Enumerable.Range(from, to - from).Sum(t => opt[t].EvKwh * run.History.Slots[t].ImportPence) / (need / run.Site.Ev.Efficiency);
            var cheapest = Enumerable.Range(from, to - from).Select(t => run.History.Slots[t].ImportPence).Order().Take(slots + 1).Average();
            var dumb = Enumerable.Range(from, to - from).Sum(t => none[t].EvKwh * run.History.Slots[t].ImportPence) / (need / run.Site.Ev.Efficiency);
            Assert.True(paid < dumb, $"session from slot {from}: optimiser {paid:0.00} p/kWh, dumb {dumb:0.00}");
            Assert.True(paid <= cheapest + 2, $"session from slot {from}: optimiser {paid:0.00} p/kWh, cheapest slots {cheapest:0.00}");
            Assert.All(Enumerable.Range(0, run.History.Slots.Count).Where(t => t < from || t >= to).Where(t => !run.History.Slots[t].Ev!.Plugged),
                t => Assert.Equal(0, opt[t].EvKwh));
        }

        Assert.True(Runs["optimiser"].EvCostPence(run.History) < Runs["none"].EvCostPence(run.History));
    }

    [Fact]
    public void The_energy_balance_holds_every_slot_and_the_trace_and_report_carry_the_car()
    {
        foreach (var strategy in Runs.Values)
        {
            for (var t = 0; t < run.History.Slots.Count; t++)
            {
                var f = strategy.Flows[t];
                Assert.True(Math.Abs(f.PvUsedKwh + f.ImportKwh + f.DischargeKwh - (f.LoadKwh + f.ChargeKwh + f.ExportKwh + f.ImmersionKwh + f.EvKwh)) < 1e-6,
                    $"{strategy.Name} slot {t} does not balance");
            }
        }

        var lines = run.Trace.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BacktestReport.TraceHeader + ",ev_kwh", lines[0]);
        Assert.Equal(Runs["optimiser"].EvKwh, lines.Skip(1).Sum(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)), 6);

        var report = JsonNode.Parse(BacktestReport.ToJson(run.Result, 1))!;
        foreach (var name in new[] { "none", "rules", "optimiser", "perfect" })
        {
            Assert.Equal(Math.Round(Runs[name].EvKwh, 4), report["strategies"]![name]!["evKwh"]!.GetValue<double>());
            Assert.Equal(0, report["strategies"]![name]!["evShortKwh"]!.GetValue<double>());
            Assert.True(report["strategies"]![name]!["evCostPence"]!.GetValue<double>() > 0);
        }
    }

    [Fact]
    public void With_a_car_parallel_segments_give_the_same_slots_as_one_replay()
    {
        // Segments of 20 slots cut through every session: the car's energy so far is part of the state handed on.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(run.Site.TimeZone);
        var options = new BacktestOptions { Terminal = TerminalValueRule.Learned, EstimatePrices = true };
        OptimiserReplayResult Replay(int workers, int segmentSlots, int warmUpSlots) =>
            new OptimiserReplay(new OrToolsScheduleOptimiser(), options, run.History, run.Site, zone)
                .Run(workers, progress: null, CancellationToken.None, segmentSlots, warmUpSlots);

        var whole = Replay(1, OptimiserReplay.SegmentSlots, OptimiserReplay.WarmUpSlots);
        var cut = Replay(3, 20, 0);
        Assert.True(cut.CatchUpSlots > 0, "the segments started from a guess, yet none needed catching up");
        Assert.Equal(whole.Run.Flows, cut.Run.Flows);
        Assert.Equal(whole.Run.EvShortKwh, cut.Run.EvShortKwh);
    }
}
