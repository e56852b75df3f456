using System.Text.Json;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Optimiser.Tests;

/// <summary>
/// Saving Sessions in the objective (issue 18 §4): the reward r · max(0, B − import) per session slot, by hand.
/// Every problem: 2 slots at 30p import, 0.5 kWh load each, a battery holding 2 kWh that moves at most 1 kWh a slot at
/// 95 % each way, and 30p for each kWh still stored at the end. Without a session the battery holds: a kWh delivered
/// costs 30/0.95 = 31.6p of stored value, more than the 30p import it saves, and a kWh bought at 30p stores only
/// 0.95 · 30 = 28.5p of value.
/// </summary>
public class SavingSessionPlanningTests
{
    private static readonly (string Name, OptimiserOptions Options)[] s_paths =
    [
        ("default", new OptimiserOptions()),
        ("branch and bound alone", new OptimiserOptions { MipSolver = OptimiserOptions.NoMipBackend, BranchAndBoundNodes = 5000 }),
        ("SCIP alone", new OptimiserOptions { BranchAndBoundNodes = 0 }),
    ];

    private static PlanProblem Problem(double[]? exportPence = null, params SavingSessionSpec[] sessions) =>
        PlanProblems.Small([30, 30], exportPence, socKwh: 2, terminalValue: 30) with { SavingSessions = sessions.Length == 0 ? null : sessions };

    private static SavingSessionSpec Session(int from, double reward, params double[] baseline) =>
        new() { Id = "s1", FromSlot = from, ToSlot = from + baseline.Length, RewardPencePerKwh = reward, BaselineKwhPerSlot = baseline };

    [Fact]
    public void The_battery_discharges_into_the_session_slot_exactly_down_to_zero_import()
    {
        // Slot 1 in a session paying 225p/kWh below a 0.5 kWh baseline: a kWh delivered there saves 30p + 225p, more
        // than the 31.6p it costs, so the battery covers the whole load (0.5 kWh) and no more (export pays 0p).
        // Objective: 0.5·30 (slot 0) − 225·0.5 − 30·(2 − 0.5/0.95) = 15 − 112.5 − 44.211 = −141.711p.
        var problem = Problem(null, Session(1, 225, 0.5));
        foreach (var (name, options) in s_paths)
        {
            var plan = new OrToolsScheduleOptimiser(options).Solve(problem);

            Assert.True(plan.Status == PlanStatus.Optimal, $"{name}: {plan.Status} {plan.Reason}");
            Assert.Equal(0.5, plan.Slots[0].ImportKwh, 6);
            Assert.Equal(0, plan.Slots[0].DischargeKwh, 6);
            Assert.Equal(0, plan.Slots[1].ImportKwh, 6);
            Assert.Equal(0.5, plan.Slots[1].DischargeKwh, 6);
            Assert.Equal(0, plan.Slots[1].ExportKwh, 6);
            Assert.Equal(112.5, plan.Slots[1].SessionRewardPence!.Value, 3);
            Assert.Null(plan.Slots[0].SessionRewardPence);
            Assert.Equal(112.5, plan.ExpectedSessionRewardPence!.Value, 3);
            Assert.Equal(15 - 112.5 - (30 * (2 - (0.5 / 0.95))), plan.ObjectivePence, 3);
            Assert.Contains("discharging at 00:30 for the Saving Session (reward 225 p/kWh below a baseline of 0.50 kWh): importing 0.00 kWh earns 112.5p", plan.Slots[1].Reason, StringComparison.Ordinal);
        }

        // The same problem without the session holds the battery: the session alone moved it.
        var without = new OrToolsScheduleOptimiser().Solve(problem with { SavingSessions = null });
        Assert.Equal(0, without.Slots[1].DischargeKwh, 6);
        Assert.Equal(30 - (30 * 2), without.ObjectivePence, 3);
        Assert.Null(without.ExpectedSessionRewardPence);
    }

    [Fact]
    public void The_reward_never_exceeds_the_reward_times_the_baseline_however_much_is_exported()
    {
        // Export pays 100p in the session slot, so the battery gives its whole 1 kWh there: 0.5 to the load, 0.5 out.
        // Only the import reduction counts: reward 225·0.5 = 112.5p, not 225·1. Objective: 15 − 0.5·100 − 112.5 −
        // 30·(2 − 1/0.95) = −175.921p. Export above import brings the "never at once" rule in: every path agrees.
        var problem = Problem([0, 100], Session(1, 225, 0.5));
        foreach (var (name, options) in s_paths)
        {
            var plan = new OrToolsScheduleOptimiser(options).Solve(problem);

            Assert.True(plan.Status == PlanStatus.Optimal, $"{name}: {plan.Status} {plan.Reason}");
            Assert.Equal(1, plan.Slots[1].DischargeKwh, 6);
            Assert.Equal(0.5, plan.Slots[1].ExportKwh, 6);
            Assert.Equal(112.5, plan.ExpectedSessionRewardPence!.Value, 3);
            Assert.Equal(15 - 50 - 112.5 - (30 * (2 - (1 / 0.95))), plan.ObjectivePence, 3);
        }
    }

    [Fact]
    public void A_session_whose_baseline_is_zero_pays_nothing_and_changes_nothing()
    {
        var plan = new OrToolsScheduleOptimiser().Solve(Problem(null, Session(1, 225, 0)));

        Assert.Equal(PlanStatus.Optimal, plan.Status);
        Assert.Equal(0, plan.Slots[1].DischargeKwh, 6);
        Assert.Equal(0, plan.Slots[1].SessionRewardPence!.Value, 6);
        Assert.Equal(0, plan.ExpectedSessionRewardPence!.Value, 6);
        Assert.Equal(30 - (30 * 2), plan.ObjectivePence, 3);
        Assert.Contains("Saving Session at 00:30 (reward 225 p/kWh below a baseline of 0.00 kWh): importing 0.50 kWh earns nothing", plan.Slots[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_above_what_the_battery_can_cut_pays_for_the_cut_only()
    {
        // Baseline 1.5 kWh against a 0.5 kWh load: import falls to 0 at most, so the reward is 225·1.5 = 337.5p, of
        // which holding alone would already earn 225·1.0; discharging 0.5 kWh earns the last 112.5p.
        var plan = new OrToolsScheduleOptimiser().Solve(Problem(null, Session(1, 225, 1.5)));

        Assert.Equal(0.5, plan.Slots[1].DischargeKwh, 6);
        Assert.Equal(337.5, plan.ExpectedSessionRewardPence!.Value, 3);
        Assert.Equal(15 - 337.5 - (30 * (2 - (0.5 / 0.95))), plan.ObjectivePence, 3);
    }

    [Fact]
    public void A_plan_without_sessions_writes_no_session_fields()
    {
        var problem = Problem();
        var plan = new OrToolsScheduleOptimiser().Solve(problem);

        var problemJson = JsonSerializer.Serialize(problem, PlanJson.Output);
        var planJson = JsonSerializer.Serialize(plan, PlanJson.Output);

        Assert.DoesNotContain("savingSessions", problemJson, StringComparison.Ordinal);
        Assert.DoesNotContain("essionReward", planJson, StringComparison.Ordinal);
    }

    [Fact]
    public void The_session_and_its_reward_round_trip_through_the_contract_json()
    {
        var problem = Problem(null, Session(1, 225, 0.5));
        var plan = new OrToolsScheduleOptimiser().Solve(problem);

        var problemJson = JsonSerializer.Serialize(problem, PlanJson.Output);
        var planJson = JsonSerializer.Serialize(plan, PlanJson.Output);
        var parsed = PlanProblemParser.Parse(problemJson, "p.json");

        Assert.Contains("\"savingSessions\"", problemJson, StringComparison.Ordinal);
        Assert.Contains("\"baselineKwhPerSlot\"", problemJson, StringComparison.Ordinal);
        Assert.Contains("\"expectedSessionRewardPence\": 112.5", planJson, StringComparison.Ordinal);
        Assert.Null(parsed.Error);
        Assert.Equal(0.5, parsed.Problem!.SavingSessions![0].BaselineAt(1));
        Assert.Equal(plan.ObjectivePence, new OrToolsScheduleOptimiser().Solve(parsed.Problem).ObjectivePence, 6);
    }

    [Fact]
    public void The_scenario_programme_keeps_the_session_slots_before_its_cut()
    {
        // A session over slots 2–5 of 8; the programme looks 4 slots ahead: it keeps slots 2–3 with their baselines.
        var problem = PlanProblems.Small([30, 30, 30, 30, 30, 30, 30, 30], socKwh: 2, terminalValue: 30) with
        {
            SavingSessions = [Session(2, 225, 0.5, 0.4, 0.3, 0.2)],
        };
        var flat = Enumerable.Repeat(0.5, 8).ToArray();
        var set = new ScenarioSet([new ForecastScenario(flat, new double[8]), new ForecastScenario([.. flat.Select(l => 2 * l)], new double[8])], 1, "test scenarios");
        var point = new OrToolsScheduleOptimiser().Solve(problem);

        var (near, _) = ScenarioHedge.Truncate(problem, set, point, 4);
        var hedged = new OrToolsScheduleOptimiser().Solve(problem, set);

        var kept = Assert.Single(near.SavingSessions!);
        Assert.Equal((2, 4), (kept.FromSlot, kept.ToSlot));
        Assert.Equal([0.5, 0.4], kept.BaselineKwhPerSlot);
        Assert.Empty(PlanProblemValidator.Validate(near));
        Assert.Empty(PlanChecker.Violations(problem, hedged.Slots));
        Assert.Equal(PlanChecker.SessionRewardPence(problem, hedged.Slots)!.Value, hedged.ExpectedSessionRewardPence!.Value, 3);
    }
}
