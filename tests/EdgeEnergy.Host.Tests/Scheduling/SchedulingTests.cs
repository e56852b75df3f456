using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Testing.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace EdgeEnergy.Host.Tests.Scheduling;

/// <summary>The Quartz wiring in a real generic host: event-triggered replans, never two planning cycles at once.</summary>
public sealed class SchedulingTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-scheduling-").FullName;
    private readonly HeldPlanningCycle _cycle = new();
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
        _cycle.ReleaseAll(); // Quartz waits for running jobs at stop
        await _host.StopAsync();
        _host.Dispose();
        await _octopus.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task After_the_wall_clock_steps_back_the_interval_triggers_are_moved_back_by_the_step_and_a_step_ahead_moves_none()
    {
        // Retention fires at start, then every 6 h. Quartz keeps the system clock, which no test can step: the step is
        // told to the adjuster as the control loop would, and the trigger's next fire must move back by it.
        var first = await _cycle.NextStartAsync();
        first.Release();
        var scheduler = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var key = new TriggerKey($"{EdgeEnergy.Host.Scheduling.RetentionJob.Key.Name}-every");
        var guard = DateTime.UtcNow.AddSeconds(20);
        DateTimeOffset before;
        while ((before = (await scheduler.GetTrigger(key))!.NextFireTimeUtc!.Value) < DateTimeOffset.UtcNow.AddHours(1))
        {
            Assert.True(DateTime.UtcNow < guard, "retention's first fire did not happen");
            await Task.Delay(20);
        }

        var listener = _host.Services.GetRequiredService<IClockStepListener>();
        await listener.ClockSteppedAsync(TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(before, (await scheduler.GetTrigger(key))!.NextFireTimeUtc);

        await listener.ClockSteppedAsync(TimeSpan.FromMinutes(-75), CancellationToken.None);
        var after = (await scheduler.GetTrigger(key))!.NextFireTimeUtc;
        Assert.Equal(before - TimeSpan.FromMinutes(75), after);
        Assert.True(((ISimpleTrigger)(await scheduler.GetTrigger(key))!).RepeatInterval == TimeSpan.FromHours(6));
    }

    [Fact]
    public async Task Events_during_a_run_coalesce_into_one_replan_that_never_overlaps_it()
    {
        // The scheduled cycle starts with the host and is held running while three events arrive.
        var first = await _cycle.NextStartAsync();
        Assert.Equal(PlanningTrigger.Scheduled, first.Trigger);
        var replan = _host.Services.GetRequiredService<IReplanRequester>();
        await replan.RequestReplanAsync(PlanningTrigger.NewPrices, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.Override, CancellationToken.None);
        await replan.RequestReplanAsync(PlanningTrigger.ForecastMiss, CancellationToken.None);
        first.Release();

        // One run for the three events, and not while the first still ran.
        var second = await _cycle.NextStartAsync();
        Assert.Equal(PlanningTrigger.NewPrices, second.Trigger);

        // An event after that run started gets a run of its own. Quartz starts waiting runs of the job in the order
        // they were fired, so a wrong run left over from the three events would start before this one.
        await replan.RequestReplanAsync(PlanningTrigger.Manual, CancellationToken.None);
        second.Release();
        var third = await _cycle.NextStartAsync();
        third.Release();

        Assert.Equal(PlanningTrigger.Manual, third.Trigger);
        Assert.Equal([PlanningTrigger.Scheduled, PlanningTrigger.NewPrices, PlanningTrigger.Manual], _cycle.Started);
        Assert.Equal(1, _cycle.MaxConcurrent);
    }

    /// <summary>Each run waits, counted as running, until the test releases it.</summary>
    private sealed class HeldPlanningCycle : IPlanningCycle
    {
        private readonly Channel<HeldRun> _starts = Channel.CreateUnbounded<HeldRun>();
        private readonly ConcurrentQueue<HeldRun> _all = new();
        private readonly ConcurrentQueue<PlanningTrigger> _started = new();
        private int _running;
        private int _maxConcurrent;
        private volatile bool _releaseAll;

        public IReadOnlyList<PlanningTrigger> Started => [.. _started];

        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public async Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _running);
            int seen;
            while ((seen = Volatile.Read(ref _maxConcurrent)) < running && Interlocked.CompareExchange(ref _maxConcurrent, running, seen) != seen)
            {
            }

            var run = new HeldRun(trigger);
            _started.Enqueue(trigger);
            _all.Enqueue(run);
            if (_releaseAll)
            {
                run.Release();
            }

            _starts.Writer.TryWrite(run);
            await run.Released.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _running);
        }

        /// <summary>The next run to start (Quartz starts them on its own threads).</summary>
        public async Task<HeldRun> NextStartAsync() => await _starts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        public void ReleaseAll()
        {
            _releaseAll = true;
            foreach (var run in _all)
            {
                run.Release();
            }
        }
    }

    private sealed class HeldRun(PlanningTrigger trigger)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PlanningTrigger Trigger { get; } = trigger;

        public Task Released => _released.Task;

        public void Release() => _released.TrySetResult();
    }
}
