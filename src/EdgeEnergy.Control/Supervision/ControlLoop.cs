using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>A path to the battery: telemetry and commands, with the name the audit log uses.</summary>
public sealed record BatteryPath(string Name, IInverterTelemetrySource Telemetry, IBatteryModeController Controller);

/// <summary>What one poll did, for the host (watchdog) and tests.</summary>
public sealed record ControlStepResult(bool Healthy, ControlDecision? Decision, InverterCommand? Sent, string PathUsed, string? Problem);

/// <summary>Everything the control loop works with; the optional parts are off when null.</summary>
public sealed record ControlLoopParts
{
    /// <summary>Modbus: telemetry and commands.</summary>
    public required BatteryPath Primary { get; init; }

    /// <summary>Home Assistant, used after <see cref="ControlOptions.HomeAssistantAfterFailedPolls"/> failed polls.</summary>
    public BatteryPath? HomeAssistant { get; init; }

    public INativeScheduleWriter? NativeSchedule { get; init; }

    public required IRateStore Rates { get; init; }

    public required ITelemetryStore TelemetryStore { get; init; }

    public required IAuditLog Audit { get; init; }

    /// <summary>The plan to follow (written by the planning cycle).</summary>
    public required PlanInForce Plan { get; init; }

    /// <summary>The status read model the loop projects each poll onto.</summary>
    public required IApplianceStatusPublisher Status { get; init; }

    public OverrideService? Overrides { get; init; }

    public IReplanRequester? Replan { get; init; }

    /// <summary>Told of a wall-clock step (the scheduler, whose interval triggers run on the wall clock).</summary>
    public IClockStepListener? ClockSteps { get; init; }

    public required SiteOptions Site { get; init; }

    public required ControlOptions Options { get; init; }

    /// <summary>The reserve a person set at run time (Home Assistant), null when they have not.</summary>
    public Func<double?>? ReserveSocPercent { get; init; }

    public ImmersionSwitcher? Immersions { get; init; }

    public WriteGate? Gate { get; init; }

    /// <summary>The car charger's measured draw, stored beside each telemetry minute so the load history can leave the car out.</summary>
    public ICarChargingMeter? Car { get; init; }
}

/// <summary>
/// One poll of the control loop, a small loop over collaborators with one job each: read telemetry with failover
/// (<see cref="TelemetryFailover"/>), decide (<see cref="FollowedDecisions"/>: override, plan slot or fallback rules),
/// send (<see cref="CommandSender"/>: hard limits and anti-flapping, audit), switch the immersion relays, keep the
/// inverter's native fallback schedule (<see cref="NativeScheduleKeeper"/>), meter today's cost
/// (<see cref="CostMeter"/>), publish the status (<see cref="ControlStatusPublisher"/>) and ask for a replan when
/// reality leaves the plan (<see cref="DriftReplanner"/>). Each step's failure is logged and the others still run: no
/// exception leaves <see cref="RunOnceAsync"/>. Modbus is the primary path; after N failed polls commands go through
/// Home Assistant when it is configured. In shadow mode (<see cref="WriteGate.Mode"/>) the loop reads, decides and
/// publishes exactly as in active, but sends nothing, keeps no native schedule and switches no relay: each poll it
/// records in the audit log what it would have commanded and why, next to what the inverter actually did. A poll
/// that read telemetry is healthy in shadow.
/// </summary>
public sealed class ControlLoop
{
    private readonly ControlLoopParts _parts;
    private readonly TimeProvider _time;
    private readonly ILogger<ControlLoop> _logger;
    private readonly TelemetryFailover _telemetry;
    private readonly FollowedDecisions _decisions;
    private readonly CommandSender _sender;
    private readonly NativeScheduleKeeper? _nativeSchedule;
    private readonly CostMeter _cost;
    private readonly ControlStatusPublisher _status;
    private readonly DriftReplanner? _replanner;
    private readonly TelemetryHistoryWriter _history;
    private readonly WallClockStepDetector _clockSteps;

    public ControlLoop(ControlLoopParts parts, TimeProvider time, ILogger<ControlLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(parts);
        (_parts, _time, _logger) = (parts, time, logger);
        _telemetry = new TelemetryFailover(parts.Primary, parts.HomeAssistant, parts.Options, logger);
        _decisions = new FollowedDecisions(parts.Site, parts.Options, parts.ReserveSocPercent, logger);
        _sender = new CommandSender(parts.Options, parts.Audit, logger);
        _nativeSchedule = parts.NativeSchedule is { } writer ? new NativeScheduleKeeper(writer, parts.Site, parts.Primary.Name, parts.Audit, logger) : null;
        _cost = new CostMeter(parts.Rates, parts.Options);
        _status = new ControlStatusPublisher(parts.Status, parts.Primary, parts.Options, parts.Immersions);
        _replanner = parts.Replan is { } replan ? new DriftReplanner(replan, parts.Options, logger) : null;
        _history = new TelemetryHistoryWriter(parts.TelemetryStore, parts.Status, Math.Max(1, 24 * 3600 / parts.Options.PollSeconds), logger);
        _clockSteps = new WallClockStepDetector(time);
    }

    public async Task<ControlStepResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await StepAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.StepFailed(e);
            return new ControlStepResult(false, null, null, _parts.Primary.Name, e.Message);
        }
    }

    private async Task<ControlStepResult> StepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_clockSteps.Observe(now) is { } step)
        {
            await ClockSteppedAsync(now, step, cancellationToken);
        }

        var reading = await _telemetry.ReadAsync(cancellationToken);
        var telemetry = reading.Telemetry;
        if (telemetry is not null)
        {
            var (plausible, rejected) = TelemetryPlausibility.Clean(telemetry, _parts.Site);
            if (rejected.Count > 0)
            {
                _logger.TelemetryImplausible(reading.Path.Name, string.Join("; ", rejected));
                telemetry = plausible;
                reading = reading with { Telemetry = plausible };
            }

            await _history.AppendAsync(new TelemetrySample(now, telemetry.BatterySocPercent, telemetry.BatteryPowerW, telemetry.GridPowerW, telemetry.LoadPowerW,
                telemetry.PvPowerW, _parts.Car?.ChargingPowerW(now)), cancellationToken);
        }

        var import = new RateSeries(await _parts.Rates.GetAsync(RateKind.Import, new TimeRange(now.AddHours(-1), now.AddHours(36)), cancellationToken));
        var plan = _parts.Plan.Current;
        var userOverride = _parts.Overrides?.Current;
        var decision = _decisions.Decide(new ControlInputs(now, telemetry?.BatterySocPercent, plan, userOverride, import));

        var shadow = _parts.Gate?.Mode == ControlMode.Shadow;
        var canSend = telemetry is not null || reading.Path == _parts.HomeAssistant || reading.Problem is null;
        var sent = await _sender.StepAsync(now, reading, decision, shadow, canSend, cancellationToken);
        var problem = reading.Problem ?? sent.Problem;

        if (shadow)
        {
            _nativeSchedule?.Forget();
        }
        else
        {
            // Immersion relays follow the plan (off when the fallback rules are in charge: they plan no hot water).
            if (_parts.Immersions is { } immersions)
            {
                await IsolatedAsync(() => immersions.StepAsync(now, plan, decision.FallbackCause is null, telemetry?.LoadPowerW, cancellationToken), cancellationToken);
            }

            if (_nativeSchedule is not null && telemetry is not null)
            {
                await IsolatedAsync(() => _nativeSchedule.KeepAsync(now, import, cancellationToken), cancellationToken);
            }
        }

        if (telemetry is not null)
        {
            await IsolatedAsync(() => _cost.AddAsync(now, telemetry, import, cancellationToken), cancellationToken);
        }

        _status.Publish(new PollReport(now, reading, decision, sent.Command, problem, _decisions.Fallback, _cost.Today, userOverride, _sender.Applied, _sender.Failed));

        if (_replanner is not null && telemetry?.BatterySocPercent is { } soc)
        {
            await IsolatedAsync(() => _replanner.StepAsync(now, soc, plan, cancellationToken), cancellationToken);
        }

        var healthy = telemetry is not null && (shadow || sent.Sent is not null || !sent.Due);
        return new ControlStepResult(healthy, decision, sent.Sent, reading.Path.Name, problem);
    }

    /// <summary>
    /// The wall clock stepped: what counts elapsed time (re-sends, the anti-flapping dwell, the drift replanner's pause)
    /// keeps counting the time that really passed, the scheduler is told (<see cref="ControlLoopParts.ClockSteps"/>),
    /// and a replan is asked for, because the plan in force was laid out on the old clock (after a step back it may not cover "now" yet; after a step ahead its slots are the wrong ones).
    /// </summary>
    private async Task ClockSteppedAsync(DateTimeOffset now, TimeSpan step, CancellationToken cancellationToken)
    {
        _logger.WallClockStepped(step, now - step, now);
        _sender.ClockStepped(step);
        _replanner?.ClockStepped(step);
        _history.ClockStepped();
        if (_parts.ClockSteps is { } listener)
        {
            await IsolatedAsync(() => listener.ClockSteppedAsync(step, cancellationToken), cancellationToken);
        }

        if (_parts.Replan is { } replan)
        {
            await IsolatedAsync(() => replan.RequestReplanAsync(PlanningTrigger.ClockStep, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Runs one step; its failure is logged and the poll goes on with the next.</summary>
    private async Task IsolatedAsync(Func<Task> step, CancellationToken cancellationToken)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.StepFailed(e);
        }
    }
}
