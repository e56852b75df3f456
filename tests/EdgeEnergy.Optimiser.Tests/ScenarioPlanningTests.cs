using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Optimiser.Tests;

/// <summary>Plans that allow for being wrong (issue 15 §3): the two-stage programme over scenarios.</summary>
public class ScenarioPlanningTests
{
    private readonly OrToolsScheduleOptimiser _optimiser = new();

    private static ScenarioSet Set(int shared, params (double[] Load, double[] Pv)[] scenarios) =>
        new([.. scenarios.Select(s => new ForecastScenario(s.Load, s.Pv))], shared, "test scenarios");

    [Fact]
    public void Charges_now_for_an_evening_that_may_be_busy()
    {
        // Cheap now, dear later; the forecast says a quiet evening (0.1 kWh a slot), but on one likely evening in two
        // the load is ten times that. Charging a kWh now at 5p saves 40p × 0.95 on that evening: worth it on average.
        var problem = PlanProblems.Small([5, 40, 40, 40], socKwh: 0, loadKwh: 0.1);
        var quiet = new double[] { 0.1, 0.1, 0.1, 0.1 };
        var busy = new double[] { 0.1, 1.0, 1.0, 1.0 };
        var none = new double[4];

        var point = _optimiser.Solve(problem);
        var hedged = _optimiser.Solve(problem, Set(1, (quiet, none), (busy, none)));

        Assert.Equal(PlanStatus.Optimal, hedged.Status);
        Assert.Empty(PlanChecker.Violations(problem, hedged.Slots)); // the plan still answers the problem as given
        Assert.True(point.Slots[0].ChargeKwh < 0.4, $"the forecast alone needs {point.Slots[0].ChargeKwh} kWh");
        Assert.Equal(1.0, hedged.Slots[0].ChargeKwh, 3); // 2 kW for the half hour: the most the battery takes
        Assert.Equal(SlotMode.Charge, hedged.Slots[0].Mode);
        Assert.Contains("hedged over 2 scenarios (test scenarios)", hedged.Reason);
        Assert.Contains("more stored by 00:30", hedged.Reason);
        Assert.Contains("in 1 of 2 likely futures the load outruns the battery later", hedged.Reason);
    }

    [Fact]
    public void Stores_less_when_the_sun_may_fill_the_battery_anyway()
    {
        // Night import at 20p before a day the forecast calls dull (no solar): worth storing for the 30p slots. But on
        // half the likely days the sun gives 2 kWh a slot, far more than the house uses, and the stored energy is worth
        // only the 1p export: on average a stored kWh saves 0.5 × 30p × 0.95 + 0.5 × 1p, less than the 21p it costs.
        var problem = PlanProblems.Small([20, 30, 30, 30], exportPence: [1, 1, 1, 1], socKwh: 0, loadKwh: 0.3);
        var load = new double[] { 0.3, 0.3, 0.3, 0.3 };
        var dull = new double[4];
        var bright = new double[] { 0, 2, 2, 2 };

        var point = _optimiser.Solve(problem);
        var hedged = _optimiser.Solve(problem, Set(1, (load, dull), (load, bright)));

        Assert.Empty(PlanChecker.Violations(problem, hedged.Slots));
        Assert.True(hedged.Slots[0].ChargeKwh < point.Slots[0].ChargeKwh - 0.1,
            $"hedged {hedged.Slots[0].ChargeKwh} kWh vs {point.Slots[0].ChargeKwh} kWh on the forecast alone");
        Assert.Contains("less stored", hedged.Reason);
        Assert.Contains("in 1 of 2 likely futures the sun later gives more than the house uses", hedged.Reason);
    }

    [Fact]
    public void Scenarios_that_all_agree_with_the_forecast_change_nothing()
    {
        var problem = PlanProblems.Small([5, 5, 40, 40, 12, 30], socKwh: 1, pvKwh: [0, 0.2, 0.6, 0.3, 0, 0]);
        var load = problem.Slots.Select(s => s.LoadKwh).ToArray();
        var pv = problem.Slots.Select(s => s.PvKwh).ToArray();

        var point = _optimiser.Solve(problem);
        var hedged = _optimiser.Solve(problem, Set(2, (load, pv), (load, pv), (load, pv)));

        Assert.Equal(point.Slots.Select(s => (s.ChargeKwh, s.DischargeKwh, s.ImportKwh, s.ExportKwh)), hedged.Slots.Select(s => (s.ChargeKwh, s.DischargeKwh, s.ImportKwh, s.ExportKwh)));
        Assert.Contains("the same first 60 minutes over 3 scenarios", hedged.Reason);
    }

    [Theory]
    [MemberData(nameof(OrToolsScheduleOptimiserTests.RealProblems), MemberType = typeof(OrToolsScheduleOptimiserTests))]
    public void Hedged_plans_of_real_problems_keep_every_constraint_and_the_forecast_plan_stays_the_fallback(string name)
    {
        var problem = PlanProblems.Load(name);
        // Three likely futures: the forecast, a busier and duller one, a quieter and brighter one.
        (double[], double[]) Scaled(double load, double pv) =>
            ([.. problem.Slots.Select(s => s.LoadKwh * load)], [.. problem.Slots.Select(s => s.PvKwh * pv)]);
        var set = Set(2, Scaled(1, 1), Scaled(1.4, 0.5), Scaled(0.7, 1.5));

        var point = _optimiser.Solve(problem);
        var hedged = _optimiser.Solve(problem, set);

        Assert.Equal(point.Status is PlanStatus.Optimal or PlanStatus.Feasible, hedged.Status is PlanStatus.Optimal or PlanStatus.Feasible);
        if (hedged.Status is PlanStatus.Optimal or PlanStatus.Feasible)
        {
            Assert.Empty(PlanChecker.Violations(problem, hedged.Slots));
            Assert.Matches("hedged over 3 scenarios|the same first 60 minutes", hedged.Reason!);
        }

        if (point.Status == PlanStatus.Optimal)
        {
            // Held to the hedge's first hour, the rest is the best plan around it: never cheaper on the forecast than
            // the optimum for the forecast alone.
            Assert.True(hedged.ObjectivePence >= point.ObjectivePence - 1e-6, $"{hedged.ObjectivePence} < {point.ObjectivePence}");
        }
    }

    [Fact]
    public void Scenarios_that_do_not_fit_the_problem_are_set_aside_with_the_reason()
    {
        var problem = PlanProblems.Small([5, 40, 40]);
        var shortOne = Set(1, ([0.5, 0.5], [0, 0]), ([0.5, 0.5, 0.5], [0, 0, 0]));
        var nan = Set(1, ([0.5, double.NaN, 0.5], [0, 0, 0]), ([0.5, 0.5, 0.5], [0, 0, 0]));
        var negative = Set(1, ([0.5, 0.5, 0.5], [0, -1, 0]), ([0.5, 0.5, 0.5], [0, 0, 0]));
        var point = _optimiser.Solve(problem);

        foreach (var (set, why) in new[] { (shortOne, "scenario 0 has 2 load and 2 solar values for 3 slots"), (nan, "scenario 0 has a negative or non-finite value"), (negative, "scenario 0 has a negative or non-finite value") })
        {
            var plan = _optimiser.Solve(problem, set);
            Assert.Equal(point.Slots.Select(s => s.ChargeKwh), plan.Slots.Select(s => s.ChargeKwh));
            Assert.Contains($"scenarios not used: {why}", plan.Reason);
        }
    }

    [Fact]
    public void A_car_need_past_the_programme_horizon_keeps_the_car_plugged_but_asks_nothing_by_the_cut()
    {
        // The programme looks 4 slots ahead; the car must have 6 kWh by slot 8. Cut at 4, the need must not demand its
        // 6 kWh within the first 4 slots (the rest of the horizon may deliver it), and the car stays able to draw.
        var problem = PlanProblems.Small([30, 5, 5, 30, 4, 4, 30, 30], socKwh: 1) with
        {
            Ev = new EvSpec { Id = "car", MinKw = 1.4, MaxKw = 7.4, Efficiency = 0.92, Needs = [new EvNeed { FromSlot = 1, ToSlot = 8, Kwh = 6 }] },
        };
        var flat = Enumerable.Repeat(0.5, 8).ToArray();
        var set = Set(1, (flat, new double[8]), ([.. flat.Select(l => 2 * l)], new double[8]));
        var point = _optimiser.Solve(problem);

        var (near, _) = ScenarioHedge.Truncate(problem, set, point, 4);
        var hedged = _optimiser.Solve(problem, set);

        Assert.Equal(new EvNeed { FromSlot = 1, ToSlot = 4, Kwh = 0 }, Assert.Single(near.Ev!.Needs));
        Assert.Empty(PlanChecker.Violations(problem, hedged.Slots));
        Assert.Equal(0, PlanChecker.EvShortfalls(problem, hedged.Slots)[0], 6);
    }
}
