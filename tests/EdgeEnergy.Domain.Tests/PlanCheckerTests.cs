using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests;

public class PlanCheckerTests
{
    private static PlanSlot Slot(double import = 0, double export = 0, double charge = 0, double discharge = 0, double soc = 0) => new()
    {
        Start = DateTimeOffset.UnixEpoch, ImportKwh = import, ExportKwh = export, ChargeKwh = charge, DischargeKwh = discharge,
        PvUsedKwh = 0, SocKwh = soc, ImmersionKwh = new Dictionary<string, double>(), Mode = SlotMode.SelfUse, Reason = "test",
    };

    [Fact]
    public void A_balanced_plan_has_no_violation_and_its_cost_is_recomputed()
    {
        var problem = PlanProblems.Small([10, 20], socKwh: 0);
        // slot 0: import 1.5 = load 0.5 + charge 1.0 → soc 0.95; slot 1: discharge 0.5 covers the load → soc 0.95 − 0.5/0.95
        PlanSlot[] slots = [Slot(import: 1.5, charge: 1.0, soc: 0.95), Slot(discharge: 0.5, soc: 0.95 - 0.5 / 0.95)];

        Assert.Empty(PlanChecker.Violations(problem, slots));
        Assert.Equal(15.0, PlanChecker.Objective(problem, slots), 9);
    }

    [Fact]
    public void Energy_that_appears_from_nowhere_is_a_violation()
    {
        var problem = PlanProblems.Small([10], socKwh: 0);
        var v = PlanChecker.Violations(problem, [Slot(import: 0.2)]);

        Assert.Contains(v, m => m.StartsWith("slot 0: energy balance off by", StringComparison.Ordinal));
    }

    [Fact]
    public void Charging_and_discharging_at_once_is_a_violation()
    {
        var problem = PlanProblems.Small([10], socKwh: 2);
        var v = PlanChecker.Violations(problem, [Slot(import: 0.5, charge: 0.5, discharge: 0.5, soc: 2 + 0.475 - 0.5 / 0.95)]);

        Assert.Contains(v, m => m.Contains("charges 0.5 and discharges 0.5", StringComparison.Ordinal));
    }

    [Fact]
    public void Going_below_the_floor_is_a_violation()
    {
        var problem = PlanProblems.Small([10], socKwh: 0.1);
        var v = PlanChecker.Violations(problem, [Slot(discharge: 0.5, soc: 0.1 - 0.5 / 0.95)]);

        Assert.Contains(v, m => m.Contains("state of charge", StringComparison.Ordinal) && m.Contains("outside", StringComparison.Ordinal));
    }

    private static PlanProblem WithCar(PlanProblem problem) => problem with
    {
        Ev = new EvSpec { Id = "car", MinKw = 1.4, MaxKw = 7.4, Efficiency = 0.9, Needs = [new EvNeed { FromSlot = 0, ToSlot = 1, Kwh = 1.8 }] },
    };

    [Fact]
    public void The_car_draw_joins_the_balance()
    {
        var problem = WithCar(PlanProblems.Small([10, 20], socKwh: 0));
        // slot 0: import 2.5 = load 0.5 + car 2.0; slot 1: import the load.
        PlanSlot[] slots = [Slot(import: 2.5) with { EvKwh = 2.0 }, Slot(import: 0.5) with { EvKwh = 0 }];

        Assert.Empty(PlanChecker.Violations(problem, slots));
        Assert.Contains("energy balance", Assert.Single(PlanChecker.Violations(problem, [slots[0] with { EvKwh = 1.0 }, slots[1]])));
        Assert.Equal([0.0], PlanChecker.EvShortfalls(problem, slots));
    }

    [Fact]
    public void A_car_draw_below_the_charger_minimum_or_while_unplugged_is_a_violation()
    {
        var problem = WithCar(PlanProblems.Small([10, 20], socKwh: 0));
        // 0.3 kWh in half an hour is 0.6 kW, below the 1.4 kW minimum; slot 1 is outside every need.
        PlanSlot[] slots = [Slot(import: 0.8) with { EvKwh = 0.3 }, Slot(import: 1.5) with { EvKwh = 1.0 }];

        var v = PlanChecker.Violations(problem, slots);

        Assert.Contains(v, e => e.StartsWith("slot 0: car 'car' draws 0.3 kWh", StringComparison.Ordinal));
        Assert.Contains(v, e => e.StartsWith("slot 1: car 'car' draws 1 kWh, allowed 0 (not plugged in)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_need_left_short_is_reported_in_kwh_not_as_a_violation()
    {
        var problem = WithCar(PlanProblems.Small([10, 20], socKwh: 0));
        PlanSlot[] slots = [Slot(import: 1.5) with { EvKwh = 1.0 }, Slot(import: 0.5) with { EvKwh = 0 }];

        Assert.Empty(PlanChecker.Violations(problem, slots));
        Assert.Equal(1.8 - 0.9, Assert.Single(PlanChecker.EvShortfalls(problem, slots)), 9);
    }
}
