using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Testing.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Host.Tests.Scheduling;

/// <summary>The Quartz wiring in a real generic host: event-triggered replans, never two planning cycles at once.</summary>
public sealed class SchedulingTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-scheduling-").FullName;
    private readonly SlowPlanningCycle _cycle = new();
    private LoopbackHttpServer _octopus = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _octopus = await LoopbackHttpServer.StartAsync(c =>
        {
            c.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(_folder, "store.db"),
            ["Octopus:BaseUrl"] = _octopus.BaseUrl.ToString(),
            ["Octopus:RetryAttempts"] = "1",
        });
        builder.Services.AddHistory(builder.Configuration).AddPriceSources(builder.Configuration).AddSolcast(builder.Configuration).AddScheduling(builder.Configuration);
        builder.Services.AddSingleton<IPlanningCycle>(_cycle);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _octopus.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Events_trigger_replans_that_never_overlap()
    {
        var replan = _host.Services.GetRequiredService<IReplanRequester>();
        await replan.RequestReplanAsync(PlanningTrigger.NewPrices, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.Override, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.ForecastMiss, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (_cycle.Runs.Count < 4)
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.Equal(1, _cycle.MaxConcurrent);
        Assert.Contains(PlanningTrigger.Scheduled, _cycle.Runs);
        Assert.Contains(PlanningTrigger.NewPrices, _cycle.Runs);
        Assert.Contains(PlanningTrigger.Override, _cycle.Runs);
        Assert.Contains(PlanningTrigger.ForecastMiss, _cycle.Runs);
    }

    private sealed class SlowPlanningCycle : IPlanningCycle
    {
        private int _running;

        public System.Collections.Concurrent.ConcurrentQueue<PlanningTrigger> Runs { get; } = new();

        public int MaxConcurrent { get; private set; }

        public async Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            MaxConcurrent = Math.Max(MaxConcurrent, now);
            await Task.Delay(200, cancellationToken);
            Runs.Enqueue(trigger);
            Interlocked.Decrement(ref _running);
        }
    }
}
