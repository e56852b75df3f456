using System.Text.Json;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Scheduling;
using EdgeEnergy.Host.Tests.Web;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Scheduling;

/// <summary>
/// The forecast-skill job on a real store and a fake clock: plans and telemetry stored as the service stores them, the
/// job run once, and its figures read back where a person sees them (the status API and /metrics).
/// </summary>
public sealed class ForecastSkillJobTests : IDisposable
{
    /// <summary>Ten past noon: the half hour in progress (12:00) is not scored.</summary>
    private static readonly DateTimeOffset s_now = new(2026, 6, 12, 12, 10, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_to = new(2026, 6, 12, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-skill-").FullName;
    private readonly SqliteDatabase _database;

    public ForecastSkillJobTests() => _database = new SqliteDatabase(Path.Combine(_folder, "store.db"));

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>
    /// The day before the window: 800 W of load (0.4 kWh a half hour). The window's day: 1,200 W (0.6 kWh), no solar.
    /// A plan made 2 minutes into each half hour of the window forecasting 0.5 kWh of load and no solar for 4 half hours.
    /// </summary>
    private async Task StoreADayAsync()
    {
        var telemetry = new SqliteTelemetryStore(_database);
        var samples = new List<TelemetrySample>();
        for (var t = s_to.AddDays(-2); t < s_to; t = t.AddMinutes(30))
        {
            var loadW = t < s_to.AddDays(-1) ? 800 : 1200;
            samples.Add(new TelemetrySample(t.AddMinutes(1), 50, 0, loadW, loadW, 0));
        }

        await telemetry.AppendAsync(samples, CancellationToken.None);
        var plans = new SqlitePlanLog(_database);
        for (var start = s_to.AddDays(-1); start < s_to; start = start.AddMinutes(30))
        {
            var problem = new PlanProblem
            {
                Start = start,
                Battery = new BatterySpec
                {
                    CapacityKwh = 10, SocKwh = 5, MinSocKwh = 1, MaxSocKwh = 10, MaxChargeKw = 3, MaxDischargeKw = 3, ChargeEfficiency = 0.95, DischargeEfficiency = 0.95,
                },
                Slots = [.. Enumerable.Repeat(new SlotInput { ImportPence = 20, ExportPence = 5, LoadKwh = 0.5, PvKwh = 0 }, 4)],
            };
            await plans.RecordAsync(start.AddMinutes(2), PlanningTrigger.Scheduled, problem, new Plan { Status = PlanStatus.Optimal, ObjectivePence = 0, SolveMilliseconds = 1, Slots = [] }, CancellationToken.None);
        }
    }

    private ForecastSkillJob Job(WebTestHost host) => new(
        new SqlitePlanLog(_database), new SqliteTelemetryStore(_database), host.Publisher,
        Options.Create(new JobScheduleOptions { ForecastSkillDays = 1 }), host.Time, NullLogger<ForecastSkillJob>.Instance);

    [Fact]
    public async Task The_job_puts_the_skill_of_the_stored_plans_in_the_status_api_and_metrics()
    {
        await StoreADayAsync();
        await using var host = await WebTestHost.StartBareAsync(now: s_now);

        await Job(host).RunAsync(CancellationToken.None);

        // 48 plans of 4 half hours, all within 2 h ahead; the last 3 plans reach past noon, which is not measured yet:
        // 45 × 4 + 3 + 2 + 1 = 186 slot forecasts, each 0.6 − 0.5 = 0.1 kWh low; persistence 0.6 − 0.4 = 0.2.
        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/status"));
        var skill = status.RootElement.GetProperty("forecastSkill");
        Assert.True(skill.GetProperty("enoughHistory").GetBoolean());
        Assert.Equal(s_to.AddDays(-1), skill.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(s_to, skill.GetProperty("to").GetDateTimeOffset());
        Assert.Equal(186, skill.GetProperty("slots").GetInt32());
        var load = skill.GetProperty("bands").EnumerateArray().Single(b => b.GetProperty("quantity").GetString() == "load" && b.GetProperty("lead").GetString() == "0-2h");
        Assert.Equal(186, load.GetProperty("slots").GetInt32());
        Assert.Equal(0.1, load.GetProperty("maeKwh").GetDouble(), 9);
        Assert.Equal(0.1, load.GetProperty("biasKwh").GetDouble(), 9);
        Assert.Equal(0.2, load.GetProperty("persistenceMaeKwh").GetDouble(), 9);
        var far = skill.GetProperty("bands").EnumerateArray().Single(b => b.GetProperty("quantity").GetString() == "load" && b.GetProperty("lead").GetString() == "12-24h");
        Assert.Equal(JsonValueKind.Null, far.GetProperty("maeKwh").ValueKind);

        var metrics = await host.Client.GetStringAsync("metrics");
        Assert.Equal(0.1, MetricsScrape.Sample(metrics, "edgeenergy_forecast_mae_kwh{quantity=\"load\",lead=\"0-2h\"}"), 9);
        Assert.Equal(0.1, MetricsScrape.Sample(metrics, "edgeenergy_forecast_bias_kwh{quantity=\"load\",lead=\"0-2h\"}"), 9);
        Assert.Equal(0.2, MetricsScrape.Sample(metrics, "edgeenergy_forecast_persistence_mae_kwh{quantity=\"load\",lead=\"0-2h\"}"), 9);
        Assert.Equal(0, MetricsScrape.Sample(metrics, "edgeenergy_forecast_mae_kwh{quantity=\"solar\",lead=\"0-2h\"}"));
        Assert.Equal(186, MetricsScrape.Sample(metrics, "edgeenergy_forecast_scored_slots{quantity=\"solar\",lead=\"0-2h\"}"));
        // A band with no forecasts scored has its count, and no error series (not a 0 that would read as perfect).
        Assert.Equal(0, MetricsScrape.Sample(metrics, "edgeenergy_forecast_scored_slots{quantity=\"load\",lead=\"12-24h\"}"));
        Assert.False(MetricsScrape.HasSeries(metrics, "edgeenergy_forecast_mae_kwh{quantity=\"load\",lead=\"12-24h\"}"));
    }

    [Fact]
    public async Task With_an_empty_store_the_status_says_not_enough_history_and_no_error_is_exported()
    {
        await using var host = await WebTestHost.StartBareAsync(now: s_now);

        await Job(host).RunAsync(CancellationToken.None);

        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/status"));
        var skill = status.RootElement.GetProperty("forecastSkill");
        Assert.False(skill.GetProperty("enoughHistory").GetBoolean());
        Assert.Equal(0, skill.GetProperty("slots").GetInt32());
        Assert.All(skill.GetProperty("bands").EnumerateArray(), b => Assert.Equal(JsonValueKind.Null, b.GetProperty("maeKwh").ValueKind));
        var metrics = await host.Client.GetStringAsync("metrics");
        Assert.False(MetricsScrape.HasSeries(metrics, "edgeenergy_forecast_mae_kwh{"));
        Assert.False(MetricsScrape.HasSeries(metrics, "edgeenergy_forecast_bias_kwh{"));
    }

    [Fact]
    public async Task The_window_follows_the_injected_clock()
    {
        await StoreADayAsync();
        await using var host = await WebTestHost.StartBareAsync(now: s_now);
        // A day later nothing new was stored: the window's day has no plans, so nothing is scored.
        host.Time.Advance(TimeSpan.FromDays(1));

        await Job(host).RunAsync(CancellationToken.None);

        var skill = host.Service<IApplianceStatus>().Current.ForecastSkill!;
        Assert.Equal(s_to.AddDays(1), skill.ToUtc);
        Assert.Equal(0, skill.Slots);
        Assert.False(skill.HasFigures);
    }

    [Fact]
    public async Task The_job_is_built_from_the_services_the_appliance_registers()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(_folder, "wired.db"),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddHistory(configuration).AddScheduling(configuration);
        services.AddSingleton<IApplianceStatusPublisher>(new ApplianceStatusStore()); // the web side's, in the appliance
        await using var provider = services.BuildServiceProvider();

        Assert.NotNull(ActivatorUtilities.CreateInstance<ForecastSkillJob>(provider));
    }
}
