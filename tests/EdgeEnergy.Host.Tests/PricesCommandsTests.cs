using System.Globalization;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// <c>edgeenergy prices fetch</c> and <c>prices show</c> run as child processes against recorded Agile prices re-dated
/// to the present and served on loopback; configuration comes only from EDGEENERGY__ variables.
/// </summary>
public sealed class PricesCommandsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-cli-").FullName;
    private readonly IReadOnlyList<Rate> _import;
    private readonly IReadOnlyList<Rate> _export;
    private readonly FakeOctopusApi _api = new();
    private LoopbackHttpServer _server = null!;

    public PricesCommandsTests()
    {
        // Four real days laid over the day before yesterday .. the day after tomorrow (UTC), values unchanged.
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero);
        _import = Redate(FixtureData.AgileCsv("agile_import_J_2022-10-28_31.csv"), start);
        _export = Redate(FixtureData.AgileCsv("agile_outgoing_C_2022-10-28_31.csv"), start);
        _api.WithTariff("E-1R-AGILE-24-10-01-J", _import).WithTariff("E-1R-AGILE-OUTGOING-19-05-13-J", _export);
    }

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static List<Rate> Redate(IReadOnlyList<Rate> rates, DateTimeOffset start) =>
        [.. rates.Select((r, i) => new Rate(start.AddMinutes(30 * i), start.AddMinutes(30 * (i + 1)), r.Pence))];

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["EDGEENERGY__STORAGE__PATH"] = Path.Combine(_folder, "store.db"),
            ["EDGEENERGY__OCTOPUS__BASEURL"] = _server.BaseUrl.ToString(),
            ["EDGEENERGY__OCTOPUS__REGION"] = "J",
            ["EDGEENERGY__OCTOPUS__BACKFILLDAYS"] = "1",
            ["EDGEENERGY__OCTOPUS__PAGESIZE"] = "30",
        };
        foreach (var (key, value) in extra)
        {
            env[key] = value;
        }

        return env;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Fetch_then_show_prints_the_stored_rates_as_csv()
    {
        var fetch = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment());
        Assert.True(fetch.ExitCode == 0, fetch.Stderr);
        Assert.Contains("import:", fetch.Stdout);
        Assert.Contains("export:", fetch.Stdout);

        var from = _import[96].StartUtc; // today 00:00 UTC, inside the one-day backfill
        var to = _import[116].StartUtc;
        var show = await CliRunner.RunAsync(["prices", "show", "--from", Iso(from), "--to", Iso(to)], environment: Environment());
        Assert.True(show.ExitCode == 0, show.Stderr);
        var expected = new List<string> { "slot_start_utc,kind,pence" };
        for (var i = 96; i < 116; i++)
        {
            expected.Add($"{Iso(_import[i].StartUtc)},import,{_import[i].Pence.ToString("R", CultureInfo.InvariantCulture)}");
            expected.Add($"{Iso(_export[i].StartUtc)},export,{_export[i].Pence.ToString("R", CultureInfo.InvariantCulture)}");
        }

        Assert.Equal(expected, show.Stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_second_fetch_asks_for_nothing_already_stored()
    {
        var first = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment());
        Assert.True(first.ExitCode == 0, first.Stderr);
        var requests = _server.Requests.Count;
        var second = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment());
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(requests, _server.Requests.Count);
        Assert.Contains("import: 0 request(s)", second.Stdout);
    }

    [Fact]
    public async Task A_bad_setting_exits_2_naming_the_key()
    {
        var result = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment(("EDGEENERGY__OCTOPUS__REGION", "Z")));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Octopus:Region 'Z'", result.Stderr);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task An_unknown_product_exits_2_naming_the_key()
    {
        var result = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment(("EDGEENERGY__OCTOPUS__EXPORTPRODUCT", "NO-SUCH-EXPORT-1")));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Octopus:ExportProduct 'NO-SUCH-EXPORT-1'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_that_is_not_a_number_exits_2_naming_the_key()
    {
        var result = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment(("EDGEENERGY__OCTOPUS__PAGESIZE", "many")));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Octopus:PageSize", result.Stderr);
    }

    [Fact]
    public async Task The_solcast_key_never_reaches_the_output_even_when_refused()
    {
        var result = await CliRunner.RunAsync(["prices", "fetch"], environment: Environment(
            ("EDGEENERGY__SOLCAST__BASEURL", _server.BaseUrl.ToString()), ("EDGEENERGY__SOLCAST__APIKEY", "super-secret-solcast-key"), ("EDGEENERGY__SOLCAST__SITES__0", "abcd-1234")));
        Assert.Equal(1, result.ExitCode); // the fake Octopus server answers 404 for Solcast paths
        Assert.Contains("solcast:", result.Stdout);
        Assert.DoesNotContain("super-secret-solcast-key", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_missing_config_file_or_bad_time_exits_2()
    {
        var missing = await CliRunner.RunAsync(["prices", "show", "--config", Path.Combine(_folder, "nope.json")], environment: Environment());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.json", missing.Stderr);
        var badTime = await CliRunner.RunAsync(["prices", "show", "--from", "yesterday"], environment: Environment());
        Assert.Equal(2, badTime.ExitCode);
        Assert.Contains("--from 'yesterday'", badTime.Stderr);
    }

    [Fact]
    public async Task Settings_come_from_the_config_file_with_environment_overrides()
    {
        var config = Path.Combine(_folder, "appsettings.json");
        await File.WriteAllTextAsync(config, $$"""{ "Octopus": { "Region": "Q" }, "Storage": { "Path": "{{Path.Combine(_folder, "other.db").Replace("\\", "/", StringComparison.Ordinal)}}" } }""");
        var fromFile = await CliRunner.RunAsync(["prices", "show", "--config", config]);
        Assert.Equal(0, fromFile.ExitCode);
        Assert.True(File.Exists(Path.Combine(_folder, "other.db")));
        var invalid = await CliRunner.RunAsync(["prices", "fetch", "--config", config], environment: new Dictionary<string, string> { ["EDGEENERGY__STORAGE__PATH"] = Path.Combine(_folder, "x.db") });
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("Octopus:Region 'Q'", invalid.Stderr);
    }
}
