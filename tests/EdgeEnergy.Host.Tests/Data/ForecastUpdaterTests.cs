using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Data;

/// <summary>Recorded Solcast payloads on loopback, the real adapter, and the real SQLite store and ledger.</summary>
public sealed class ForecastUpdaterTests : IAsyncLifetime
{
    private const string Key = "solcast-key-for-tests";
    private static readonly string[] s_sites = ["9d85-2347-e8eb-ee72", "d633-d82c-f6d7-5f01"];
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2024-01-10T00:05:00Z"));
    private readonly FakeSolcastApi _api = new(Key);
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-solcast-").FullName;
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A fresh updater on a fresh connection to the same file: what a process restart gives.</summary>
    private ForecastUpdater Updater(int budget = 10)
    {
        var options = new SolcastOptions { BaseUrl = _server.BaseUrl.ToString(), ApiKey = Key, DailyCallBudget = budget, RetryBaseDelay = TimeSpan.Zero };
        foreach (var site in s_sites)
        {
            options.Sites.Add(site);
        }

        var database = new SqliteDatabase(Path.Combine(_folder, "store.db"));
        var store = new SqlitePvForecastStore(database);
        var source = new SolcastForecastSource(new HttpClient(), Options.Create(options), store, _clock, NullLogger<SolcastForecastSource>.Instance);
        return new ForecastUpdater(source, store, store, new SqliteSettingsStore(database), Options.Create(options), _clock, NullLogger<ForecastUpdater>.Instance);
    }

    private static int RequestsOn(DateOnly day, List<(DateTimeOffset At, int Count)> log) => log.Where(l => DateOnly.FromDateTime(l.At.UtcDateTime) == day).Sum(l => l.Count);

    [Fact]
    public async Task Two_days_of_ten_minute_checks_with_restarts_never_exceed_the_budget()
    {
        var log = new List<(DateTimeOffset At, int Count)>();
        var updater = Updater();
        for (var step = 0; step < 2 * 24 * 6; step++)
        {
            if (step % 37 == 0)
            {
                updater = Updater(); // restart: nothing but the store carries over
            }

            var before = _server.Requests.Count;
            var result = await updater.UpdateAsync(CancellationToken.None);
            Assert.Empty(result.Errors);
            log.Add((_clock.GetUtcNow(), _server.Requests.Count - before));
            _clock.Advance(TimeSpan.FromMinutes(10));
        }

        foreach (var day in new[] { new DateOnly(2024, 1, 10), new DateOnly(2024, 1, 11) })
        {
            // Two sites: a cold start or four scheduled forecast refreshes, plus evening actuals, all within 10.
            Assert.InRange(RequestsOn(day, log), 8, 10);
        }

        // Refreshes land at the scheduled UK times (GMT in January): 04:30, 09:30, 12:30, 15:30.
        var refreshHours = log.Where(l => l.Count > 0 && l.At.Date == new DateTime(2024, 1, 11)).Select(l => l.At.UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(["04:35", "09:35", "12:35", "15:35", "21:35"], refreshHours);
    }

    [Fact]
    public async Task A_restart_right_after_a_refresh_spends_no_calls()
    {
        await Updater().UpdateAsync(CancellationToken.None);
        var spent = _server.Requests.Count;
        Assert.Equal(2, spent);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var again = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Equal(spent, _server.Requests.Count);
        Assert.Equal(2, again.CallsUsedToday);
    }

    [Fact]
    public async Task A_429_blocks_every_call_until_its_retry_after_even_across_a_restart()
    {
        _api.RetryAfterSeconds = 2 * 3600;
        _api.TooManyRequests(1);
        var first = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Contains(first.Errors, e => e.Contains("429"));
        Assert.Single(_server.Requests);

        _clock.Advance(TimeSpan.FromHours(1));
        var blocked = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Contains("wait until", blocked.Decision);
        Assert.Single(_server.Requests);

        _clock.Advance(TimeSpan.FromHours(1.1));
        var after = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Equal(2, after.ForecastSites);
    }

    [Fact]
    public async Task Stored_forecasts_are_the_served_points_in_kilowatt_hours()
    {
        await Updater().UpdateAsync(CancellationToken.None);
        var store = new SqlitePvForecastStore(new SqliteDatabase(Path.Combine(_folder, "store.db")));
        var latest = await store.GetLatestForecastAsync(s_sites[0], CancellationToken.None);
        Assert.Equal(96, latest!.Points.Count);
        Assert.Equal(_clock.GetUtcNow(), latest.IssuedUtc);
        Assert.Equal(0.2156 / 2, latest.Points[0].P50Kwh, 9);
    }
}
