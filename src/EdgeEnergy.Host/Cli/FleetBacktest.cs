using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Backtest;
using EdgeEnergy.Backtest.Fleet;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>backtest --fleet MANIFEST.csv --shard I/N --out DIR</c> and <c>backtest merge --fleet MANIFEST.csv --out DIR</c>
/// (issue 21 §4): each shard backtests its homes one after another, each exactly as a one-home <c>backtest</c> with
/// the same options, into <c>DIR/&lt;home_id&gt;.report.json</c>; shards share nothing but the folder, so they run as
/// independent jobs anywhere (deploy/fleet/backtest-job.yaml). A home whose report is already there is skipped, so a
/// retried shard picks up where it stopped. A home with a <c>tariff</c> is replayed on that tariff's published rates
/// (read through <see cref="PublishedTariffs"/>) instead of its history's price columns.
/// </summary>
internal static class FleetBacktest
{
    /// <summary>
    /// Runs shard <paramref name="shardText"/> of the manifest into <paramref name="outDir"/>; <paramref name="history"/>,
    /// <paramref name="site"/> and <paramref name="perHomeFile"/> are the one-home options, refused here. Homes with a
    /// tariff read its rates through <paramref name="tariffs"/>. <paramref name="runHome"/> backtests one home (history,
    /// site, report path, and how to reprice its history, or null) and returns the exit code.
    /// </summary>
    public static int Run(
        string manifestPath, string shardText, string? outDir, string? history, string? site, string? perHomeFile, TariffRatesSource tariffs,
        Func<string, string, string, Func<BacktestHistory, BacktestHistory>?, int> runHome, CancellationToken cancellationToken)
    {
        if (outDir is null || history is not null || site is not null || perHomeFile is not null)
        {
            Console.Error.WriteLine(outDir is null
                ? "edgeenergy backtest: --fleet needs --out DIR, the folder for each home's report"
                : "edgeenergy backtest: --fleet takes each home's history and site from the manifest, and writes only reports: drop --history, --site, --trace and --chart");
            return ExitCodes.BadInput;
        }

        IReadOnlyList<FleetHome> homes;
        FleetShard shard;
        try
        {
            shard = FleetShard.Parse(shardText);
            homes = FleetManifest.Shard(FleetManifest.Read(manifestPath), shard);
            if (homes.Any(h => h.Tariff is not null) && tariffs.Problems() is { Count: > 0 } problems)
            {
                throw new BacktestInputException($"the manifest names tariffs, and {string.Join("; ", problems)}");
            }

            Directory.CreateDirectory(outDir);
        }
        catch (BacktestInputException e)
        {
            Console.Error.WriteLine($"edgeenergy backtest: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"edgeenergy backtest: {manifestPath} or {outDir}: {e.Message}");
            return ExitCodes.BadInput;
        }

        using var published = homes.Any(h => h.Tariff is not null) ? tariffs.Open() : null;
        var failed = new List<string>();
        foreach (var home in homes)
        {
            var report = FleetMerge.ReportPath(outDir, home);
            if (File.Exists(report))
            {
                Console.Error.WriteLine($"shard {shard}: home {home.Id}: report already there, skipped");
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var code = runHome(home.HistoryPath, home.SitePath, report, home.Tariff is { } tariff ? h => Reprice(h, tariff, $"{manifestPath}:{home.Row}: field tariff:") : null);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shard {shard}: home {home.Id}: {(code == ExitCodes.Success ? "done" : $"failed (exit {code}, the reason above)")} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
            if (code != ExitCodes.Success)
            {
                failed.Add(home.Id);
            }
        }

        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"edgeenergy backtest: shard {shard}: {failed.Count} of {homes.Count} homes failed ({string.Join(", ", failed)}); the others' reports are written");
            return ExitCodes.BadInput;
        }

        return ExitCodes.Success;

        // The shard runs one home at a time on the command's thread (no synchronisation context), so waiting here is safe.
        BacktestHistory Reprice(BacktestHistory homeHistory, FleetTariff tariff, string where)
        {
            var range = new TimeRange(homeHistory.Slots[0].Start, homeHistory.Slots[^1].Start.AddMinutes(BacktestHistory.SlotMinutes));
            var import = published!.FetchAsync(tariff.Import, range, where, tariff.Region, cancellationToken).GetAwaiter().GetResult().Prices;
            var export = published.FetchAsync(tariff.Export, range, where, tariff.Region, cancellationToken).GetAwaiter().GetResult().Prices;
            return TariffComparison.WithPrices(homeHistory, import, export);
        }
    }

    public static Command CreateMerge()
    {
        var manifest = new Option<string>("--fleet") { Description = "MANIFEST.csv of the fleet.", Required = true };
        var folder = new Option<string>("--out") { Description = "The folder the shards wrote their reports to; FLEET.json is written there.", Required = true };
        var merge = new Command("merge", "Sums the fleet's per-home reports into DIR/FLEET.json (every manifest home must have one).");
        merge.Options.Add(manifest);
        merge.Options.Add(folder);
        merge.SetAction(parse =>
        {
            var dir = parse.GetValue(folder)!;
            try
            {
                var json = FleetMerge.Merge(FleetManifest.Read(parse.GetValue(manifest)!), dir);
                var path = Path.Combine(dir, "FLEET.json");
                BacktestCommand.WriteAtomically(path, w => w.Write(json));
                Console.Out.Write(json);
                Console.Error.WriteLine(FleetMerge.Describe(json));
                return ExitCodes.Success;
            }
            catch (BacktestInputException e)
            {
                Console.Error.WriteLine($"edgeenergy backtest merge: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"edgeenergy backtest merge: {dir}: {e.Message}");
                return ExitCodes.BadInput;
            }
        });
        return merge;
    }
}
