using System.Net;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

/// <summary>One budget counts every Octopus call of every client; spent, nothing is sent and each caller degrades.</summary>
public sealed class OctopusCallBudgetTests : IAsyncLifetime
{
    private const string Key = "sk_live_budget0123456789";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerFactory _logs = new();
    private FakeOctopusAccountApi _api = null!;
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _api = new FakeOctopusAccountApi(Key, "A-1234ABCD", _time);
        _server = await LoopbackHttpServer.StartAsync(c => _api.HandleAsync(c));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Counts_calls_of_every_client_in_one_place_refuses_the_sixth_within_the_hour_and_frees_a_call_an_hour_after_the_first()
    {
        var options = Options.Create(new OctopusOptions
        {
            BaseUrl = _server.BaseUrl.ToString(), ApiKey = Key, AccountNumber = "A-1234ABCD", CallsPerHour = 5, RetryAttempts = 1,
        });
        var budget = new OctopusCallBudget(options, _time);
        HttpClient Budgeted() => new(new OctopusCallBudgetHandler(budget, _time) { InnerHandler = new HttpClientHandler() });
        var account = new OctopusAccountClient(Budgeted(), options, _time, _logs.For<OctopusAccountClient>());
        using var graphQl = new OctopusGraphQlClient(Budgeted(), options, _time, _logs.For<OctopusGraphQlClient>());
        var dispatches = new OctopusDispatchSource(graphQl, options, _time, _logs.For<OctopusDispatchSource>());

        await account.GetAccountAsync(CancellationToken.None); // 1
        _time.Advance(TimeSpan.FromMinutes(10));
        await dispatches.GetPlannedAsync(CancellationToken.None); // 2 token, 3 devices, 4 dispatches
        await account.GetAccountAsync(CancellationToken.None); // 5
        Assert.Equal(5, budget.Used);

        var e = await Assert.ThrowsAsync<OctopusAccountException>(() => dispatches.GetPlannedAsync(CancellationToken.None));
        Assert.Contains("429", e.Message, StringComparison.Ordinal);
        Assert.Contains("Octopus:CallsPerHour", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, _server.Requests.Count); // the sixth never left

        _time.Advance(TimeSpan.FromMinutes(50)); // an hour after the first call: one call is free again
        Assert.Equal(4, budget.Used);
        await dispatches.GetPlannedAsync(CancellationToken.None);
        Assert.Equal(6, _server.Requests.Count);
        Assert.False(budget.TryReserve(out var next));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 13, 10, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public async Task The_refusal_is_a_429_with_retry_after_at_the_time_a_call_frees()
    {
        var options = Options.Create(new OctopusOptions { CallsPerHour = 5 });
        var budget = new OctopusCallBudget(options, _time);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(budget.TryReserve(out _));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        using var client = new HttpClient(new OctopusCallBudgetHandler(budget, _time) { InnerHandler = new HttpClientHandler() });
        using var response = await client.GetAsync(_server.BaseUrl);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(55), response.Headers.RetryAfter!.Delta);
        Assert.Empty(_server.Requests);
    }
}
