using System.Globalization;
using EdgeEnergy.Control.Fallback;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Supervision;

/// <summary>A path to the battery: telemetry and commands, with the name the audit log uses.</summary>
public sealed record BatteryPath(string Name, IInverterTelemetrySource Telemetry, IBatteryModeController Controller);

/// <summary>What one poll did, for the host (watchdog) and tests.</summary>
public sealed record ControlStepResult(bool Healthy, ControlDecision? Decision, InverterCommand? Sent, string PathUsed, string? Problem);

/// <summary>
/// One poll of the control loop: read telemetry, decide (override, plan slot or fallback rules), apply hard limits
/// and anti-flapping, send the command when it changes (and re-send it periodically), record it in the audit log,
/// publish the appliance status, keep the inverter's native fallback schedule up to date, and ask for a replan when
/// reality leaves the plan. Modbus is the primary path; after N failed polls commands go through Home Assistant
/// when it is configured. Every step logs and carries on: no exception leaves <see cref="RunOnceAsync"/>.
/// In shadow mode (<see cref="WriteGate.Mode"/>) the loop reads, decides and publishes exactly as in active, but sends
/// nothing, keeps no native schedule and switches no relay: each poll it records in the audit log what it would have
/// commanded and why, next to what the inverter actually did. A poll that read telemetry is healthy in shadow.
/// </summary>
public sealed class ControlLoop(
    BatteryPath primary,
    BatteryPath? homeAssistant,
    INativeScheduleWriter? nativeSchedule,
    IRateStore rates,
    ITelemetryStore telemetryStore,
    IAuditLog audit,
    IApplianceStatus status,
    IApplianceStatusPublisher publisher,
    OverrideService? overrides,
    IReplanRequester? replan,
    IOptions<SiteOptions> site,
    IOptions<ControlOptions> options,
    TimeProvider time,
    ILogger<ControlLoop> logger,
    Func<double?>? reserveSocPercent = null,
    ImmersionSwitcher? immersions = null,
    WriteGate? gate = null)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private ControlDecider _decider = new(site.Value, options.Value);
    private double _deciderReserve = site.Value.ReserveSocPercent;
    private readonly CommandDebouncer _debouncer = new(TimeSpan.FromSeconds(options.Value.MinimumDwellSeconds), options.Value.PowerHysteresisW);
    private int _failedPolls;
    private InverterCommand? _lastSent;
    private string? _lastSentPath;
    private DateTimeOffset _lastSentAt;
    private string? _fallbackCause;
    private DateTimeOffset? _fallbackSince;
    private DateOnly? _nativeScheduleDay;
    private string? _nativeScheduleWritten;
    private DateTimeOffset _lastReplanRequest = DateTimeOffset.MinValue;
    private CostToday? _costToday;
    private long _commandsApplied;
    private long _commandsFailed;
    private (DateTimeOffset At, InverterTelemetry Telemetry)? _lastReading;
    private bool _socMeasured;

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
            logger.StepFailed(e);
            return new ControlStepResult(false, null, null, primary.Name, e.Message);
        }
    }

    private async Task<ControlStepResult> StepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;

        // 1. Telemetry, from Modbus; from Home Assistant when Modbus has been down for N polls.
        var path = _failedPolls >= o.HomeAssistantAfterFailedPolls && homeAssistant is not null ? homeAssistant : primary;
        InverterTelemetry? telemetry = null;
        string? problem = null;
        try
        {
            telemetry = await primary.Telemetry.ReadTelemetryAsync(cancellationToken);
            _failedPolls = 0;
            path = primary;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failedPolls++;
            problem = $"{primary.Name}: {e.Message}";
            logger.TelemetryFailed(_failedPolls, e.Message);
            if (homeAssistant is not null && _failedPolls >= o.HomeAssistantAfterFailedPolls)
            {
                path = homeAssistant;
                try
                {
                    telemetry = await homeAssistant.Telemetry.ReadTelemetryAsync(cancellationToken);
                }
                catch (Exception ha) when (ha is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    problem += $"; {homeAssistant.Name}: {ha.Message}";
                }
            }
        }

        if (telemetry is not null)
        {
            await RecordTelemetryAsync(now, telemetry, cancellationToken);
        }

        // 2. Decide.
        var import = new RateSeries(await rates.GetAsync(RateKind.Import, new TimeRange(now.AddHours(-1), now.AddHours(36)), cancellationToken));
        var snapshot = status.Current;
        if (reserveSocPercent?.Invoke() is { } reserve && reserve != _deciderReserve)
        {
            // A person changed the reserve (Home Assistant): the hard limits follow at once.
            _decider = new ControlDecider(site.Value.WithReserve(reserve), o);
            _deciderReserve = reserve;
        }

        var decision = _decider.Decide(new ControlInputs(now, telemetry?.BatterySocPercent, snapshot.Plan, overrides?.Current, import));
        TrackFallback(now, decision);

        // 3. Anti-flapping, except that a move to safety (self-use, hold) or to another source is never delayed.
        var command = decision.Source == RecommendationSource.Plan
            ? _debouncer.Next(now, decision.Command)
            : _debouncer.Accept(now, decision.Command);

        // 4. Send when it changed, when the path changed, or when it is time to re-send. In shadow: record what would
        // have been sent, beside what the inverter did, and send nothing.
        InverterCommand? sent = null;
        var shadow = gate?.Mode == ControlMode.Shadow;
        var due = !shadow && (command != _lastSent || path.Name != _lastSentPath || now - _lastSentAt >= TimeSpan.FromSeconds(o.ResendSeconds));
        if (shadow)
        {
            await RecordShadowAsync(now, path, command, decision, telemetry, cancellationToken);
            // Whatever was sent before is no longer in force (the hand-back undid it): back in active, the first poll
            // sends its command and the native schedule is written again.
            (_lastSent, _lastSentPath, _nativeScheduleWritten) = (null, null, null);
        }
        else if (due && (telemetry is not null || path == homeAssistant || problem is null))
        {
            sent = await SendAsync(now, path, command, decision, cancellationToken) ? command : null;
            problem ??= sent is null ? $"{path.Name}: command not accepted" : null;
        }

        // 4b. Immersion relays follow the plan (off when the fallback rules are in charge: they plan no hot water).
        if (immersions is not null && !shadow)
        {
            try
            {
                await immersions.StepAsync(now, snapshot.Plan, decision.FallbackCause is null, telemetry?.LoadPowerW, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.StepFailed(e);
            }
        }

        // 5. The inverter's own schedule for the day this controller stops (once a day, and when it changes).
        if (nativeSchedule is not null && telemetry is not null && !shadow)
        {
            await KeepNativeScheduleAsync(now, import, cancellationToken);
        }

        if (telemetry is not null)
        {
            await AccumulateCostAsync(now, telemetry, import, cancellationToken);
        }

        // 6. Status for the API, the dashboard and Home Assistant.
        Publish(now, telemetry, decision, command, path, problem);

        // 7. The first plan, once a reading has measured the state of charge (planning waits for it); a replan when
        // reality leaves the plan.
        if (replan is not null && telemetry?.BatterySocPercent is { } soc)
        {
            if (!_socMeasured)
            {
                _socMeasured = true;
                logger.FirstSocMeasured(soc);
                await replan.RequestReplanAsync(PlanningTrigger.FirstReading, cancellationToken);
            }
            else
            {
                await ReplanIfDriftedAsync(now, soc, snapshot.Plan, cancellationToken);
            }
        }

        var healthy = telemetry is not null && (shadow || sent is not null || !due);
        return new ControlStepResult(healthy, decision, sent, path.Name, problem);
    }

    private async Task RecordTelemetryAsync(DateTimeOffset now, InverterTelemetry t, CancellationToken cancellationToken)
    {
        try
        {
            await telemetryStore.AppendAsync([new TelemetrySample(now, t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW)], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.StepFailed(e);
        }
    }

    /// <summary>
    /// Today's bill from measured grid power and the stored prices, beside what the same day would have cost with no
    /// battery (grid power plus battery power: what the battery supplied would have been imported, what it stored
    /// would have been exported). Resets at UK midnight; intervals longer than two polls are not guessed at.
    /// </summary>
    private async Task AccumulateCostAsync(DateTimeOffset now, InverterTelemetry t, RateSeries import, CancellationToken cancellationToken)
    {
        var dayStart = UkTime.ToUtc(DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime), TimeOnly.MinValue);
        if (_costToday is null || _costToday.SinceUtc != dayStart)
        {
            _costToday = new CostToday { SinceUtc = dayStart, CostPence = 0, NoBatteryCostPence = 0 };
        }

        if (_lastReading is { } last && now > last.At && now - last.At <= TimeSpan.FromSeconds(options.Value.PollSeconds * 2.5)
            && last.Telemetry.GridPowerW is { } gridW && import.TryGetAt(last.At, out var importRate))
        {
            var export = await rates.GetAsync(RateKind.Export, new TimeRange(last.At.AddMinutes(-30), last.At.AddMinutes(1)), cancellationToken);
            var exportPence = new RateSeries(export).TryGetAt(last.At, out var e) ? e.Pence : 0;
            var hours = (now - last.At).TotalHours;
            double Cost(double w) => Energy.Kwh(w, hours) * (w >= 0 ? importRate.Pence : exportPence);
            _costToday = _costToday with
            {
                CostPence = _costToday.CostPence + Cost(gridW),
                NoBatteryCostPence = _costToday.NoBatteryCostPence + Cost(gridW + (last.Telemetry.BatteryPowerW ?? 0)),
            };
        }

        _lastReading = (now, t);
    }

    private void TrackFallback(DateTimeOffset now, ControlDecision decision)
    {
        if (decision.FallbackCause is { } cause)
        {
            if (_fallbackCause != cause)
            {
                logger.FallbackStarted(cause);
            }

            _fallbackSince ??= now;
            _fallbackCause = cause;
        }
        else if (_fallbackCause is not null)
        {
            logger.FallbackEnded(decision.Source);
            (_fallbackCause, _fallbackSince) = (null, null);
        }
    }

    private async Task<bool> SendAsync(DateTimeOffset now, BatteryPath path, InverterCommand command, ControlDecision decision, CancellationToken cancellationToken)
    {
        var text = Describe(command);
        string outcome;
        var ok = false;
        try
        {
            await path.Controller.ApplyAsync(command, cancellationToken);
            (_lastSent, _lastSentPath, _lastSentAt) = (command, path.Name, now);
            outcome = "ok";
            ok = true;
            _commandsApplied++;
            logger.CommandApplied(text, decision.Source, decision.Reason);
        }
        catch (WriteRefusedException e)
        {
            // The mode turned to shadow while this command was on its way: nothing was written, and nothing failed.
            outcome = $"not sent ({e.Message})";
            ok = true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = e.Message;
            _commandsFailed++;
            logger.CommandFailed(text, path.Name, e.Message);
        }

        try
        {
            await audit.RecordAsync(new AuditEntry(now, path.Name, text, outcome, $"{decision.Source.ToString().ToLowerInvariant()}: {decision.Reason}"), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.StepFailed(e);
        }

        return ok;
    }

    /// <summary>Shadow mode: one audit row per poll with the command EdgeEnergy would have sent and why, and what the
    /// inverter did instead (its measured flows and the settings it reports).</summary>
    private async Task RecordShadowAsync(DateTimeOffset now, BatteryPath path, InverterCommand command, ControlDecision decision, InverterTelemetry? t, CancellationToken cancellationToken)
    {
        var actual = t is null
            ? "inverter not read this poll"
            : string.Join(", ", new[]
            {
                t.BatteryPowerW is { } b ? string.Format(s_inv, "battery {0:0} W ({1})", b, b > 50 ? "discharging" : b < -50 ? "charging" : "idle") : null,
                t.BatterySocPercent is { } soc ? string.Format(s_inv, "SoC {0:0.#}%", soc) : null,
                t.GridPowerW is { } g ? string.Format(s_inv, "grid {0:0} W", g) : null,
                t.WorkMode is { } mode ? $"work mode {mode}" : null,
                t.RemoteControl is { } rc ? (rc.Enabled ? string.Format(s_inv, "remote control on at {0:0} W", rc.ActivePowerW) : "remote control off") : null,
            }.Where(x => x is not null));
        var text = Describe(command);
        logger.ShadowDecision(text, decision.Source, decision.Reason);
        try
        {
            await audit.RecordAsync(new AuditEntry(now, path.Name, text, $"shadow: not sent; inverter did: {actual}",
                $"{decision.Source.ToString().ToLowerInvariant()}: {decision.Reason}"), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.StepFailed(e);
        }
    }

    private async Task KeepNativeScheduleAsync(DateTimeOffset now, RateSeries import, CancellationToken cancellationToken)
    {
        var schedule = NativeFallbackPlanner.Plan(now, import, site.Value);
        if (schedule is null)
        {
            return;
        }

        var key = $"{schedule.Period.Start}-{schedule.Period.End}-{schedule.MinSocPercent}";
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime);
        if (key == _nativeScheduleWritten && _nativeScheduleDay == today)
        {
            return;
        }

        try
        {
            var outcome = await nativeSchedule!.WriteAsync(schedule.Period, schedule.MinSocPercent, cancellationToken);
            if (outcome == NativeScheduleOutcome.InForce)
            {
                (_nativeScheduleWritten, _nativeScheduleDay) = (key, today);
                logger.NativeFallbackWritten(schedule.Reason);
                await audit.RecordAsync(new AuditEntry(now, primary.Name, $"charge-period {schedule.Period.Start:HH\\:mm}-{schedule.Period.End:HH\\:mm} min-soc-on-grid={schedule.MinSocPercent:0}%", "ok", schedule.Reason), cancellationToken);
            }
            else
            {
                (_nativeScheduleWritten, _nativeScheduleDay) = (outcome == NativeScheduleOutcome.NotSupported ? key : null, today);
                logger.NativeFallbackFailed(outcome == NativeScheduleOutcome.NotSupported ? "this inverter family has no charge periods" : "the daily budget of persistent writes is used up");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.NativeFallbackFailed(e.Message);
        }
    }

    private void Publish(DateTimeOffset now, InverterTelemetry? t, ControlDecision decision, InverterCommand command, BatteryPath path, string? problem)
    {
        var inverterHealth = t is not null && path == primary
            ? new ComponentHealth("inverter", HealthState.Healthy, $"{primary.Name}: telemetry read", now)
            : t is not null
                ? new ComponentHealth("inverter", HealthState.Degraded, $"Modbus down, carrying on through {path.Name}: {problem}", now)
                : new ComponentHealth("inverter", HealthState.Unhealthy, problem ?? "no telemetry", now);
        var controlHealth = decision.FallbackCause is { } cause
            ? new ComponentHealth("planner", HealthState.Degraded, $"fallback rules in charge: {cause}", now)
            : new ComponentHealth("planner", HealthState.Healthy, $"following the {decision.Source.ToString().ToLowerInvariant()}", now);
        publisher.Update(s => s with
        {
            Components = [.. s.Components.Where(c => c.Component is not ("inverter" or "planner")), inverterHealth, controlHealth],
            Sources =
            [
                .. s.Sources.Where(f => f.Source != "inverter"),
                new SourceFreshness
                {
                    Source = "inverter",
                    LastSuccessUtc = t is not null ? now : s.Sources.FirstOrDefault(f => f.Source == "inverter")?.LastSuccessUtc,
                    LastAttemptUtc = now,
                    LastError = t is null ? problem : null,
                    MaxAge = TimeSpan.FromSeconds(options.Value.PollSeconds * 3),
                },
            ],
            Telemetry = t is null ? s.Telemetry : new LiveTelemetry
            {
                MeasuredAtUtc = now,
                BatterySocPercent = t.BatterySocPercent ?? s.Telemetry?.BatterySocPercent ?? 0,
                SocMeasuredAtUtc = t.BatterySocPercent is not null ? now : s.Telemetry?.SocMeasuredAtUtc,
                BatteryPowerW = t.BatteryPowerW ?? 0,
                PvPowerW = t.PvPowerW ?? 0,
                GridPowerW = t.GridPowerW ?? 0,
                LoadPowerW = t.LoadPowerW ?? 0,
                GridImportEnergyKwh = t.GridImportEnergyTotalKwh ?? s.Telemetry?.GridImportEnergyKwh,
                GridExportEnergyKwh = t.GridExportEnergyTotalKwh ?? s.Telemetry?.GridExportEnergyKwh,
            },
            Recommendation = new Recommendation
            {
                Mode = decision.Mode,
                PowerW = command.PowerW ?? 0,
                Reason = decision.Reason,
                ValidUntilUtc = decision.ValidUntilUtc,
                Source = decision.Source,
            },
            CostToday = _costToday ?? s.CostToday,
            Fallback = _fallbackCause is null ? FallbackState.Inactive : new FallbackState(true, _fallbackCause, _fallbackSince),
            Override = overrides?.Current is { } o
                ? new OverrideState(true, decision.Mode, command.PowerW, decision.Reason, o.ExpiresUtc)
                : OverrideState.None,
            UserOverride = overrides?.Current,
            InverterWrites = _commandsApplied,
            InverterWriteFailures = _commandsFailed,
            Immersions = immersions is null ? s.Immersions : [.. s.Immersions.Select(i => i with { Heating = immersions.IsOn(i.Id), BoostUntilUtc = immersions.BoostUntil(i.Id) })],
        });
    }

    private async Task ReplanIfDriftedAsync(DateTimeOffset now, double socPercent, ActivePlan? plan, CancellationToken cancellationToken)
    {
        if (plan is null || now - _lastReplanRequest < TimeSpan.FromMinutes(5))
        {
            return;
        }

        var t = plan.SlotAt(now);
        if (t < 0)
        {
            return;
        }

        // The plan's SoC at this instant, interpolated within the slot.
        var before = t == 0 ? plan.Problem.Battery.SocKwh : plan.Plan.Slots[t - 1].SocKwh;
        var after = plan.Plan.Slots[t].SocKwh;
        var fraction = (now - plan.Problem.SlotStart(t)).TotalMinutes / plan.Problem.SlotMinutes;
        var plannedPercent = (before + (after - before) * fraction) / plan.Problem.Battery.CapacityKwh * 100;
        if (Math.Abs(plannedPercent - socPercent) > options.Value.SocDriftReplanPercent)
        {
            _lastReplanRequest = now;
            var reason = string.Format(s_inv, "state of charge {0:0}% against the plan's {1:0}%", socPercent, plannedPercent);
            logger.ReplanRequested(reason);
            await replan!.RequestReplanAsync(PlanningTrigger.ForecastMiss, cancellationToken);
        }
    }

    private static string Describe(InverterCommand c) => c.Kind switch
    {
        InverterCommandKind.ForceCharge => string.Format(s_inv, "force-charge {0:0}W reserve={1:0}%", c.PowerW, c.ReserveSocPercent),
        InverterCommandKind.ForceDischarge => string.Format(s_inv, "force-discharge {0:0}W reserve={1:0}%", c.PowerW, c.ReserveSocPercent),
        InverterCommandKind.Hold => string.Format(s_inv, "hold reserve={0:0}%", c.ReserveSocPercent),
        _ => c.PowerW is { } w
            ? string.Format(s_inv, "self-use max-discharge={0:0}W reserve={1:0}%", w, c.ReserveSocPercent)
            : string.Format(s_inv, "self-use reserve={0:0}%", c.ReserveSocPercent),
    };
}
