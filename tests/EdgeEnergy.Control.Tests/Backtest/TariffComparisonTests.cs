using EdgeEnergy.Backtest;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Control.Tests.Backtest;

public class TariffComparisonTests(EightDayRun run) : IClassFixture<EightDayRun>
{
    private static TariffPrices Prices(string product, BacktestHistory history, Func<HistorySlot, double> pence, double standing = 0) =>
        new(product, [.. history.Slots.Select(s => new Rate(s.Start, s.Start.AddMinutes(30), pence(s)))], standing);

    [Fact]
    public void A_pair_on_the_historys_own_prices_matches_the_full_backtest_plus_its_standing_charges()
    {
        var import = Prices("AGILE", run.History, s => s.ImportPence, standing: 8 * 46.0);
        var export = Prices("AGILE-OUTGOING", run.History, s => s.ExportPence);
        var engine = new BacktestEngine(new OrToolsScheduleOptimiser(), new BacktestOptions { Bounds = false });
        var pair = Assert.Single(TariffComparison.Run(engine, run.History, run.Site, [import], [export]));
        var optimiser = run.Result.Strategies[StrategyNames.Optimiser].TotalBillPence;
        var none = run.Result.Strategies[StrategyNames.None].TotalBillPence;
        Assert.Equal(optimiser + (8 * 46.0), pair.BillPence, 6);
        Assert.Equal(8 * 46.0, pair.StandingPence);
        Assert.Equal(none - optimiser, pair.SavingsVsNoBatteryPence, 6);
    }

    [Fact]
    public void Pairs_side_by_side_give_exactly_the_results_of_one_at_a_time_in_the_same_order()
    {
        // Two days: four pairs whose plans differ (a spread that pays cycling, a flat import, two exports).
        var history = new BacktestHistory([.. run.History.Slots.Take(96)]);
        TariffPrices[] imports = [Prices("AGILE", history, s => s.ImportPence, standing: 2 * 46.0), Prices("FLAT", history, _ => 30, standing: 2 * 40.0)];
        TariffPrices[] exports = [Prices("AGILE-OUTGOING", history, s => s.ExportPence), Prices("FIXED-EXPORT", history, _ => 15)];
        BacktestEngine Engine() => new(new OrToolsScheduleOptimiser(), new BacktestOptions { Bounds = false, Threads = 1 });

        var alone = TariffComparison.Run(Engine(), history, run.Site, imports, exports);
        var heard = new System.Collections.Concurrent.ConcurrentBag<TariffPairResult>();
        var sideBySide = TariffComparison.Run(_ => Engine(), 2, history, run.Site, imports, exports, heard.Add);

        Assert.Equal(["AGILE×AGILE-OUTGOING", "AGILE×FIXED-EXPORT", "FLAT×AGILE-OUTGOING", "FLAT×FIXED-EXPORT"], sideBySide.Select(p => $"{p.Import}×{p.Export}"));
        Assert.Equal(alone, sideBySide); // every figure to the last bit
        Assert.Equal(4, heard.Count);
        Assert.NotEqual(alone[0].SavingsVsNoBatteryPence, alone[2].SavingsVsNoBatteryPence);
    }

    [Fact]
    public void Without_bounds_only_the_none_and_optimiser_strategies_run()
    {
        var history = new BacktestHistory([.. run.History.Slots.Take(96)]);
        var result = new BacktestEngine(new OrToolsScheduleOptimiser(), new BacktestOptions { Bounds = false, Threads = 1 }).Run(history, run.Site);
        Assert.Equal([StrategyNames.None, StrategyNames.Optimiser], result.Strategies.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_pairs_prices_replace_the_historys_and_nothing_else_changes()
    {
        var replaced = TariffComparison.WithPrices(run.History, Prices("FLAT", run.History, _ => 30), Prices("FIXED-EXPORT", run.History, _ => 15));
        Assert.All(replaced.Slots, s => Assert.Equal((30.0, 15.0), (s.ImportPence, s.ExportPence)));
        Assert.Equal(run.History.Slots.Select(s => (s.Start, s.LoadKwh, s.PvKwh)), replaced.Slots.Select(s => (s.Start, s.LoadKwh, s.PvKwh)));
    }

    [Fact]
    public void A_slot_the_tariff_does_not_price_is_an_error_naming_the_product_and_slot_not_zero()
    {
        var holey = Prices("HOLEY", run.History, _ => 30);
        holey = holey with { Slots = [.. holey.Slots.Where(r => r.StartUtc != run.History.Slots[5].Start)] };
        var e = Assert.Throws<BacktestInputException>(() => TariffComparison.WithPrices(run.History, holey, Prices("X", run.History, _ => 1)));
        Assert.Contains($"HOLEY: no published rate for the slot {run.History.Slots[5].Start.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z", e.Message);
    }

    [Fact]
    public void The_json_is_the_contracts_shape()
    {
        var json = TariffComparison.ToJson([new TariffPairResult("GO", "AGILE-OUTGOING", 1234.567, 92, 345.678)]);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var pair = Assert.Single(document.RootElement.GetProperty("pairs").EnumerateArray());
        Assert.Equal(["import", "export", "billPence", "standingPence", "savingsVsNoBatteryPence"], pair.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1234.57, pair.GetProperty("billPence").GetDouble());
    }
}
