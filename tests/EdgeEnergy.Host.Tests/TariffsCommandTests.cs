using System.Text.Json;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Octopus;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// The real <c>edgeenergy tariffs compare</c> process on two days of the backtest fixture (1–2 May 2022, UK) with
/// Octopus-shaped price files; window and flat prices are illustrative.
/// </summary>
public sealed class TariffsCommandTests : IDisposable
{
    private const string Region = "J";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeenergy-tariffs-").FullName;
    private readonly string _prices;
    private readonly string _history;

    public TariffsCommandTests()
    {
        _prices = Path.Combine(_dir, "prices");
        _history = Path.Combine(_dir, "history.csv");
        File.WriteAllLines(_history, File.ReadLines(BacktestFixtures.History).Take(1 + 96));
        var since = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);
        OctopusPriceFiles.Write(_prices, "GO-VAR-22-10-14", Region, TariffWindows.Rows(new DateOnly(2022, 4, 29), new DateOnly(2022, 5, 3), TariffWindows.Go(10, 40)),
            [FakeOctopusApi.Row(since, null, 46)]);
        OctopusPriceFiles.Write(_prices, "FIXED-12M-22-01-01", Region, [FakeOctopusApi.Row(since, null, 30)], [FakeOctopusApi.Row(since, null, 40)]);
        OctopusPriceFiles.Write(_prices, "OUTGOING-FIX-12M-19-05-13", Region, [FakeOctopusApi.Row(since, null, 15)]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<CliResult> CompareAsync(string imports, string exports = "OUTGOING-FIX-12M-19-05-13", string region = Region) =>
        await CliRunner.RunAsync(["tariffs", "compare", "--history", _history, "--site", Path.Combine(Fixture.RepositoryRoot(), "examples", "site-london-9.5kwh.json"),
            "--import", imports, "--export", exports, "--prices", _prices, "--region", region, "--threads", "1", "--quiet"], timeout: TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Each_pair_is_a_backtest_with_its_standing_charges_in_the_bill()
    {
        var result = await CompareAsync("GO-VAR-22-10-14,FIXED-12M-22-01-01");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var pairs = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(["GO-VAR-22-10-14", "FIXED-12M-22-01-01"], pairs.Select(p => p.GetProperty("import").GetString()));
        Assert.All(pairs, p => Assert.Equal("OUTGOING-FIX-12M-19-05-13", p.GetProperty("export").GetString()));
        Assert.Equal(2 * 46.0, pairs[0].GetProperty("standingPence").GetDouble()); // two UK days
        Assert.Equal(2 * 40.0, pairs[1].GetProperty("standingPence").GetDouble());
        Assert.All(pairs, p => Assert.True(p.GetProperty("billPence").GetDouble() > p.GetProperty("standingPence").GetDouble()));
        // A 30 p spread (10 p at night, 40 p by day) pays a battery; a flat 30 p import against a 15 p export does not pay cycling.
        Assert.True(pairs[0].GetProperty("savingsVsNoBatteryPence").GetDouble() > 100, result.Stdout);
        Assert.True(pairs[0].GetProperty("savingsVsNoBatteryPence").GetDouble() > pairs[1].GetProperty("savingsVsNoBatteryPence").GetDouble(), result.Stdout);
    }

    [Fact]
    public async Task Save_keeps_the_pairs_printed_in_the_services_store_for_the_compare_page()
    {
        var store = Path.Combine(_dir, "store.db");
        var result = await CliRunner.RunAsync(["tariffs", "compare", "--history", _history, "--site", Path.Combine(Fixture.RepositoryRoot(), "examples", "site-london-9.5kwh.json"),
            "--import", "GO-VAR-22-10-14,FIXED-12M-22-01-01", "--export", "OUTGOING-FIX-12M-19-05-13", "--prices", _prices, "--region", Region, "--threads", "1", "--quiet", "--save"],
            timeout: TimeSpan.FromMinutes(3), environment: new Dictionary<string, string> { ["EDGEENERGY__STORAGE__PATH"] = store });
        Assert.True(result.ExitCode == 0, result.Stderr);

        string? kept;
        using (var database = new Adapters.Sqlite.SqliteDatabase(store))
        {
            kept = await new Adapters.Sqlite.SqliteSettingsStore(database).GetAsync("tariffs.compare.last", CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.NotNull(kept);
        var stored = JsonDocument.Parse(kept).RootElement;
        var printed = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("pairs").EnumerateArray().ToList();
        var pairs = stored.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(printed.Count, pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(printed[i].GetProperty("import").GetString(), pairs[i].GetProperty("import").GetString());
            Assert.Equal(printed[i].GetProperty("billPence").GetDouble(), pairs[i].GetProperty("billPence").GetDouble(), 2);
            Assert.Equal(printed[i].GetProperty("savingsVsNoBatteryPence").GetDouble(), pairs[i].GetProperty("savingsVsNoBatteryPence").GetDouble(), 2);
        }

        Assert.Equal(96, stored.GetProperty("slots").GetInt32());
        Assert.Equal("history.csv", stored.GetProperty("history").GetString());
        Assert.Equal(Region, stored.GetProperty("region").GetString());
        Assert.Equal(UkTime.ToUtc(new DateOnly(2022, 5, 1), TimeOnly.MinValue), stored.GetProperty("fromUtc").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_unknown_product_exits_2_naming_the_option_and_code()
    {
        var result = await CompareAsync("GO-VAR-22-10-14,NO-SUCH-PRODUCT-1");
        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("--import 'NO-SUCH-PRODUCT-1'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_region_letter_outside_a_to_p_exits_2_naming_the_option()
    {
        var result = await CompareAsync("GO-VAR-22-10-14", region: "Q");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--region 'Q'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slot_no_row_prices_exits_2_naming_the_product_and_slot_never_zero()
    {
        var hole = UkTime.ToUtc(new DateOnly(2022, 5, 1), new TimeOnly(12, 0));
        OctopusPriceFiles.Write(_prices, "HOLEY-22-01-01", Region,
            [FakeOctopusApi.Row(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), hole, 30), FakeOctopusApi.Row(hole.AddMinutes(30), null, 30)]);
        var result = await CompareAsync("HOLEY-22-01-01");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("HOLEY-22-01-01: no published rate for the slot 2022-05-01T11:00:00Z", result.Stderr, StringComparison.Ordinal);
    }
}
