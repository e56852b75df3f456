using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Backtest;
using EdgeEnergy.Backtest.Fleet;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>backtest --fleet MANIFEST.csv --shard I/N --out DIR</c> and <c>backtest merge --fleet MANIFEST.csv --out DIR</c>
/// (issue 21 §4): each shard backtests its homes one after another, each exactly as a one-home <c>backtest</c> with
/// the same options, into <c>DIR/&lt;home_id&gt;.report.json</c>; shards share nothing but the folder, so they run as
/// independent jobs anywhere (deploy/fleet/backtest-job.yaml). A home whose report is already there is skipped, so a
/// retried shard picks up where it stopped.
/// </summary>
internal static class FleetBacktest
{
    public static int Run(string manifestPath, string shardText, string? outDir, string? history, string? site, string? perHomeFile, Func<string, string, string, int> runHome)
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
            var code = runHome(home.HistoryPath, home.SitePath, report);
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
