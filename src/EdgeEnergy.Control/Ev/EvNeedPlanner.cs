using System.Globalization;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Ev;

/// <summary>What the car asks of a plan: its spec (null: no car in this plan), the deadline to hold evcc to, and what
/// to say about it (<see cref="Problem"/> set: the <c>ev</c> component is degraded, with that reason).</summary>
public sealed record EvPlanning(EvSpec? Spec, EvDeadline? Deadline, string Detail, string? Problem);

/// <summary>
/// The car's need, pure: plugged in, its state of charge and capacity, the target and the departure → one
/// <see cref="EvNeed"/> from slot 0 (now) to the slot the car leaves in, in kWh into the car's battery (the
/// optimiser divides by the charger's efficiency). The departure and target are the ones a person set in evcc (a
/// vehicle plan EdgeEnergy did not write), else Home Assistant's (<see cref="EvChoice"/>), else
/// <c>Ev:DefaultDepartureLocal</c> (UK time, the next one to come) and <c>Ev:DefaultTargetSocPercent</c>. "Charge now"
/// makes the need due as soon as full power can deliver it. Without a state of charge or a capacity the car is planned by energy
/// (<c>Ev:DefaultNeedKwh</c>); a person's departure already past is replaced by the next default one. Both are said.
/// </summary>
public static class EvNeedPlanner
{
    public static EvPlanning Plan(
        EvChargerState state, EvOptions options, DateTimeOffset now, DateTimeOffset start, int slotMinutes, int slotCount, EvDeadline? written, EvChoice? choice = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (!state.Connected)
        {
            return new EvPlanning(null, null, "no car plugged in", null);
        }

        choice ??= EvChoice.None;
        var problems = new List<string>();
        var vehicle = state.VehicleName;
        var label = vehicle ?? "the car";
        // Home Assistant's departure and target replace the configured defaults until the person changes them again.
        var defaultDeparture = choice.DepartureLocal ?? options.DefaultDepartureLocal;
        var defaultSource = choice.DepartureLocal is null ? "Ev:DefaultDepartureLocal" : "Home Assistant's departure";
        var departure = NextLocal(now, defaultDeparture);
        var target = choice.TargetSocPercent ?? options.DefaultTargetSocPercent;
        var source = $"{defaultSource} {Hhmm(defaultDeparture)}";
        if (state.Plan is { } set && (written is null || set.SocPercent != written.SocPercent || set.TimeUtc != written.TimeUtc))
        {
            // A plan in evcc that is not ours: a person set it in evcc's own app. Followed, unless it is over.
            if (set.TimeUtc > now)
            {
                (departure, target, source) = (set.TimeUtc, set.SocPercent, "evcc's vehicle plan");
            }
            else
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the departure in evcc's plan for {label} ({Local(set.TimeUtc)} UK) is in the past; planning for the next {Hhmm(defaultDeparture)} UK ({defaultSource}) instead"));
            }
        }

        if (state.LimitSocPercent > 0 && state.LimitSocPercent < target)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"evcc's loadpoint limit {state.LimitSocPercent:0} % is below the target {target} %; planning to the limit"));
            target = (int)state.LimitSocPercent;
        }

        var capacity = state.VehicleCapacityKwh ?? options.VehicleCapacityKwh;
        double kwh;
        string need;
        if (state.VehicleSocPercent is not { } soc)
        {
            kwh = options.DefaultNeedKwh;
            need = string.Create(CultureInfo.InvariantCulture, $"{kwh:0.0} kWh (by energy)");
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{label} reports no state of charge; planning by energy: {kwh:0.0} kWh (Ev:DefaultNeedKwh)"));
        }
        else if (capacity is not { } kwhCapacity)
        {
            kwh = options.DefaultNeedKwh;
            need = string.Create(CultureInfo.InvariantCulture, $"{kwh:0.0} kWh (by energy)");
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"evcc reports no battery capacity for {label} and Ev:VehicleCapacityKwh is unset; planning by energy: {kwh:0.0} kWh (Ev:DefaultNeedKwh)"));
        }
        else
        {
            kwh = Math.Max(0, (target - soc) / 100 * kwhCapacity);
            need = string.Create(CultureInfo.InvariantCulture, $"{kwh:0.0} kWh ({soc:0} % → {target} % of {kwhCapacity:0.#} kWh)");
        }

        var deadline = vehicle is null ? null : new EvDeadline(vehicle, target, departure);
        var by = string.Create(CultureInfo.InvariantCulture, $"by {Local(departure)} UK ({source})");
        var due = departure;
        if (choice.ChargeNow && kwh > 0)
        {
            // "Charge now": the need is due in as few slots as full power takes, so the plan counts the car's draw now
            // (the loadpoint is driven at full power whatever the plan; EvCharging) and plans the house around it.
            var maxKwhPerSlot = options.Kw(options.MaxCurrentAmps) * options.Efficiency * slotMinutes / 60;
            var slots = Math.Clamp((int)Math.Ceiling((kwh / maxKwhPerSlot) - 1e-9), 1, Math.Max(1, slotCount));
            due = start.AddMinutes(slots * slotMinutes);
            by = "now at full power (Home Assistant's charge now)";
        }

        var problem = problems.Count == 0 ? null : string.Join("; ", problems);
        if (NeedBy(kwh, due, start, slotMinutes, slotCount) is not { } carNeed)
        {
            var why = kwh <= 0 ? $"{label} plugged in, at its target already" : $"{label} plugged in, leaving within this half hour";
            return new EvPlanning(null, deadline, problem is null ? why : $"{why}; {problem}", problem);
        }

        var spec = new EvSpec
        {
            Id = vehicle ?? "car",
            MinKw = options.Kw(options.MinCurrentAmps),
            MaxKw = options.Kw(options.MaxCurrentAmps),
            Efficiency = options.Efficiency,
            Needs = [carNeed],
        };
        var detail = $"{label} plugged in: {need} {by}";
        return new EvPlanning(spec, deadline, problem is null ? detail : $"{detail}; {problem}", problem);
    }

    /// <summary>
    /// The need of a car plugged in at slot <paramref name="fromSlot"/> of a plan starting at <paramref name="start"/>:
    /// <paramref name="kwh"/> into its battery by the last whole slot before <paramref name="departure"/>, cut at the
    /// horizon (the plan asks it all within what it sees; the next replan sees further). Null: nothing to ask — at its
    /// target already, or leaving before a whole slot of the plan is left. The live cycle and the backtest both use it.
    /// </summary>
    public static EvNeed? NeedBy(double kwh, DateTimeOffset departure, DateTimeOffset start, int slotMinutes, int slotCount, int fromSlot = 0)
    {
        var toSlot = Math.Min(slotCount, (int)Math.Floor((departure - start).TotalMinutes / slotMinutes));
        return kwh <= 0 || toSlot <= fromSlot || fromSlot >= slotCount ? null : new EvNeed { FromSlot = fromSlot, ToSlot = toSlot, Kwh = kwh };
    }

    /// <summary>The first instant after <paramref name="now"/> at <paramref name="timeOfDay"/> UK local time (today's or tomorrow's).</summary>
    public static DateTimeOffset NextLocal(DateTimeOffset now, TimeSpan timeOfDay)
    {
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime);
        var at = TimeOnly.FromTimeSpan(timeOfDay);
        var candidate = UkTime.ToUtc(today, at);
        return candidate > now ? candidate : UkTime.ToUtc(today.AddDays(1), at);
    }

    private static string Local(DateTimeOffset utc) => UkTime.ToLocal(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Hhmm(TimeSpan t) => t.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
