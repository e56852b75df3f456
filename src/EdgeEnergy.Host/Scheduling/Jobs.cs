using System.Diagnostics;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Host.Data;
using Quartz;

namespace EdgeEnergy.Host.Scheduling;

/// <summary>Runs a job body, logging a failure instead of letting it escape into Quartz (the next trigger retries).</summary>
internal static class JobRunner
{
    public static async ValueTask RunAsync(ILogger logger, string job, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.JobFailed(job, e);
        }
    }
}

/// <summary>Checks the price poll schedule and fetches when due (and fills any gap in the stored prices).</summary>
[DisallowConcurrentExecution]
internal sealed class PriceFetchJob(PriceUpdater updater, ILogger<PriceFetchJob> logger) : IJob
{
    public static readonly JobKey Key = new("price-fetch", "data");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, async () =>
        {
            if (await updater.IsDueAsync(cancellationToken))
            {
                await updater.UpdateAsync(cancellationToken);
            }
        });
}

/// <summary>Refreshes Solcast forecasts when the refresh policy and the call budget allow.</summary>
[DisallowConcurrentExecution]
internal sealed class SolcastFetchJob(ForecastUpdater updater, ILogger<SolcastFetchJob> logger) : IJob
{
    public static readonly JobKey Key = new("solcast-fetch", "data");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, () => updater.UpdateAsync(cancellationToken));
}

/// <summary>Downsamples and prunes history.</summary>
[DisallowConcurrentExecution]
internal sealed class RetentionJob(IHistoryRetention retention, TimeProvider timeProvider, ILogger<RetentionJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention", "data");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, () => retention.ApplyAsync(timeProvider.GetUtcNow(), cancellationToken));
}

/// <summary>
/// A full, compacting collection that also returns the collector's free memory to the system
/// (<see cref="GCCollectionMode.Aggressive"/>). Left to itself the collector lets generation 2 fill with what outlived
/// a minute (plans, forecasts, telemetry) for an hour or more before it collects it, and keeps the memory committed
/// after: the service's resident memory crept about 1 MB every 10 minutes over two hours while the live heap stayed
/// near 3.5 MB (docs/reports/2026-12-03-native-aot.md). With a live heap that small the collection takes milliseconds.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class HeapCompactionJob(ILogger<HeapCompactionJob> logger) : IJob
{
    public static readonly JobKey Key = new("heap-compaction", "maintenance");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, () =>
        {
            Compact();
            return Task.CompletedTask;
        });

    public void Compact()
    {
        var before = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var duration = Stopwatch.GetElapsedTime(started);
        var after = GC.GetGCMemoryInfo(GCKind.Any);
        logger.HeapCompacted(before, after.TotalCommittedBytes, after.HeapSizeBytes, after.PromotedBytes, duration);
    }
}

/// <summary>
/// Retrains the load model (<see cref="LoadModelTraining"/>; nothing unless <c>Control:LoadForecast</c> is learned),
/// the next planning cycle plans on its choice. Training runs on this job's thread, one core, for seconds.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class LoadModelJob(IServiceProvider services, ILogger<LoadModelJob> logger) : IJob
{
    public static readonly JobKey Key = new("load-model", "control");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, async () =>
        {
            if (services.GetService<LoadModelTraining>() is { Enabled: true } training)
            {
                await training.RunAsync(cancellationToken);
            }
        });
}

/// <summary>
/// One planning cycle, on the regular schedule or when triggered by an event (the trigger reason travels in the job
/// data). Never runs concurrently with itself; events that arrive during a run are coalesced by Quartz into one
/// later run.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PlanningJob(IServiceProvider services, ReplanGate gate, ILogger<PlanningJob> logger) : IJob
{
    public static readonly JobKey Key = new("planning", "control");
    public const string TriggerData = "trigger";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, async () =>
        {
            // From here on a new event needs a new run: this one may already have read the old inputs.
            gate.Started();
            var trigger = context.MergedJobDataMap.TryGetValue(TriggerData, out var value) && value is string text && Enum.TryParse<PlanningTrigger>(text, out var parsed)
                ? parsed
                : PlanningTrigger.Scheduled;
            var cycle = services.GetService<IPlanningCycle>();
            if (cycle is null)
            {
                logger.NoPlanningCycle(trigger);
                return;
            }

            await cycle.RunAsync(trigger, cancellationToken);
        });
}

/// <summary>Coalesces replan requests: while one event-triggered run is waiting to start, further events add nothing.</summary>
internal sealed class ReplanGate
{
    private int _pending;

    /// <summary>True when no requested run is waiting (and marks one as waiting).</summary>
    public bool TryRequest() => Interlocked.Exchange(ref _pending, 1) == 0;

    /// <summary>A planning run has started: the next event needs a run of its own.</summary>
    public void Started() => Interlocked.Exchange(ref _pending, 0);
}

/// <summary>
/// <see cref="IReplanRequester"/> on Quartz: fires the planning job now with the reason in its data. Requests that
/// arrive while an earlier one is still waiting are coalesced into it (the job never runs concurrently with itself).
/// </summary>
internal sealed class QuartzReplanRequester(ISchedulerFactory schedulers, ReplanGate gate, ILogger<QuartzReplanRequester> logger) : IReplanRequester
{
    public async Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
    {
        if (!gate.TryRequest())
        {
            logger.ReplanCoalesced(trigger);
            return;
        }

        logger.ReplanRequested(trigger);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(PlanningJob.Key, new JobDataMap { [PlanningJob.TriggerData] = trigger.ToString() }, cancellationToken);
    }
}

/// <summary>
/// <see cref="IClockStepListener"/> on Quartz, whose triggers run on the system's wall clock. After a step back the
/// next fire of every repeating interval trigger (prices, planning, retention, …) would come the step's length late,
/// and a plan older than <c>Control:PlanMaxAgeMinutes</c> hands over to the fallback rules meanwhile: each is moved back
/// by the step, so it fires as far ahead as it did before the step. A step ahead needs nothing: the fires it skipped
/// are misfires, run once now (<see cref="SimpleTriggerMisfireInstruction.NowWithExistingCount"/>). Calendar triggers
/// (the daily bills after UK midnight) keep to the wall clock on purpose.
/// </summary>
internal sealed class QuartzClockStepAdjuster(ISchedulerFactory schedulers, ILogger<QuartzClockStepAdjuster> logger) : IClockStepListener
{
    public async Task ClockSteppedAsync(TimeSpan stepSize, CancellationToken cancellationToken)
    {
        if (stepSize >= TimeSpan.Zero)
        {
            return;
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var key in await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.AnyGroup(), cancellationToken))
        {
            if (await scheduler.GetTrigger(key, cancellationToken) is not ISimpleTrigger { RepeatCount: < 0 } trigger
                || trigger.NextFireTimeUtc is not { } next)
            {
                continue;
            }

            var moved = next + stepSize;
            await scheduler.RescheduleJob(key, trigger.GetTriggerBuilder().StartAt(moved).Build(), cancellationToken);
            logger.TriggerMovedForClockStep(stepSize, key.Name, next, moved);
        }
    }
}
