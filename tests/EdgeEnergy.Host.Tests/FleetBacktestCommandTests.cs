using System.Text.Json.Nodes;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// The real <c>edgeenergy backtest --fleet</c> and <c>backtest merge</c> processes (issue 21 §4): five homes of one day
/// each (slices of the backtest fixtures: two no-solar days, two solar days, a car day), run as one shard and as four.
/// </summary>
public sealed class FleetBacktestCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeenergy-fleet-").FullName;

    public FleetBacktestCommandTests()
    {
        static IEnumerable<string> Day(string file, int firstRow) =>
            File.ReadLines(file).Take(1).Concat(File.ReadLines(file).Skip(firstRow).Take(48));
        File.WriteAllLines(Path.Combine(_dir, "a.csv"), Day(BacktestFixtures.History, 1));
        File.WriteAllLines(Path.Combine(_dir, "b.csv"), Day(BacktestFixtures.History, 97));
        File.WriteAllLines(Path.Combine(_dir, "c.csv"), Day(BacktestFixtures.SolarHistory, 1));
        File.WriteAllLines(Path.Combine(_dir, "d.csv"), Day(BacktestFixtures.SolarHistory, 499));
        File.WriteAllLines(Path.Combine(_dir, "e.csv"), Day(Path.Combine(BacktestFixtures.Directory, "history-2022-05-ev-04d.csv"), 1));
        File.Copy(BacktestFixtures.SiteWithImmersion, Path.Combine(_dir, "site.json"));
        File.Copy(Path.Combine(BacktestFixtures.Directory, "site-with-ev.json"), Path.Combine(_dir, "site-ev.json"));
        File.WriteAllText(Manifest, "home_id,history,site\nhome-a,a.csv,site.json\nhome-b,b.csv,site.json\nhome-c,c.csv,site.json\nhome-d,d.csv,site.json\nhome-e,e.csv,site-ev.json\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Manifest => Path.Combine(_dir, "MANIFEST.csv");

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => BacktestCommandTests.Run(args);

    [Fact]
    public void Four_shards_give_the_same_fleet_totals_as_one_run_and_the_totals_are_the_homes_sums()
    {
        var one = Path.Combine(_dir, "one");
        var four = Path.Combine(_dir, "four");
        var all = Run("backtest", "--fleet", Manifest, "--out", one, "--quiet");
        Assert.True(all.ExitCode == 0, all.Stderr);
        for (var i = 0; i < 4; i++)
        {
            var shard = Run("backtest", "--fleet", Manifest, "--shard", $"{i}/4", "--out", four, "--quiet");
            Assert.True(shard.ExitCode == 0, shard.Stderr);
        }

        // Shard 0 of 4 has rows 1 and 5 (every 4th from the first), the others one home each.
        Assert.Equal(5, Directory.GetFiles(four, "*.report.json").Length);
        var mergedOne = Run("backtest", "merge", "--fleet", Manifest, "--out", one);
        var mergedFour = Run("backtest", "merge", "--fleet", Manifest, "--out", four);
        Assert.True(mergedOne.ExitCode == 0 && mergedFour.ExitCode == 0, mergedOne.Stderr + mergedFour.Stderr);
        Assert.Equal(mergedOne.Stdout, mergedFour.Stdout);
        Assert.Equal(mergedFour.Stdout, File.ReadAllText(Path.Combine(four, "FLEET.json")));

        var fleet = JsonNode.Parse(mergedFour.Stdout)!;
        Assert.Equal(5, (int)fleet["homes"]!);
        Assert.Equal(5 * 48, (int)fleet["slots"]!);
        foreach (var strategy in new[] { "none", "rules", "optimiser", "perfect" })
        {
            var sum = new[] { "a", "b", "c", "d", "e" }
                .Sum(h => (double)JsonNode.Parse(File.ReadAllText(Path.Combine(one, $"home-{h}.report.json")))!["strategies"]![strategy]!["billPence"]!);
            Assert.Equal(Math.Round(sum, 4), (double)fleet["strategies"]![strategy]!["billPence"]!, 6);
        }

        var s = fleet["strategies"]!;
        var none = (double)s["none"]!["billPence"]!;
        var expected = (none - (double)s["optimiser"]!["billPence"]!) / (none - (double)s["perfect"]!["billPence"]!) * 100;
        Assert.Equal(Math.Round(expected, 3), (double)fleet["savingsCapturePercent"]!, 6);
        Assert.Equal(["home-a", "home-b", "home-c", "home-d", "home-e"], fleet["perHome"]!.AsArray().Select(h => (string)h!["homeId"]!));
    }

    [Fact]
    public void A_retried_shard_skips_the_homes_it_finished_and_the_merge_refuses_while_a_home_is_missing()
    {
        var reports = Path.Combine(_dir, "reports");
        var first = Run("backtest", "--fleet", Manifest, "--shard", "1/2", "--out", reports, "--quiet");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var written = File.GetLastWriteTimeUtc(Path.Combine(reports, "home-b.report.json"));

        var again = Run("backtest", "--fleet", Manifest, "--shard", "1/2", "--out", reports, "--quiet");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("shard 1/2: home home-b: report already there, skipped", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(reports, "home-b.report.json")));

        var merge = Run("backtest", "merge", "--fleet", Manifest, "--out", reports);
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("no report for 3 of 5 homes (home-a, home-c, home-e)", merge.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(reports, "FLEET.json")));
    }

    [Theory]
    [InlineData("home_id,history,site\nhome-a,a.csv,site.json\nhome-a,b.csv,site.json\n", "0/1", "MANIFEST.csv:3: field home_id: 'home-a' is already the home of line 2")]
    [InlineData("home_id,history,site\nhome-a,missing.csv,site.json\n", "0/1", "MANIFEST.csv:2: field history: 'missing.csv' is not a file")]
    [InlineData("home_id,history,site\nhome a,a.csv,site.json\n", "0/1", "MANIFEST.csv:2: field home_id: 'home a' must be")]
    [InlineData("history,site\na.csv,site.json\n", "0/1", "MANIFEST.csv:1: the header must be 'home_id,history,site'")]
    [InlineData("home_id,history,site\nhome-a,a.csv,site.json\n", "4/4", "--shard '4/4' must be I/N with 0 ≤ I < N")]
    public void A_bad_manifest_or_shard_exits_2_naming_the_line_and_field_and_writes_nothing(string manifest, string shard, string message)
    {
        File.WriteAllText(Manifest, manifest);
        var reports = Path.Combine(_dir, "reports");

        var (code, stdout, stderr) = Run("backtest", "--fleet", Manifest, "--shard", shard, "--out", reports);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(reports) && Directory.EnumerateFiles(reports).Any());
    }
}
