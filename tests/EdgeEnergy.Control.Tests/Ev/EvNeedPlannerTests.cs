using EdgeEnergy.Control.Ev;
using EdgeEnergy.Domain.Ev;

namespace EdgeEnergy.Control.Tests.Ev;

/// <summary>The car's need from evcc's state, the options and the clock (no wall clock: every instant is given).</summary>
public class EvNeedPlannerTests
{
    // 18:00 UTC = 18:00 UK in December; the plan starts at the 18:00 slot.
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TomorrowDeparture = new(2026, 12, 3, 7, 30, 0, TimeSpan.Zero);
    private static readonly EvOptions Options = new() { EvccUrl = "http://evcc.local:7070", DefaultTargetSocPercent = 80 };

    private static EvChargerState Car(double? soc = 30, double? capacity = 40, EvDeadline? plan = null) => new()
    {
        Connected = true, VehicleName = "polestar", VehicleSocPercent = soc, VehicleCapacityKwh = capacity, Plan = plan,
    };

    private static EvPlanning Plan(EvChargerState state, EvDeadline? written = null, DateTimeOffset? now = null) =>
        EvNeedPlanner.Plan(state, Options, now ?? Now, Now, 30, 72, written);

    [Fact]
    public void A_car_plugged_in_at_18_needs_its_soc_to_target_of_its_capacity_by_the_next_0730()
    {
        var planning = Plan(Car(soc: 30, capacity: 40));

        var need = Assert.Single(planning.Spec!.Needs);
        Assert.Equal(0, need.FromSlot);
        Assert.Equal(27, need.ToSlot); // 18:00 → 07:30 is 27 half hours
        Assert.Equal(20.0, need.Kwh, 6);
        Assert.Equal(1.38, planning.Spec.MinKw, 6);
        Assert.Equal(7.36, planning.Spec.MaxKw, 6);
        Assert.Equal(new EvDeadline("polestar", 80, TomorrowDeparture), planning.Deadline);
        Assert.Null(planning.Problem);
        Assert.Equal("polestar plugged in: 20.0 kWh (30 % → 80 % of 40 kWh) by 2026-12-03 07:30 UK (Ev:DefaultDepartureLocal 07:30)", planning.Detail);
    }

    [Fact]
    public void Home_assistants_departure_and_target_replace_the_configured_defaults()
    {
        var planning = EvNeedPlanner.Plan(Car(soc: 30, capacity: 40), Options, Now, Now, 30, 72, null, new EvChoice(new TimeSpan(6, 0, 0), 90, false));

        var need = Assert.Single(planning.Spec!.Needs);
        Assert.Equal(24, need.ToSlot); // 18:00 → 06:00
        Assert.Equal(24.0, need.Kwh, 6); // 30 % → 90 % of 40 kWh
        Assert.Equal(new EvDeadline("polestar", 90, new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero)), planning.Deadline);
        Assert.EndsWith("by 2026-12-03 06:00 UK (Home Assistant's departure 06:00)", planning.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_what_home_assistant_set_replaces_its_default()
    {
        var planning = EvNeedPlanner.Plan(Car(soc: 30, capacity: 40), Options, Now, Now, 30, 72, null, new EvChoice(null, 50, false));

        Assert.Equal(27, Assert.Single(planning.Spec!.Needs).ToSlot);
        Assert.Equal(8.0, planning.Spec.Needs[0].Kwh, 6);
    }

    [Fact]
    public void Charge_now_makes_the_need_due_in_the_slots_full_power_takes()
    {
        // 20 kWh at 7.36 kW × 0.92 in half hours (3.3856 kWh each): 6 slots, not the 27 to 07:30.
        var planning = EvNeedPlanner.Plan(Car(soc: 30, capacity: 40), Options, Now, Now, 30, 72, null, new EvChoice(null, null, true));

        var need = Assert.Single(planning.Spec!.Needs);
        Assert.Equal((0, 6, 20.0), (need.FromSlot, need.ToSlot, need.Kwh));
        Assert.Contains("now at full power (Home Assistant's charge now)", planning.Detail, StringComparison.Ordinal);
        Assert.Equal(TomorrowDeparture, planning.Deadline!.TimeUtc); // evcc's fail-safe deadline is still the departure
    }

    [Fact]
    public void Before_the_departure_time_it_is_todays()
    {
        var early = new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);

        var departure = EvNeedPlanner.NextLocal(early, Options.DefaultDepartureLocal);

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 7, 30, 0, TimeSpan.Zero), departure);
    }

    [Fact]
    public void In_summer_the_departure_is_uk_local_time()
    {
        var june = new DateTimeOffset(2026, 6, 10, 18, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 6, 11, 6, 30, 0, TimeSpan.Zero), EvNeedPlanner.NextLocal(june, Options.DefaultDepartureLocal));
    }

    [Fact]
    public void A_car_without_soc_is_planned_by_energy_and_says_which_key()
    {
        var planning = Plan(Car(soc: null));

        Assert.Equal(10.0, Assert.Single(planning.Spec!.Needs).Kwh);
        Assert.Equal("polestar reports no state of charge; planning by energy: 10.0 kWh (Ev:DefaultNeedKwh)", planning.Problem);
    }

    [Fact]
    public void A_car_without_capacity_is_planned_by_energy_unless_the_capacity_is_configured()
    {
        var byEnergy = Plan(Car(capacity: null));
        var configured = EvNeedPlanner.Plan(Car(capacity: null), new EvOptions { EvccUrl = "http://x", VehicleCapacityKwh = 60 }, Now, Now, 30, 72, null);

        Assert.Contains("Ev:VehicleCapacityKwh is unset", byEnergy.Problem, StringComparison.Ordinal);
        Assert.Equal(30.0, Assert.Single(configured.Spec!.Needs).Kwh, 6);
        Assert.Null(configured.Problem);
    }

    [Fact]
    public void A_departure_a_person_set_in_evcc_is_followed()
    {
        var theirs = new EvDeadline("polestar", 90, new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero));

        var planning = Plan(Car(plan: theirs));

        Assert.Equal(24, Assert.Single(planning.Spec!.Needs).ToSlot);
        Assert.Equal(24.0, planning.Spec.Needs[0].Kwh, 6);
        Assert.Equal(theirs, planning.Deadline);
        Assert.Null(planning.Problem);
    }

    [Fact]
    public void A_departure_in_the_past_is_replaced_by_the_next_default_one_and_said()
    {
        var stale = new EvDeadline("polestar", 90, new DateTimeOffset(2026, 12, 2, 7, 30, 0, TimeSpan.Zero));

        var planning = Plan(Car(plan: stale));

        Assert.Equal(27, Assert.Single(planning.Spec!.Needs).ToSlot);
        Assert.Equal(new EvDeadline("polestar", 80, TomorrowDeparture), planning.Deadline);
        Assert.Equal("the departure in evcc's plan for polestar (2026-12-02 07:30 UK) is in the past; planning for the next 07:30 UK (Ev:DefaultDepartureLocal) instead", planning.Problem);
    }

    [Fact]
    public void Our_own_deadline_in_evcc_is_not_taken_for_a_persons()
    {
        var ours = new EvDeadline("polestar", 80, new DateTimeOffset(2026, 12, 2, 7, 30, 0, TimeSpan.Zero));

        var planning = Plan(Car(plan: ours), written: ours);

        Assert.Null(planning.Problem);
        Assert.Equal(TomorrowDeparture, planning.Deadline!.TimeUtc);
    }

    [Theory]
    [InlineData(false, 30, "no car plugged in")]
    [InlineData(true, 85, "polestar plugged in, at its target already")]
    public void No_car_to_plan_gives_no_spec(bool connected, double soc, string detail)
    {
        var planning = Plan(Car(soc: soc) with { Connected = connected });

        Assert.Null(planning.Spec);
        Assert.Equal(detail, planning.Detail);
    }

    [Fact]
    public void The_loadpoint_limit_caps_the_target_and_is_said()
    {
        var planning = Plan(Car() with { LimitSocPercent = 60 });

        Assert.Equal(12.0, Assert.Single(planning.Spec!.Needs).Kwh, 6);
        Assert.Contains("limit 60 % is below the target 80 %", planning.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, 6)]
    [InlineData(2.3, 10)]
    [InlineData(2.31, 11)]
    [InlineData(20, 32)]
    public void Power_becomes_whole_amps_within_the_chargers_range(double kw, double amps) =>
        Assert.Equal(amps, Options.AmpsFor(kw));
}
