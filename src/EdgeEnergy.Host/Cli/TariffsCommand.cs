using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Backtest;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Optimiser;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy tariffs compare --history FILE.csv --site SITE.json --import P1,P2 --export E1,E2 [--prices DIR]</c>
/// (docs/contracts.md section 7): a full backtest per import/export pair on the household's own load and solar, each
/// tariff's rates read through the Octopus client (live, or from Octopus-shaped files in DIR) and expanded to
/// half-hour slots, standing charges included. JSON on stdout, progress on stderr.
/// </summary>
internal static class TariffsCommand
{
    public static Command Create()
    {
        var tariffs = new Command("tariffs", "Compares Octopus tariffs on your own history.");
        tariffs.Subcommands.Add(CreateCompare());
        return tariffs;
    }

    private static Command CreateCompare()
    {
        var history = new Option<string>("--history") { Description = "History CSV (docs/contracts.md section 3); its load and PV are replayed, its price columns replaced by each pair's.", Required = true };
        var site = new Option<string>("--site") { Description = "SITE.json: battery (socKwh = start state), grid, immersions, timezone.", Required = true };
        var imports = new Option<string>("--import") { Description = "Import product codes, comma-separated (e.g. AGILE-24-10-01,GO-VAR-22-10-14).", Required = true };
        var exports = new Option<string>("--export") { Description = "Export product codes, comma-separated (e.g. AGILE-OUTGOING-19-05-13,OUTGOING-FIX-12M-19-05-13).", Required = true };
        var prices = new Option<string?>("--prices") { Description = "Read Octopus-API-shaped JSON from this directory instead of the network: DIR/{PRODUCT}/product.json and DIR/{PRODUCT}/{TARIFF}/{standard-unit-rates|standing-charges|…}.json (tools/build_octopus_prices.py writes one)." };
        var region = new Option<string>("--region") { Description = "GSP region letter (A–P without I and O) whose tariffs are compared.", DefaultValueFactory = _ => "C" };
        var baseUrl = new Option<string>("--base-url") { Description = "Octopus API root when --prices is absent.", DefaultValueFactory = _ => new OctopusOptions().BaseUrl };
        var threads = new Option<int>("--threads") { Description = "Threads the comparison may use: that many pairs side by side (one at a time on all threads when there are fewer pairs); results do not depend on it.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var quiet = new Option<bool>("--quiet") { Description = "No progress on stderr." };
        var save = new Option<bool>("--save") { Description = "Also keep the result in the service's store (Storage:Path of --config) for the dashboard's compare page." };
        var config = RunCommand.ConfigOption();
        var command = new Command("compare", "Runs a full optimiser backtest of your history on each import × export pair and prints { \"pairs\": [ { \"import\", \"export\", \"billPence\", \"standingPence\", \"savingsVsNoBatteryPence\" } ] }.");
        foreach (var o in new Option[] { history, site, imports, exports, prices, region, baseUrl, threads, quiet, save, config })
        {
            command.Options.Add(o);
        }

        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(history)!, parse.GetValue(site)!, parse.GetValue(imports)!, parse.GetValue(exports)!, parse.GetValue(prices),
            parse.GetValue(region)!, parse.GetValue(baseUrl)!, Math.Clamp(parse.GetValue(threads), 1, 256), parse.GetValue(quiet), parse.GetValue(save) ? new SaveTo(parse.GetValue(config)) : null, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        string historyPath, string sitePath, string importList, string exportList, string? pricesDirectory, string region, string baseUrl, int threads, bool quiet,
        SaveTo? saveTo, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var source = new TariffRatesSource(pricesDirectory, region, baseUrl);
        var problems = source.Problems().ToList();
        var importCodes = Codes("--import", importList, problems);
        var exportCodes = Codes("--export", exportList, problems);

        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"edgeenergy tariffs compare: {string.Join("; ", problems)}");
            return ExitCodes.BadInput;
        }

        BacktestHistory history;
        BacktestSite site;
        var importPrices = new List<TariffPrices>();
        var exportPrices = new List<TariffPrices>();
        try
        {
            site = SiteJson.Parse(File.ReadAllText(sitePath), sitePath);
            using (var reader = new StreamReader(historyPath))
            {
                history = HistoryCsv.Read(reader, historyPath);
            }

            var range = new TimeRange(history.Slots[0].Start, history.Slots[^1].Start.AddMinutes(BacktestHistory.SlotMinutes));
            using var tariffs = source.Open();
            foreach (var (codes, option, into) in new[] { (importCodes, "--import", importPrices), (exportCodes, "--export", exportPrices) })
            {
                foreach (var code in codes)
                {
                    var (prices, rates) = await tariffs.FetchAsync(code, range, option, region: null, cancellationToken);
                    into.Add(prices);
                    if (!quiet)
                    {
                        Console.Error.WriteLine($"  {code}: {rates.Slots.Count} half-hour rates from {rates.Pages} page(s), {rates.Rejected.Count} rejected, standing {prices.StandingPence / 100:0.00} £");
                    }
                }
            }
        }
        catch (Exception e) when (e is BacktestInputException or TariffNotFoundException or IOException or UnauthorizedAccessException)
        {
            // Bad input (a file, a product code or region, an unpriced slot): exit 2 with the reason.
            Console.Error.WriteLine($"edgeenergy tariffs compare: {(e is IOException or UnauthorizedAccessException ? "cannot read input: " : string.Empty)}{e.Message}");
            return ExitCodes.BadInput;
        }
        catch (PriceSourceException e)
        {
            Console.Error.WriteLine($"edgeenergy tariffs compare: {e.Message}");
            return ExitCodes.Failure;
        }

        // Pairs side by side, one thread each, while there are at least as many pairs as threads (a pair's own segmented
        // replay keeps about 1.15 of 2 cores busy; docs/reports/2026-12-03-tariffs-compare.md); otherwise one pair at a
        // time on all the threads. Results do not depend on either.
        var pairCount = importPrices.Count * exportPrices.Count;
        var pairWorkers = pairCount >= threads ? threads : 1;
        var replayThreads = pairWorkers > 1 ? 1 : threads;
        Func<int, BacktestEngine> engine = _ => new BacktestEngine(
            // The pairwise hulls: on window tariffs against a flat export, faster and no worse in a 10-node replay (OptimiserOptions.WholeSlotHulls).
            new OrToolsScheduleOptimiser(new OptimiserOptions { MipSolver = OptimiserOptions.NoMipBackend, BranchAndBoundNodes = OptimiserOptions.ReplayBranchAndBoundNodes, WholeSlotHulls = false }),
            // Only the none and optimiser bills are compared: no rules or perfect-foresight strategy.
            new BacktestOptions { Threads = replayThreads, Bounds = false });
        IReadOnlyList<TariffPairResult> pairs;
        try
        {
            pairs = TariffComparison.Run(engine, pairWorkers, history, site, importPrices, exportPrices,
                quiet ? null : p => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {p.Import} × {p.Export}: bill £{p.BillPence / 100:0.00} (standing £{p.StandingPence / 100:0.00}), saving vs no battery £{p.SavingsVsNoBatteryPence / 100:0.00}; {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s so far")),
                cancellationToken);
        }
        catch (BacktestInputException e)
        {
            Console.Error.WriteLine($"edgeenergy tariffs compare: {e.Message}");
            return ExitCodes.BadInput;
        }

        await Console.Out.WriteAsync(TariffComparison.ToJson(pairs));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (!quiet)
        {
            Console.Error.WriteLine($"  {pairs.Count} pairs, {history.Slots.Count} slots each, {seconds:0.0} s");
        }

        if (saveTo is null)
        {
            return ExitCodes.Success;
        }

        var stored = new StoredTariffComparison(
            TimeProvider.System.GetUtcNow(), history.Slots[0].Start, history.Slots[^1].Start.AddMinutes(BacktestHistory.SlotMinutes), history.Slots.Count,
            source.RegionLetter, Path.GetFileName(historyPath), Math.Round(seconds, 1), pairs);
        return await CliServices.RunAsync("tariffs compare", saveTo.ConfigFile, (services, configuration) => services.AddHistory(configuration), async provider =>
        {
            await stored.SaveAsync(provider.GetRequiredService<ISettingsStore>(), cancellationToken);
            if (!quiet)
            {
                Console.Error.WriteLine($"  kept in the store as '{StoredTariffComparison.Key}' for the dashboard's compare page");
            }

            return ExitCodes.Success;
        });
    }

    /// <summary><c>--save</c>: the store of this configuration file (null: the default configuration).</summary>
    private sealed record SaveTo(string? ConfigFile);

    private static List<string> Codes(string option, string list, List<string> problems)
    {
        var codes = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (codes.Count == 0)
        {
            problems.Add($"{option} names no product");
        }

        foreach (var code in codes.Where(c => !OctopusOptions.ProductPattern().IsMatch(c)))
        {
            problems.Add($"{option} '{code}' is not a product code like AGILE-24-10-01");
        }

        return codes;
    }
}
