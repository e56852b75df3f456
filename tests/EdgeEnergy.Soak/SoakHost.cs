using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Host.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Soak;

/// <summary>
/// One life of the appliance in the soak: <see cref="ApplianceHost.Build"/> with the soak's clock as the one
/// <see cref="TimeProvider"/>, every hosted service running (MQTT, modes, user state, …) except two the soak drives
/// itself on that clock: the control loop's poll (<see cref="ControlLoopService"/>: the same
/// <see cref="ControlLoop.RunOnceAsync"/> every <c>Control:PollSeconds</c>) and Quartz (which keeps its own clock: its
/// jobs' bodies run here at their schedule: prices every <c>Scheduling:PriceCheckMinutes</c>, planning every
/// <c>Scheduling:PlanningMinutes</c> and as soon as a replan is asked for, retention every <c>Scheduling:RetentionHours</c>).
/// </summary>
internal sealed class SoakHost : IAsyncDisposable, IReplanRequester
{
    private readonly WebApplication _app;
    private readonly SoakRun _run;
    private readonly CancellationTokenSource _life = new();
    private int _replanWanted;
    private PlanningTrigger _replanTrigger;
    private int _startedMinute = -1;

    private SoakHost(WebApplication app, SoakRun run) => (_app, _run) = (app, run);

    public IServiceProvider Services => _app.Services;

    /// <summary>The last command the control loop sent (what it wants the inverter to do), null before the first.</summary>
    public InverterCommand? LastSent { get; private set; }

    public static async Task<SoakHost> StartAsync(IConfiguration configuration, TimeProvider clock, SoakRun run, CancellationToken cancellationToken)
    {
        SoakHost? host = null;
        var app = ApplianceHost.Build(configuration, minimumLevel: LogLevel.Error, adjustServices: services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            services.RemoveAll<IReplanRequester>();
            services.AddSingleton<IReplanRequester>(_ => host!);
            services.RemoveAll<IClockStepListener>(); // Quartz does not run; the soak's job cadence counts elapsed minutes
            var driven = services.Where(d => d.ServiceType == typeof(IHostedService)
                && (d.ImplementationType == typeof(ControlLoopService) || (d.ImplementationType?.FullName ?? "").StartsWith("Quartz", StringComparison.Ordinal)
                    || (d.ImplementationFactory?.Method.ReturnType.FullName ?? "").StartsWith("Quartz", StringComparison.Ordinal))).ToList();
            if (driven.Count != 2)
            {
                throw new InvalidOperationException($"expected the control loop and Quartz among the hosted services, found {driven.Count}: {string.Join(", ", driven.Select(d => d.ImplementationType?.Name ?? d.ImplementationFactory?.Method.ReturnType.Name))}");
            }

            foreach (var d in driven)
            {
                services.Remove(d);
            }
        });
        host = new SoakHost(app, run);
        await run.PumpAsync(app.StartAsync(cancellationToken), "start");
        return host;
    }

    public Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
    {
        _replanTrigger = trigger;
        Interlocked.Exchange(ref _replanWanted, 1);
        return Task.CompletedTask;
    }

    /// <summary>What the scheduler and the control loop's poll would do in this minute, in their order.</summary>
    public async Task RunMinuteAsync(int m, SoakResult result, CancellationToken cancellationToken)
    {
        var first = _startedMinute < 0;
        if (first)
        {
            _startedMinute = m;
        }

        var age = m - _startedMinute;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
        var ct = linked.Token;
        if (age % SoakSettings.PriceCheckMinutes == 0)
        {
            var updater = Services.GetRequiredService<PriceUpdater>();
            await _run.PumpAsync(PriceJobAsync(updater, result, ct), "price job");
        }

        var scheduled = age % SoakSettings.PlanningMinutes == 0;
        if (scheduled || Interlocked.Exchange(ref _replanWanted, 0) == 1)
        {
            var cycle = Services.GetRequiredService<IPlanningCycle>();
            result.PlanningRuns++;
            await _run.PumpAsync(Guarded(() => cycle.RunAsync(scheduled ? PlanningTrigger.Scheduled : _replanTrigger, ct)), "planning");
        }

        if (age > 0 && age % (SoakSettings.RetentionHours * 60) == 0)
        {
            var retention = Services.GetRequiredService<IHistoryRetention>();
            var clock = Services.GetRequiredService<TimeProvider>();
            await _run.PumpAsync(Guarded(() => retention.ApplyAsync(clock.GetUtcNow(), ct)), "retention");
        }

        if (age % (SoakSettings.PollSeconds / 60) == 0)
        {
            var loop = Services.GetRequiredService<ControlLoop>();
            var step = loop.RunOnceAsync(ct);
            await _run.PumpAsync(step, "control step");
            if (step.Result.Sent is { } sent)
            {
                LastSent = sent;
            }

            var source = step.Result.Decision is { } decision ? decision.Source.ToString() : "no decision";
            result.DecisionSources[source] = result.DecisionSources.GetValueOrDefault(source) + 1;
        }
    }

    private async Task PriceJobAsync(PriceUpdater updater, SoakResult result, CancellationToken ct) => await Guarded(async () =>
    {
        if (await updater.IsDueAsync(ct))
        {
            result.PriceFetches++;
            await updater.UpdateAsync(ct);
        }
    });

    /// <summary>As Quartz's <c>JobRunner</c>: a job's failure is the job's, the next trigger retries.</summary>
    private async Task Guarded(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _run.Log($"job failed: {e.GetType().Name}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync(); // no grace: the SIGKILL equivalent stops at once
        try
        {
            await _run.PumpAsync(_app.StopAsync(stop.Token), "stop");
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
        _life.Dispose();
    }
}
