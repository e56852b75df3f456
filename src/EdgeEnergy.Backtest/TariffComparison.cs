using System.Globalization;
using System.Text.Json;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Backtest;

/// <summary>One tariff's prices over a comparison's period: one rate per half-hour slot and the standing charges it adds (pence).</summary>
public sealed record TariffPrices(string Product, IReadOnlyList<Rate> Slots, double StandingPence);

/// <summary>One import/export pair's year (docs/contracts.md section 7), pence.</summary>
/// <param name="Import">the import product code</param>
/// <param name="Export">the export product code</param>
/// <param name="BillPence">the optimiser strategy's energy bill plus both tariffs' standing charges</param>
/// <param name="StandingPence">the standing charges within <paramref name="BillPence"/></param>
/// <param name="SavingsVsNoBatteryPence">the no-battery energy bill less the optimiser's, on the same pair (standing charges cancel)</param>
public sealed record TariffPairResult(string Import, string Export, double BillPence, double StandingPence, double SavingsVsNoBatteryPence);

/// <summary>
/// <c>edgeenergy tariffs compare</c>: the household's own history replayed by the full backtest once per import/export
/// pair, the history's price columns replaced by the pair's expanded rates; nothing else differs between pairs.
/// </summary>
public static class TariffComparison
{
    /// <summary>
    /// The history with its import and export prices replaced by <paramref name="import"/>'s and <paramref name="export"/>'s.
    /// A slot either tariff does not price is a <see cref="BacktestInputException"/> naming the product and slot: never 0 p.
    /// </summary>
    public static BacktestHistory WithPrices(BacktestHistory history, TariffPrices import, TariffPrices export)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(export);
        var importSeries = new RateSeries(import.Slots);
        var exportSeries = new RateSeries(export.Slots);
        var slots = new HistorySlot[history.Slots.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = history.Slots[i];
            slots[i] = slot with { ImportPence = PriceAt(importSeries, import.Product, slot.Start), ExportPence = PriceAt(exportSeries, export.Product, slot.Start) };
        }

        // A replan may know what each tariff has published by then: Agile's 16:00 rule, Tracker's 11:00, Go's ahead.
        return new BacktestHistory(slots) { ImportTariff = TariffKnowledge.ForProduct(import.Product), ExportTariff = TariffKnowledge.ForProduct(export.Product) };
    }

    /// <summary>Runs <paramref name="engine"/> on every pair, imports outer, in the order given; <paramref name="finished"/> hears each pair's result as it comes.</summary>
    public static IReadOnlyList<TariffPairResult> Run(
        BacktestEngine engine, BacktestHistory history, BacktestSite site, IReadOnlyList<TariffPrices> imports, IReadOnlyList<TariffPrices> exports,
        Action<TariffPairResult>? finished = null, CancellationToken cancellationToken = default) =>
        Run(_ => engine, 1, history, site, imports, exports, finished, cancellationToken);

    /// <summary>
    /// As the overload, <paramref name="pairWorkers"/> pairs at a time, each replayed by the engine
    /// <paramref name="engineFor"/> gives its worker. Each pair's replay is deterministic and independent of the others,
    /// so the results are the same as one at a time (and in the same order); <paramref name="finished"/> hears each as
    /// it ends, from the worker's thread. A profile of the year × 8 pairs showed one pair's replay using about 1.15 of
    /// two cores (docs/reports/2026-12-03-tariffs-compare.md): pairs side by side fill both.
    /// </summary>
    public static IReadOnlyList<TariffPairResult> Run(
        Func<int, BacktestEngine> engineFor, int pairWorkers, BacktestHistory history, BacktestSite site, IReadOnlyList<TariffPrices> imports,
        IReadOnlyList<TariffPrices> exports, Action<TariffPairResult>? finished = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engineFor);
        ArgumentNullException.ThrowIfNull(imports);
        ArgumentNullException.ThrowIfNull(exports);
        var pairs = imports.SelectMany(i => exports.Select(e => (Import: i, Export: e))).ToArray();
        var results = new TariffPairResult[pairs.Length];
        var next = -1;
        void Work(int worker)
        {
            var engine = engineFor(worker);
            for (var k = Interlocked.Increment(ref next); k < pairs.Length; k = Interlocked.Increment(ref next))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (import, export) = pairs[k];
                var run = engine.Run(WithPrices(history, import, export), site, null, cancellationToken);
                var optimiser = run.Strategies[StrategyNames.Optimiser].TotalBillPence;
                var none = run.Strategies[StrategyNames.None].TotalBillPence;
                var standing = import.StandingPence + export.StandingPence;
                results[k] = new TariffPairResult(import.Product, export.Product, optimiser + standing, standing, none - optimiser);
                finished?.Invoke(results[k]);
            }
        }

        var workers = Math.Clamp(pairWorkers, 1, Math.Max(1, pairs.Length));
        if (workers == 1)
        {
            Work(0);
        }
        else
        {
            try
            {
                Task.WaitAll([.. Enumerable.Range(0, workers).Select(w => Task.Run(() => Work(w), cancellationToken))], cancellationToken);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // A pair's bad input (an unpriced slot) is the caller's to report, as when run one at a time.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
        }

        return results;
    }

    /// <summary>The contract's JSON: <c>{ "pairs": [ { "import", "export", "billPence", "standingPence", "savingsVsNoBatteryPence" } ] }</c>.</summary>
    public static string ToJson(IReadOnlyList<TariffPairResult> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("pairs");
            foreach (var pair in pairs)
            {
                json.WriteStartObject();
                json.WriteString("import", pair.Import);
                json.WriteString("export", pair.Export);
                json.WriteNumber("billPence", Math.Round(pair.BillPence, 2));
                json.WriteNumber("standingPence", Math.Round(pair.StandingPence, 2));
                json.WriteNumber("savingsVsNoBatteryPence", Math.Round(pair.SavingsVsNoBatteryPence, 2));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static double PriceAt(RateSeries series, string product, DateTimeOffset slot) =>
        series.TryGetAt(slot, out var rate)
            ? rate.Pence
            : throw new BacktestInputException($"{product}: no published rate for the slot {slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}; the comparison needs every slot of the history priced");
}
