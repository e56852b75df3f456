using System.Text.Json;
using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.Solcast;

public sealed class SolcastForecastSourceTests : IAsyncLifetime
{
    private const string Key = "sk-test-0123456789abcdef";
    private const string Site = "9d85-2347-e8eb-ee72";
    private readonly FakeSolcastApi _api = new(Key);
    private readonly InMemoryApiCallLedger _ledger = new();
    private readonly CapturingLoggerFactory _logs = new();
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        // Whatever happened in the test, the key never reached a log line.
        Assert.DoesNotContain(Key, _logs.All);
    }

    private SolcastForecastSource Source(int budget = 10, string key = Key)
    {
        var options = new SolcastOptions { BaseUrl = _server.BaseUrl.ToString(), ApiKey = key, DailyCallBudget = budget, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
        options.Sites.Add(Site);
        return new SolcastForecastSource(new HttpClient(), Options.Create(options), _ledger, TimeProvider.System, _logs.For<SolcastForecastSource>());
    }

    [Fact]
    public async Task Forecast_kilowatts_become_kilowatt_hours_per_slot_ending_at_period_end()
    {
        var points = await Source().FetchForecastAsync(Site, CancellationToken.None);
        using var raw = JsonDocument.Parse(FixtureData.Text($"solcast_forecasts_{Site}.json"));
        var first = raw.RootElement.GetProperty("forecasts")[0];
        var end = DateTimeOffset.Parse(first.GetProperty("period_end").GetString()!);
        var point = points.Single(p => p.EndUtc == end);
        Assert.Equal(end.AddMinutes(-30), point.StartUtc);
        Assert.Equal(first.GetProperty("pv_estimate").GetDouble() / 2, point.P50Kwh, 9);
        Assert.Equal(first.GetProperty("pv_estimate10").GetDouble() / 2, point.P10Kwh, 9);
        Assert.Equal(first.GetProperty("pv_estimate90").GetDouble() / 2, point.P90Kwh, 9);
        Assert.Equal(96, points.Count);
        Assert.All(points, p => Assert.True(p.P10Kwh <= p.P50Kwh && p.P50Kwh <= p.P90Kwh));
        Assert.Equal(points.OrderBy(p => p.StartUtc), points);
        Assert.Equal($"Bearer {Key}", _server.Authorizations.Single());
    }

    [Fact]
    public async Task Estimated_actuals_are_returned_oldest_first()
    {
        var actuals = await Source().FetchEstimatedActualsAsync(Site, CancellationToken.None);
        Assert.Equal(96, actuals.Count);
        Assert.Equal(actuals.OrderBy(a => a.StartUtc), actuals);
        Assert.All(actuals, a => Assert.True(a.Kwh >= 0));
    }

    [Fact]
    public async Task The_daily_budget_is_never_exceeded_and_over_budget_calls_send_nothing()
    {
        var source = Source(budget: 3);
        for (var i = 0; i < 3; i++)
        {
            await source.FetchForecastAsync(Site, CancellationToken.None);
        }

        var e = await Assert.ThrowsAsync<ForecastSourceException>(() => source.FetchForecastAsync(Site, CancellationToken.None));
        Assert.Contains("budget", e.Message);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(3, _ledger.Total);
    }

    [Fact]
    public async Task Retries_after_a_server_error_each_spend_a_call()
    {
        _api.ServerErrors(1);
        await Source().FetchForecastAsync(Site, CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(2, _ledger.Total);
    }

    [Fact]
    public async Task A_429_is_not_retried_and_its_retry_after_is_reported()
    {
        _api.TooManyRequests(5);
        var before = DateTimeOffset.UtcNow;
        var e = await Assert.ThrowsAsync<ForecastSourceException>(() => Source().FetchForecastAsync(Site, CancellationToken.None));
        Assert.Single(_server.Requests);
        Assert.NotNull(e.RetryAfterUtc);
        Assert.InRange(e.RetryAfterUtc!.Value, before.AddSeconds(3590), before.AddSeconds(3700));
    }

    [Fact]
    public async Task A_refused_key_names_the_setting_but_not_the_key()
    {
        var e = await Assert.ThrowsAsync<ForecastSourceException>(() => Source(key: "wrong-key-value").FetchForecastAsync(Site, CancellationToken.None));
        Assert.Contains("Solcast:ApiKey", e.Message);
        Assert.DoesNotContain("wrong-key-value", e.Message);
    }

    [Fact]
    public void Validation_names_the_keys()
    {
        var options = new SolcastOptions { ApiKey = "", DailyCallBudget = 3 };
        options.Sites.Add("a-b");
        options.Sites.Add("c d");
        options.ForecastTimes.Add("25:00");
        var result = new SolcastOptionsValidator().Validate(null, options);
        Assert.Contains(result.Failures!, f => f.Contains("Solcast:ApiKey is required"));
        Assert.Contains(result.Failures!, f => f.Contains("Solcast:Sites entry 'c d'"));
        Assert.Contains(result.Failures!, f => f.Contains("Solcast:ForecastTimes entry '25:00'"));
    }

    [Fact]
    public void A_schedule_the_budget_cannot_pay_for_is_refused()
    {
        var options = new SolcastOptions { ApiKey = "k", DailyCallBudget = 6 };
        options.Sites.Add("a,b");
        var result = new SolcastOptionsValidator().Validate(null, options);
        Assert.Contains(result.Failures!, f => f.Contains("needs 8 calls a day for 2 site(s)") && f.Contains("Solcast:DailyCallBudget"));
    }
}
