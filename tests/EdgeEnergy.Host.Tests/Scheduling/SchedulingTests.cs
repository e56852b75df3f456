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
    public async Task Events_during_a_run_coalesce_into_one_replan_that_never_overlaps_it()
    {
        // The scheduled cycle starts with the host; three events arrive while it runs.
        await _cycle.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var replan = _host.Services.GetRequiredService<IReplanRequester>();
        await replan.RequestReplanAsync(PlanningTrigger.NewPrices, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.Override, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.ForecastMiss, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (_cycle.Runs.Count < 2)
        {
            await Task.Delay(50, timeout.Token);
        }

        await Task.Delay(1000); // room for a wrong third run to show up
        Assert.Equal([PlanningTrigger.Scheduled, PlanningTrigger.NewPrices], _cycle.Runs);
        Assert.Equal(1, _cycle.MaxConcurrent);

        // After that run started, a new event gets a run of its own.
        await replan.RequestReplanAsync(PlanningTrigger.Override, CancellationToken.None);
        while (_cycle.Runs.Count < 3)
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.Equal(PlanningTrigger.Override, _cycle.Runs.Last());
    }

    private sealed class SlowPlanningCycle : IPlanningCycle
    {
        private int _running;

        public System.Collections.Concurrent.ConcurrentQueue<PlanningTrigger> Runs { get; } = new();

        public int MaxConcurrent { get; private set; }

        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            FirstStarted.TrySetResult();
            MaxConcurrent = Math.Max(MaxConcurrent, now);
            await Task.Delay(500, cancellationToken);
            Runs.Enqueue(trigger);
            Interlocked.Decrement(ref _running);
        }
    }
}
