using System.Globalization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Control.Ev;

/// <summary>
/// The car through evcc (issue 19 §2): the planning cycle asks it for the car's need (<see cref="PlanAsync"/>); every
/// poll it reads the loadpoint, asks for a replan when the car changes, and drives the loadpoint from the plan in
/// force (<see cref="StepAsync"/>): mode <c>now</c> at the slot's power (maximum current from the slot's
/// <c>evKwh</c>) when the plan charges the car in the current slot, <c>pv</c> at full current otherwise (so surplus
/// solar still charges). Commands go only where evcc's own state differs, so a person's change in evcc's app is
/// corrected once a slot, not fought every poll. The car's deadline is also set in evcc as a fail-safe: if EdgeEnergy
/// stops, evcc reaches it by itself; <see cref="StopAsync"/> leaves the loadpoint in <c>pv</c> with that plan. Any
/// failure degrades the <c>ev</c> component of /healthz with the reason and leaves the house plan untouched.
/// </summary>
public sealed class EvCharging(
    IEvChargerState reader,
    IEvChargerControl control,
    IOptions<EvOptions> options,
    IApplianceStatusPublisher status,
    TimeProvider time,
    ILogger<EvCharging> logger,
    IReplanRequester? replan = null,
    IEvChoices? choices = null) : ICarChargingMeter
{
    /// <summary>The /healthz component.</summary>
    public const string Component = "ev";

    /// <summary>Below this the plan's car draw in a slot is rounding noise, not charging.</summary>
    private const double ChargingKwh = 0.01;

    /// <summary>
    /// How long a reading of the charger's power stands for "now": two polls at the 60 s default and some slack. An
    /// older one (evcc unreachable) says nothing of this minute, so the load history keeps the whole metered load.
    /// </summary>
    public static readonly TimeSpan ReadingLifetime = TimeSpan.FromMinutes(3);

    private readonly Lock _lock = new();
    private EvChargerState? _seen;
    private DateTimeOffset _seenAt;
    private EvDeadline? _deadline;
    private EvDeadline? _written;
    private string _planDetail = "no plan yet";
    private string? _planProblem;
    private string? _driveProblem;
    private string? _batteryWarning;

    public bool Enabled => options.Value.Enabled;

    /// <inheritdoc />
    public double? ChargingPowerW(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _seen is { } seen && now - _seenAt <= ReadingLifetime && now >= _seenAt ? Math.Max(0, seen.ChargePowerW) : null;
        }
    }

    /// <summary>Whether evcc said a car is plugged in at its last reading; null before one (or without evcc).</summary>
    public bool? CarConnected
    {
        get
        {
            lock (_lock)
            {
                return _seen?.Connected;
            }
        }
    }

    /// <summary>
    /// The car's part of the plan problem starting at <paramref name="start"/>: null when there is no car to plan (off,
    /// unplugged, at its target, or evcc unreadable: the house is planned without it, and the component says why).
    /// </summary>
    public async Task<EvSpec?> PlanAsync(DateTimeOffset start, int slotMinutes, int slotCount, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        var now = time.GetUtcNow();
        EvChargerState state;
        try
        {
            state = await reader.ReadAsync(cancellationToken);
        }
        catch (EvChargerException e)
        {
            logger.EvccUnavailable(e.Message);
            lock (_lock)
            {
                (_planDetail, _planProblem) = ("the house is planned without the car", e.Message);
            }

            Report(now);
            return null;
        }

        EvDeadline? written;
        lock (_lock)
        {
            written = _written;
        }

        var planning = EvNeedPlanner.Plan(state, options.Value, now, start, slotMinutes, slotCount, written, choices?.Current);
        if (planning.Problem is { } problem)
        {
            logger.EvNeedDegraded(problem);
        }

        lock (_lock)
        {
            (_seen, _seenAt) = (state, now);
            _deadline = planning.Deadline;
            (_planDetail, _planProblem) = (planning.Detail, planning.Problem);
        }

        Warn(state, now);
        Report(now);
        return planning.Spec;
    }

    /// <summary>One poll: read the loadpoint, ask for a replan on a change of car, and drive it from <paramref name="plan"/>.</summary>
    public Task StepAsync(ActivePlan? plan, CancellationToken cancellationToken) => ReadAndDriveAsync(plan, drive: true, cancellationToken);

    /// <summary>
    /// One poll while someone else drives the car (Octopus, in an Intelligent Octopus Go dispatch): the loadpoint is read
    /// as in <see cref="StepAsync"/>, so the car's power is still taken out of the house
    /// load, and an unplugged or changed car still ends "charge now" and asks for a replan; nothing is sent to evcc.
    /// </summary>
    public Task ObserveAsync(CancellationToken cancellationToken) => ReadAndDriveAsync(plan: null, drive: false, cancellationToken);

    private async Task ReadAndDriveAsync(ActivePlan? plan, bool drive, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        EvChargerState state;
        try
        {
            state = await reader.ReadAsync(cancellationToken);
        }
        catch (EvChargerException e)
        {
            // Nothing to command: evcc keeps the mode and the deadline plan it was last given.
            Fail(now, e.Message);
            return;
        }

        Warn(state, now);
        var chargeNow = choices?.Current.ChargeNow == true;
        bool firstLook;
        lock (_lock)
        {
            firstLook = _seen is null;
        }

        var change = Changed(state, now);
        if (chargeNow && !state.Connected && (change is not null || firstLook))
        {
            // "Charge now" lasts until the car is unplugged: the next car is planned again. A car found unplugged at
            // the first look after a restart was unplugged while the service was away: the choice was for that car.
            await choices!.EndChargeNowAsync(change ?? "no car was plugged in when EdgeEnergy started", cancellationToken);
            chargeNow = false;
        }

        if (change is not null && replan is not null)
        {
            logger.EvChanged(change);
            await replan.RequestReplanAsync(PlanningTrigger.CarChanged, cancellationToken);
        }

        if (!drive)
        {
            Fail(now, null);
            return;
        }

        var (mode, kw, reason) = chargeNow && state.Connected
            ? (EvChargeMode.Now, options.Value.Kw(options.Value.MaxCurrentAmps), "charge now (Home Assistant): full power until unplugged or turned off")
            : Want(state, plan, now);
        try
        {
            if (state.Mode != mode)
            {
                await control.SetModeAsync(mode, reason, cancellationToken);
            }

            var amps = mode == EvChargeMode.Now ? options.Value.AmpsFor(kw) : options.Value.MaxCurrentAmps;
            if (state.MaxCurrentA is not { } current || Math.Abs(current - amps) > 0.01)
            {
                await control.SetMaxCurrentAsync(amps, reason, cancellationToken);
            }

            await KeepDeadlineAsync(state, now, cancellationToken);
            Fail(now, null);
        }
        catch (WriteRefusedException)
        {
            // Shadow mode: the decision is in the audit log as not sent; nothing is wrong with evcc.
            Fail(now, null);
        }
        catch (EvChargerException e)
        {
            Fail(now, e.Message);
        }
    }

    /// <summary>On stop: the loadpoint in <c>pv</c> with the deadline plan set, so evcc meets the departure without us.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        try
        {
            var state = await reader.ReadAsync(cancellationToken);
            if (state.Mode != EvChargeMode.Pv)
            {
                await control.SetModeAsync(EvChargeMode.Pv, "EdgeEnergy stopping: evcc's deadline plan takes over", cancellationToken);
            }

            await KeepDeadlineAsync(state, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (e is EvChargerException or WriteRefusedException)
        {
            logger.EvccUnavailable($"on stop: {e.Message}");
        }
    }

    /// <summary>What the loadpoint should do now: <c>now</c> at the slot's power while the plan charges the car, else <c>pv</c>.</summary>
    private static (EvChargeMode Mode, double Kw, string Reason) Want(EvChargerState state, ActivePlan? plan, DateTimeOffset now)
    {
        var slot = plan?.SlotAt(now) ?? -1;
        if (slot < 0)
        {
            return (EvChargeMode.Pv, 0, "no plan in force: solar only, evcc's deadline plan as the fail-safe");
        }

        var kwh = plan!.Plan.Slots[slot].EvKwh ?? 0;
        var from = Local(plan.Plan.Slots[slot].Start);
        if (!state.Connected || kwh < ChargingKwh)
        {
            return (EvChargeMode.Pv, 0, $"the plan does not charge the car in the {from} slot: solar only");
        }

        var kw = kwh / plan.Problem.SlotHours;
        return (EvChargeMode.Now, kw, string.Create(CultureInfo.InvariantCulture,
            $"the plan charges the car {kwh:0.00} kWh in the {from} slot at {plan.Problem.Slots[slot].ImportPence:0.0}p"));
    }

    /// <summary>Sets the deadline plan in evcc where it differs from the planned one (the car plugged in and named).</summary>
    private async Task KeepDeadlineAsync(EvChargerState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        EvDeadline? deadline;
        lock (_lock)
        {
            deadline = _deadline;
        }

        if (!state.Connected || deadline is null || deadline.TimeUtc <= now || state.Plan == deadline)
        {
            return;
        }

        await control.SetDeadlineAsync(deadline, "fail-safe: evcc meets the departure by itself if EdgeEnergy stops", cancellationToken);
        lock (_lock)
        {
            _written = deadline;
        }
    }

    /// <summary>Why the car's state means a new plan: plugged in or out, another car, or its state of charge moved.</summary>
    private string? Changed(EvChargerState state, DateTimeOffset now)
    {
        EvChargerState? before;
        lock (_lock)
        {
            before = _seen;
            (_seen, _seenAt) = (state, now);
        }

        if (before is null)
        {
            return state.Connected ? "a car is plugged in" : null;
        }

        if (before.Connected != state.Connected)
        {
            return state.Connected ? "a car was plugged in" : "the car was unplugged";
        }

        if (!string.Equals(before.VehicleName, state.VehicleName, StringComparison.Ordinal))
        {
            return $"the car changed from {before.VehicleName ?? "unknown"} to {state.VehicleName ?? "unknown"}";
        }

        if (state.Connected && before.VehicleSocPercent is { } was && state.VehicleSocPercent is { } soc
            && Math.Abs(soc - was) >= options.Value.ReplanSocChangePercent)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the car's state of charge moved from {was:0} % to {soc:0} %");
        }

        return state.Connected && (before.VehicleSocPercent is null) != (state.VehicleSocPercent is null) ? "the car's state of charge became known or was lost" : null;
    }

    private void Warn(EvChargerState state, DateTimeOffset now)
    {
        string? before;
        lock (_lock)
        {
            before = _batteryWarning;
            _batteryWarning = state.BatteryControlWarning;
        }

        if (state.BatteryControlWarning is { } warning && !string.Equals(before, warning, StringComparison.Ordinal))
        {
            logger.EvccControlsBattery(warning);
        }

        if (!string.Equals(before, state.BatteryControlWarning, StringComparison.Ordinal))
        {
            Report(now);
        }
    }

    private void Fail(DateTimeOffset now, string? problem)
    {
        bool changed;
        lock (_lock)
        {
            changed = !string.Equals(_driveProblem, problem, StringComparison.Ordinal);
            _driveProblem = problem;
        }

        if (changed && problem is not null)
        {
            logger.EvccUnavailable(problem);
        }

        Report(now);
    }

    /// <summary>The <c>ev</c> component: degraded by evcc's unavailability, a doubtful need, or evcc controlling a battery.</summary>
    private void Report(DateTimeOffset now)
    {
        string detail;
        bool degraded;
        lock (_lock)
        {
            var parts = new List<string>();
            if (_batteryWarning is { } warning)
            {
                parts.Add($"evcc can command a home battery ({warning}): two masters on one inverter; remove the battery's control from evcc");
            }

            if (_driveProblem is { } drive)
            {
                parts.Add(drive);
            }

            if (_planProblem is { } plan && !_planDetail.Contains(plan, StringComparison.Ordinal))
            {
                parts.Add(plan);
            }

            parts.Add(_planDetail);
            degraded = _batteryWarning is not null || _driveProblem is not null || _planProblem is not null;
            detail = string.Join("; ", parts.Distinct(StringComparer.Ordinal));
        }

        status.Update(s => s.WithComponent(new ComponentHealth(Component, degraded ? HealthState.Degraded : HealthState.Healthy, detail, now)));
    }

    private static string Local(DateTimeOffset utc) => Domain.Prices.UkTime.ToLocal(utc).ToString("HH:mm", CultureInfo.InvariantCulture);
}
