using System.Text.Json.Nodes;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Octopus;

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
    [InlineData("home_id,history,site,tariff\nhome-a,a.csv,site.json,FLAT-30\n", "0/1", "MANIFEST.csv:2: field tariff: 'FLAT-30' must be IMPORT/EXPORT Octopus product codes")]
    [InlineData("home_id,history,site,tariff,region\nhome-a,a.csv,site.json,FLAT-30/FLAT-EXPORT-15,O\n", "0/1", "MANIFEST.csv:2: field region: 'O' is not a GSP region letter")]
    [InlineData("home_id,history,site,tariff\nhome-a,a.csv,site.json\n", "0/1", "MANIFEST.csv:2: 3 fields where the header has 4 (home_id,history,site,tariff)")]
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

    /// <summary>
    /// A home with a tariff is replayed on that tariff's published rates: its report is the report of the same history
    /// with those prices written into its price columns (the no-battery bill to the penny: it does not depend on when
    /// prices are known), a home without one keeps its history's prices, and FLEET.json says which tariff each home had.
    /// Illustrative flat tariffs in Octopus-shaped files: 30 p import, 15 p export.
    /// </summary>
    [Fact]
    public void A_home_with_a_tariff_is_replayed_on_its_published_rates_and_one_without_keeps_its_history_prices()
    {
        var prices = Path.Combine(_dir, "prices");
        var since = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);
        OctopusPriceFiles.Write(prices, "FLAT-30", "J", [FakeOctopusApi.Row(since, null, 30)], [FakeOctopusApi.Row(since, null, 40)]);
        OctopusPriceFiles.Write(prices, "FLAT-EXPORT-15", "J", [FakeOctopusApi.Row(since, null, 15)]);
        File.WriteAllLines(Path.Combine(_dir, "a-flat.csv"), File.ReadLines(Path.Combine(_dir, "a.csv")).Select((line, i) => i == 0 ? line : Flat(line)));
        File.WriteAllText(Manifest, "home_id,history,site,tariff,region\nhome-a,a.csv,site.json,flat-30/FLAT-EXPORT-15,j\nhome-b,b.csv,site.json,,\nwritten,a-flat.csv,site.json,,\n");
        var reports = Path.Combine(_dir, "reports");

        var run = Run("backtest", "--fleet", Manifest, "--out", reports, "--prices", prices, "--region", "C", "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var merged = Run("backtest", "merge", "--fleet", Manifest, "--out", reports);
        Assert.True(merged.ExitCode == 0, merged.Stderr);

        double Bill(string home, string strategy) =>
            (double)JsonNode.Parse(File.ReadAllText(Path.Combine(reports, $"{home}.report.json")))!["strategies"]![strategy]!["billPence"]!;
        Assert.Equal(Bill("written", "none"), Bill("home-a", "none"), 6);
        var alone = Path.Combine(_dir, "alone");
        File.WriteAllText(Manifest, "home_id,history,site\nhome-b,b.csv,site.json\n");
        Assert.Equal(0, Run("backtest", "--fleet", Manifest, "--out", alone, "--quiet").ExitCode);
        Assert.Equal(
            (double)JsonNode.Parse(File.ReadAllText(Path.Combine(alone, "home-b.report.json")))!["strategies"]!["optimiser"]!["billPence"]!,
            Bill("home-b", "optimiser"));
        var perHome = JsonNode.Parse(merged.Stdout)!["perHome"]!.AsArray();
        Assert.Equal(["FLAT-30/FLAT-EXPORT-15", null, null], perHome.Select(h => (string?)h!["tariff"]));

        static string Flat(string line)
        {
            var f = line.Split(',');
            return string.Join(',', f[0], "30", "15", f[3], f[4]);
        }
    }

    [Fact]
    public void A_tariff_with_no_published_rates_fails_that_home_naming_the_manifest_line_and_the_others_still_run()
    {
        var prices = Path.Combine(_dir, "prices");
        var since = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);
        OctopusPriceFiles.Write(prices, "FLAT-EXPORT-15", "C", [FakeOctopusApi.Row(since, null, 15)]);
        File.WriteAllText(Manifest, "home_id,history,site,tariff\nhome-a,a.csv,site.json,NO-SUCH-PRODUCT/FLAT-EXPORT-15\nhome-b,b.csv,site.json,\n");
        var reports = Path.Combine(_dir, "reports");
        var noFolder = Run("backtest", "--fleet", Manifest, "--out", reports, "--prices", Path.Combine(_dir, "no-such-folder"), "--quiet");
        Assert.Equal(2, noFolder.ExitCode);
        Assert.Contains("the manifest names tariffs, and --prices", noFolder.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(reports));

        var (code, _, stderr) = Run("backtest", "--fleet", Manifest, "--out", reports, "--prices", prices, "--quiet");

        Assert.Equal(2, code);
        Assert.Contains("MANIFEST.csv:2: field tariff: 'NO-SUCH-PRODUCT'", stderr, StringComparison.Ordinal);
        Assert.Contains("1 of 2 homes failed (home-a)", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(reports, "home-b.report.json")));
        Assert.False(File.Exists(Path.Combine(reports, "home-a.report.json")));
    }
}
