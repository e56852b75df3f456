using System.Globalization;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>An immersion heater's relay, with the element power the thermostat check compares against.</summary>
public sealed record ImmersionRelay(ImmersionOptions Immersion, ISwitchedOutput Relay);

/// <summary>
/// Switches immersion relays per the plan: on while the current slot plans energy for the tank, off otherwise (and off
/// whenever there is no plan to follow). Thermostat satisfied: the relay is on but the house load rose by less than
/// 30% of the element power for two polls running, so the tank is hot: the relay goes off for the rest of the UK day
/// and a replan is asked for. Every switch is logged and stored in the audit log with its reason. The time each relay
/// was on is counted into <see cref="ImmersionDelivery"/> (when given), so the planner knows what a window has had.
/// </summary>
public sealed class ImmersionSwitcher(IReadOnlyList<ImmersionRelay> relays, IAuditLog audit, IReplanRequester? replan, ILogger logger, ImmersionDelivery? delivery = null)
{
    /// <summary>Share of the element power the load must rise by for the element to count as heating.</summary>
    public const double HeatingShare = 0.3;

    /// <summary>Polls in a row below <see cref="HeatingShare"/> that mean the thermostat has opened.</summary>
    public const int SatisfiedPolls = 2;

    private readonly Dictionary<string, State> _states = relays.ToDictionary(r => r.Immersion.Id, _ => new State());

    /// <summary>The immersions whose thermostat opened today (UK date), for the planner and the status.</summary>
    public IReadOnlyDictionary<string, DateOnly> SatisfiedOn => _states.Where(s => s.Value.SatisfiedOn is not null).ToDictionary(s => s.Key, s => s.Value.SatisfiedOn!.Value);

    /// <summary>True when a relay is configured for immersion <paramref name="id"/>.</summary>
    public bool Has(string id) => _states.ContainsKey(id);

    /// <summary>True while the relay of <paramref name="id"/> is (as far as we switched it) on.</summary>
    public bool IsOn(string id) => _states.TryGetValue(id, out var s) && s.On && s.Known;

    /// <summary>The end of the running boost of <paramref name="id"/>, if any.</summary>
    public DateTimeOffset? BoostUntil(string id) => _states.TryGetValue(id, out var s) ? s.BoostUntil : null;

    /// <summary>
    /// Heats <paramref name="id"/> until <paramref name="until"/> whatever the plan (a person asked): the relay goes on at
    /// the next poll; a thermostat that opens ends the boost early. Forgets that the tank was hot today.
    /// </summary>
    public void Boost(string id, DateTimeOffset until)
    {
        var state = _states.TryGetValue(id, out var s) ? s : throw new ArgumentException($"immersion '{id}': no relay is configured, so it cannot be boosted", nameof(id));
        (state.BoostUntil, state.SatisfiedOn, state.LowPolls) = (until, null, 0);
    }

    public async Task StepAsync(DateTimeOffset now, ActivePlan? plan, bool followingPlan, double? loadW, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime);
        var slot = plan?.SlotAt(now) ?? -1;
        foreach (var (immersion, relay) in relays)
        {
            var state = _states[immersion.Id];
            // The heat since the last poll, before anything is switched: the relay was on (as far as we know) all of it.
            var wasOn = state.On && state.Known;
            if (wasOn && delivery is not null && state.CountedUntil is { } countedFrom)
            {
                await delivery.AddOnTimeAsync(immersion.Id, countedFrom, now, save: false, cancellationToken);
            }

            state.CountedUntil = wasOn ? now : null;
            if (state.SatisfiedOn is { } day && day != today)
            {
                state.SatisfiedOn = null;
            }

            if (state.BoostUntil is { } end && now >= end)
            {
                state.BoostUntil = null;
            }

            var boosting = state.BoostUntil is not null;
            var plannedKwh = followingPlan && slot >= 0 ? plan!.Plan.Slots[slot].ImmersionKwh.GetValueOrDefault(immersion.Id) : 0;
            var want = (plannedKwh > 0 || boosting) && state.SatisfiedOn is null;
            string reason = want
                ? boosting
                    ? string.Format(CultureInfo.InvariantCulture, "boost until {0:HH:mm} UK", UkTime.ToLocal(state.BoostUntil!.Value))
                    : string.Format(CultureInfo.InvariantCulture, "the plan heats {0:0.00} kWh this slot", plannedKwh)
                : state.SatisfiedOn is not null ? "thermostat satisfied today" : followingPlan ? "the plan heats nothing this slot" : "no plan to follow";

            if (want && state.On && loadW is { } load && state.LoadBeforeW is { } before)
            {
                var rise = load - before;
                var element = immersion.PowerKw * 1000;
                state.LowPolls = rise < HeatingShare * element ? state.LowPolls + 1 : 0;
                if (state.LowPolls >= SatisfiedPolls)
                {
                    (state.SatisfiedOn, state.BoostUntil) = (today, null);
                    want = false;
                    reason = string.Format(CultureInfo.InvariantCulture, "thermostat satisfied: load rose {0:0} W of the element's {1:0} W for {2} polls", rise, element, SatisfiedPolls);
                    logger.ImmersionSatisfied(immersion.Id, rise, element);
                    if (replan is not null)
                    {
                        await replan.RequestReplanAsync(PlanningTrigger.ForecastMiss, cancellationToken);
                    }
                }
            }

            if (want == state.On && state.Known)
            {
                continue;
            }

            string outcome;
            try
            {
                await relay.SetAsync(want, cancellationToken);
                (state.On, state.Known, state.LowPolls) = (want, true, 0);
                state.LoadBeforeW = want ? loadW : null;
                state.CountedUntil = want ? now : null;
                outcome = "ok";
                logger.ImmersionSwitched(immersion.Id, want ? "on" : "off", reason);
                if (!want && wasOn && delivery is not null)
                {
                    // Off: the window's total is saved now, not a minute later.
                    await delivery.AddOnTimeAsync(immersion.Id, now, now, save: true, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Unknown: nothing more is counted until a switch succeeds (we cannot say it heated).
                (state.Known, state.CountedUntil) = (false, null);
                outcome = e.Message;
                logger.ImmersionFailed(immersion.Id, e.Message);
            }

            await audit.RecordAsync(new AuditEntry(now, $"immersion:{immersion.Id}", want ? "relay on" : "relay off", outcome, reason), cancellationToken);
        }
    }

    /// <summary>
    /// Switches every relay off that is on or in an unknown state, each recorded in the audit log with
    /// <paramref name="reason"/> (the hand-back when the mode turns to shadow). Returns what was done.
    /// </summary>
    public async Task<string> AllOffAsync(DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        foreach (var (immersion, relay) in relays)
        {
            var state = _states[immersion.Id];
            if (state.Known && !state.On)
            {
                continue;
            }

            string outcome;
            try
            {
                await relay.SetAsync(false, cancellationToken);
                if (state.On && state.Known && delivery is not null && state.CountedUntil is { } countedFrom)
                {
                    await delivery.AddOnTimeAsync(immersion.Id, countedFrom, now, save: true, cancellationToken);
                }

                (state.On, state.Known, state.BoostUntil, state.LowPolls, state.CountedUntil) = (false, true, null, 0, null);
                outcome = "ok";
                logger.ImmersionSwitched(immersion.Id, "off", reason);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                state.Known = false;
                outcome = e.Message;
                logger.ImmersionFailed(immersion.Id, e.Message);
            }

            done.Add($"immersion {immersion.Id} off: {outcome}");
            await audit.RecordAsync(new AuditEntry(now, $"immersion:{immersion.Id}", "relay off", outcome, reason), cancellationToken);
        }

        return string.Join("; ", done);
    }

    private sealed class State
    {
        public bool On { get; set; }

        /// <summary>False until the relay was switched once (and after a failure): the next poll sets it whatever it holds.</summary>
        public bool Known { get; set; }

        public double? LoadBeforeW { get; set; }

        public int LowPolls { get; set; }

        public DateOnly? SatisfiedOn { get; set; }

        public DateTimeOffset? BoostUntil { get; set; }

        /// <summary>While the relay is on: the moment up to which its heat has been counted.</summary>
        public DateTimeOffset? CountedUntil { get; set; }
    }
}
