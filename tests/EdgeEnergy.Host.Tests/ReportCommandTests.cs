using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Reporting;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// <c>edgeenergy report</c> as a child process on a SQLite store seeded directly with two simulated shadow days
/// (telemetry minutes, billed rates, stored plans, the mode set over MQTT); configuration only from EDGEENERGY__ variables.
/// </summary>
public sealed class ReportCommandTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-report-").FullName;
    private string Store => Path.Combine(_folder, "store.db");

    public async Task InitializeAsync()
    {
        using var database = new SqliteDatabase(Store);
        var settings = await SeedAsync(database, new ShadowSiteSimulation(new DateOnly(2026, 12, 1), 2, new OrToolsScheduleOptimiser()));
        await settings.SetAsync("control.mode", "shadow", CancellationToken.None);
        await settings.SetAsync("control.mode_config", "active", CancellationToken.None);
    }

    /// <summary>Fills <paramref name="database"/> with the site's telemetry, billed rates and plans; returns its settings
    /// store for the test to add to.</summary>
    internal static async Task<SqliteSettingsStore> SeedAsync(SqliteDatabase database, ShadowSiteSimulation site)
    {
        await new SqliteTelemetryStore(database).AppendAsync(site.Telemetry, CancellationToken.None);
        var rates = new SqliteRateStore(database);
        await rates.SaveAsync(RateKind.Import, site.Rates(site.ImportPence), site.Start, CancellationToken.None);
        await rates.SaveAsync(RateKind.Export, site.Rates(site.ExportPence), site.Start, CancellationToken.None);
        var plans = new SqlitePlanLog(database);
        foreach (var plan in site.Plans)
        {
            await plans.RecordAsync(plan.CreatedUtc, plan.Trigger, plan.Problem, plan.Plan, CancellationToken.None);
        }

        return new SqliteSettingsStore(database);
    }

    /// <summary>The configuration of the seeded site, as EDGEENERGY__ variables.</summary>
    internal static Dictionary<string, string> Environment(string store) => new()
    {
        ["EDGEENERGY__STORAGE__PATH"] = store,
        ["EDGEENERGY__CONTROL__MODE"] = "active",
        ["EDGEENERGY__SITE__BATTERYCAPACITYKWH"] = "10",
        ["EDGEENERGY__SITE__RESERVESOCPERCENT"] = "10",
        ["EDGEENERGY__SITE__BATTERYMAXCHARGEKW"] = "3",
        ["EDGEENERGY__SITE__BATTERYMAXDISCHARGEKW"] = "3",
    };

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Environment() => Environment(Store);

    [Fact]
    public async Task Report_prints_the_days_bills_from_the_store_as_json()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-02", "--to", "2026-12-02"], environment: Environment());

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("shadow", (string?)json["mode"]); // set over MQTT under the Control:Mode still configured
        var day = json["days"]![0]!;
        Assert.True((bool)day["complete"]!, day.ToJsonString());
        var causes = day["causes"]!.AsObject().Sum(c => (double)c.Value!);
        Assert.Equal((double)day["edgeEnergyBillPence"]! - (double)day["perfectBillPence"]!, causes, 0.05);
        Assert.True((double)day["edgeEnergyErrorBarPence"]! < 0.05 * Math.Abs((double)day["actualBillPence"]!), day.ToJsonString());
        Assert.Equal((double)day["actualBillPence"]!, (double)json["totals"]!["actualBillPence"]!);
        Assert.Contains("plant model fitted", result.Stderr);
    }

    [Fact]
    public async Task A_day_without_its_telemetry_is_incomplete_with_the_reason()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-02", "--to", "2026-12-03"], environment: Environment());

        Assert.True(result.ExitCode == 0, result.Stderr);
        var day = JsonNode.Parse(result.Stdout)!["days"]![1]!;
        Assert.False((bool)day["complete"]!);
        Assert.StartsWith("telemetry: 48 of 48 half hours", (string?)day["reason"]);
        Assert.Null(day["actualBillPence"]);
    }

    [Theory]
    [InlineData("2026-12-2", "2026-12-02", "--from '2026-12-2' is not a date like 2026-12-01 (YYYY-MM-DD)")]
    [InlineData("2026-12-02", "02/12/2026", "--to '02/12/2026' is not a date like 2026-12-01 (YYYY-MM-DD)")]
    [InlineData("2026-12-03", "2026-12-02", "--from 2026-12-03 is after --to 2026-12-02")]
    [InlineData("2025-06-01", "2025-06-07", "holds no telemetry for 2025-06-01 to 2025-06-07")]
    public async Task Bad_input_is_exit_2_with_the_reason_on_stderr(string from, string to, string message)
    {
        var result = await CliRunner.RunAsync(["report", "--from", from, "--to", to], environment: Environment());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Equal("", result.Stdout);
    }
}
