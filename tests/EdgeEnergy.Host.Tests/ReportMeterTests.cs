using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Scheduling;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// Octopus's billed consumption in <c>edgeenergy report</c> (the real executable) and in the daily bills job: a SQLite
/// store seeded with two simulated shadow days (2026-12-01 and 02) and a real Kestrel server on 127.0.0.1 answering as
/// Octopus's consumption endpoint, 0.25 kWh imported and 0.1 kWh exported every half hour, 2026-12-01 10:00 not yet published.
/// </summary>
public sealed class ReportMeterTests : IAsyncLifetime
{
    private const string Key = "sk_live_meter0123456789";
    private const string ImportMpan = "1200012345678";
    private const string ExportMpan = "1300012345678";
    private const string Serial = "21L3456789";
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-report-meter-").FullName;
    private readonly FakeOctopusConsumptionApi _api = new(Key);

    /// <summary>The tariffs' side of the same server (<c>/v1/products/…</c>): Agile's standing charges, 50.00 p/day
    /// to the end of 1 December 2026, 52.50 p/day from 2 December; the export product has no standing-charges list.</summary>
    private readonly FakeOctopusApi _tariffs = new();
    private ShadowSiteSimulation _site = null!;
    private LoopbackHttpServer _server = null!;

    private string Store => Path.Combine(_folder, "store.db");

    public async Task InitializeAsync()
    {
        _site = new ShadowSiteSimulation(new DateOnly(2026, 12, 1), 2, new OrToolsScheduleOptimiser());
        using (var database = new SqliteDatabase(Store))
        {
            var settings = await ReportCommandTests.SeedAsync(database, _site);
            await settings.SetAsync("control.mode", "shadow", CancellationToken.None);
            await settings.SetAsync("control.mode_config", "active", CancellationToken.None);
        }

        var slots = Enumerable.Range(0, 96).Select(t => _site.Start.AddMinutes(30 * t)).ToList();
        _api.WithMeter(ImportMpan, Serial, slots.ToDictionary(s => s, _ => 0.25)).WithMeter(ExportMpan, Serial, slots.ToDictionary(s => s, _ => 0.1));
        _api.Unpublished.Add(_site.Start.AddHours(10));
        var change = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
        _tariffs.WithRows("E-1R-AGILE-24-10-01-C", "standing-charges", [FakeOctopusApi.Row(change.AddYears(-1), change, 50.0), FakeOctopusApi.Row(change, null, 52.5)]);
        _tariffs.WithRows("E-1R-AGILE-OUTGOING-19-05-13-C", "standard-unit-rates", [FakeOctopusApi.Row(change.AddYears(-1), null, 15.0)]);
        _server = await LoopbackHttpServer.StartAsync(context =>
            context.Request.Path.StartsWithSegments("/v1/products", StringComparison.Ordinal) ? _tariffs.HandleAsync(context) : _api.HandleAsync(context));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The seeded site's configuration with the meters, as EDGEENERGY__ variables (page size 50: the two days are two pages).</summary>
    private Dictionary<string, string> Environment(string key = Key, string importSerial = Serial)
    {
        var environment = ReportCommandTests.Environment(Store);
        foreach (var (name, value) in Meters(key, importSerial))
        {
            environment["EDGEENERGY__" + name.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()] = value;
        }

        return environment;
    }

    private Dictionary<string, string> Meters(string key, string importSerial = Serial) => new()
    {
        ["Octopus:BaseUrl"] = _server.BaseUrl.ToString(),
        ["Octopus:ApiKey"] = key,
        ["Octopus:ImportMpan"] = ImportMpan,
        ["Octopus:ImportSerial"] = importSerial,
        ["Octopus:ExportMpan"] = ExportMpan,
        ["Octopus:ExportSerial"] = Serial,
        ["Octopus:PageSize"] = "50",
    };

    [Fact]
    public async Task Report_adds_each_days_billed_figures_and_their_difference_from_the_inverter_meter_to_the_penny()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-01", "--to", "2026-12-02"], environment: Environment());

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(_server.Requests, r => r.EndsWith("page=2", StringComparison.Ordinal));
        var day = JsonNode.Parse(result.Stdout)!["days"]![1]!;
        var billed = day["billed"]!;
        Assert.True((bool)billed["complete"]!, billed.ToJsonString());

        // By hand, half hour by half hour of 2026-12-02: Octopus's 0.25 and 0.1 kWh at the billed rates, and the inverter's
        // own import and export summed minute by minute from the stored telemetry (every minute sampled).
        double billPence = 0, inverterPence = 0, inverterImportKwh = 0;
        for (var k = 0; k < 48; k++)
        {
            var (start, importPence, exportPence) = (_site.Start.AddDays(1).AddMinutes(30 * k), _site.ImportPence[48 + k], _site.ExportPence[48 + k]);
            var minutes = _site.Telemetry.Where(s => s.TimestampUtc >= start && s.TimestampUtc < start.AddMinutes(30)).ToList();
            Assert.Equal(30, minutes.Count);
            var importKwh = minutes.Sum(s => Math.Max(0, s.GridPowerW!.Value)) / 60_000;
            var exportKwh = minutes.Sum(s => Math.Max(0, -s.GridPowerW!.Value)) / 60_000;
            billPence += 0.25 * importPence - 0.1 * exportPence;
            inverterPence += importKwh * importPence - exportKwh * exportPence;
            inverterImportKwh += importKwh;
        }

        Assert.Equal(12.0, (double)billed["importKwh"]!);
        Assert.Equal(4.8, (double)billed["exportKwh"]!);
        Assert.InRange((double)billed["billPence"]! - billPence, -0.005, 0.005);
        Assert.InRange((double)billed["billPenceDifference"]! - (billPence - inverterPence), -0.005, 0.005);
        Assert.InRange((double)billed["importKwhDifference"]! - (12.0 - inverterImportKwh), -0.0005, 0.0005);
        // With both meters the inverter's side is the metered bill the report already gives.
        Assert.Equal((double)day["actualBillPence"]!, (double)billed["inverterBillPence"]!);

        // 2026-12-01: one half hour not published yet, so its billed figures are incomplete, with the reason, never 0.
        var first = JsonNode.Parse(result.Stdout)!["days"]![0]!["billed"]!;
        Assert.False((bool)first["complete"]!);
        Assert.StartsWith("Octopus consumption: 1 of 48 import half hours not published (first 2026-12-01T10:00:00Z)", (string?)first["reason"], StringComparison.Ordinal);
        Assert.Null(first["billPence"]);
    }

    [Fact]
    public async Task A_key_octopus_refuses_is_exit_2_naming_octopus_api_key_without_printing_it()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-02", "--to", "2026-12-02"], environment: Environment(key: "sk_live_refused"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("edgeenergy report: Octopus:ApiKey: Octopus refused the key (HTTP 401", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_refused", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_meter_octopus_does_not_know_is_exit_2_naming_its_mpan_and_serial_keys()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-02", "--to", "2026-12-02"], environment: Environment(importSerial: "99X9999999"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"edgeenergy report: Octopus:ImportMpan '{ImportMpan}' with Octopus:ImportSerial '99X9999999': Octopus knows no such import meter for this key (HTTP 404",
            result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    /// <summary>The daily bills job as the service wires its collaborators, on a fake clock at 01:00 on 2026-12-03.</summary>
    private async Task<ApplianceSnapshot> RunDailyBillsJobAsync(string key)
    {
        return (await RunDailyBillsJobWithLogsAsync(key)).Status;
    }

    private async Task<(ApplianceSnapshot Status, CapturingLoggerFactory Logs)> RunDailyBillsJobWithLogsAsync(string key)
    {
        var logs = new CapturingLoggerFactory();
        var settings = new Dictionary<string, string?>(Meters(key).Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)))
        {
            ["Storage:Path"] = Store,
            ["Site:BatteryCapacityKwh"] = "10", ["Site:ReserveSocPercent"] = "10", ["Site:BatteryMaxChargeKw"] = "3", ["Site:BatteryMaxDischargeKw"] = "3",
        };
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(logs.For<DailyBillsJob>());
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero)));
        services.AddHistory(config);
        services.AddPriceSources(config);
        services.AddSingleton<ApplianceStatusStore>();
        services.AddSingleton<IApplianceStatusPublisher>(sp => sp.GetRequiredService<ApplianceStatusStore>());
        services.AddSingleton<IScheduleOptimiser, OrToolsScheduleOptimiser>();
        services.Configure<SiteOptions>(config.GetSection(SiteOptions.SectionName));
        services.Configure<ControlOptions>(config.GetSection(ControlOptions.SectionName));
        services.AddTransient<DailyBillsJob>();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DailyBillsJob>().RunAsync(CancellationToken.None);
        return (provider.GetRequiredService<ApplianceStatusStore>().Current, logs);
    }

    [Fact]
    public async Task In_the_service_each_days_bills_include_the_standing_charge_in_force_that_day()
    {
        var status = await RunDailyBillsJobAsync(Key);

        var bills = status.Bills!;
        Assert.Equal(new DateOnly(2026, 12, 2), bills.Yesterday);
        var (first, second) = (bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 1)), bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 2)));
        Assert.Null(second.IncompleteReason);
        Assert.Equal(50.0, first.StandingPence);
        Assert.Equal(52.5, second.StandingPence);
        Assert.Equal(52.5, bills.YesterdayBills!.StandingPence);
        Assert.Equal(second.ActualPence, bills.YesterdayBills.ActualPence);
        // The savings do not move: every bill carries the same charge.
        Assert.Equal(second.NoBatteryPence!.Value - second.EdgeEnergyPence!.Value, bills.YesterdayBills.NoBatteryPence - bills.YesterdayBills.EdgeEnergyPence, 9);
    }

    [Fact]
    public async Task In_the_service_a_day_without_a_published_standing_charge_has_no_bills_and_the_reason_names_the_day()
    {
        // The list ends with 1 December: 2 December (yesterday) has no charge.
        _tariffs.WithRows("E-1R-AGILE-24-10-01-C", "standing-charges", [FakeOctopusApi.Row(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), 50.0)]);

        var status = await RunDailyBillsJobAsync(Key);

        Assert.Null(status.Bills!.YesterdayBills);
        Assert.Equal("standing charge missing: E-1R-AGILE-24-10-01-C publishes no standing charge for 2026-12-02", status.Bills.Days[^1].IncompleteReason);
        Assert.Null(status.Bills.Days[^1].ActualPence);
    }

    [Fact]
    public async Task In_the_service_standing_charges_octopus_does_not_serve_leave_the_days_without_bills_and_are_logged()
    {
        _tariffs.MalformedPages.Add(1);

        var (status, logs) = await RunDailyBillsJobWithLogsAsync(Key);

        Assert.Null(status.Bills!.YesterdayBills);
        Assert.StartsWith("standing charges not read: Octopus E-1R-AGILE-24-10-01-C standing-charges:", status.Bills.Days[^1].IncompleteReason, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning DailyBillsJob: Daily bills: the standing charges were not read, so the days have no bills: Octopus E-1R-AGILE-24-10-01-C", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_the_service_a_refused_key_degrades_the_octopus_meters_component_with_the_reason_and_the_bills_still_go_out()
    {
        var status = await RunDailyBillsJobAsync("sk_live_refused");

        var meters = Assert.Single(status.Components, c => c.Component == DailyBillsJob.MetersComponent);
        Assert.Equal(HealthState.Degraded, meters.State);
        Assert.StartsWith("refused by Octopus: Octopus:ApiKey: Octopus refused the key (HTTP 401", meters.Detail, StringComparison.Ordinal);
        Assert.NotNull(status.Bills);
        Assert.NotNull(status.Bills!.YesterdayBills);
    }

    [Fact]
    public async Task In_the_service_meters_read_make_a_healthy_octopus_meters_component()
    {
        var status = await RunDailyBillsJobAsync(Key);

        var meters = Assert.Single(status.Components, c => c.Component == DailyBillsJob.MetersComponent);
        Assert.Equal(HealthState.Healthy, meters.State);
        Assert.Equal("billed consumption read: 95 import and 95 export half hours over the last 7 days", meters.Detail);
    }
}
