using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests.SavingSessions;

/// <summary>The plan problem's <c>savingSessions</c> (docs/contracts.md section 2): what is checked, and the reward the checker counts.</summary>
public class SavingSessionProblemTests
{
    private static PlanProblem Problem(params SavingSessionSpec[] sessions) =>
        PlanProblems.Small([30, 30, 30, 30]) with { SavingSessions = sessions };

    private static SavingSessionSpec Session(int from, int to, double reward, params double[] baseline) =>
        new() { Id = "s", FromSlot = from, ToSlot = to, RewardPencePerKwh = reward, BaselineKwhPerSlot = baseline };

    [Theory]
    [InlineData(2, 5, 225, new[] { 1.0, 1.0, 1.0 }, "savingSessions[0].toSlot: must be after fromSlot 2 and at most 4, got 5")]
    [InlineData(-1, 1, 225, new[] { 1.0, 1.0 }, "savingSessions[0].fromSlot: must be a slot of the horizon [0, 4), got -1")]
    [InlineData(1, 3, 225, new[] { 1.0 }, "savingSessions[0].baselineKwhPerSlot: must hold one value per slot of [fromSlot, toSlot) (2), got 1")]
    [InlineData(1, 3, 225, new[] { 1.0, -0.1 }, "savingSessions[0].baselineKwhPerSlot[1]: must be a finite kWh >= 0, got -0.1")]
    [InlineData(1, 3, -5, new[] { 1.0, 1.0 }, "savingSessions[0].rewardPencePerKwh: must be a finite number in [0, 10000), got -5")]
    public void A_bad_session_is_an_error_naming_its_field(int from, int to, double reward, double[] baseline, string error)
    {
        var errors = PlanProblemValidator.Validate(Problem(Session(from, to, reward, baseline)));

        Assert.Equal([error], errors);
    }

    [Fact]
    public void Two_sessions_may_not_cover_the_same_slot()
    {
        var errors = PlanProblemValidator.Validate(Problem(Session(0, 2, 225, 1, 1), Session(1, 3, 100, 1, 1)));

        Assert.Equal(["savingSessions[1]: slot 1 is already in an earlier session (sessions must not overlap)"], errors);
    }

    [Fact]
    public void The_checker_takes_the_reward_below_the_baseline_off_the_objective()
    {
        // Load 0.5 kWh a slot at 30p; the session pays 200p below 0.8 kWh in slot 1 and 0.2 kWh in slot 2. A plan that
        // imports the load: slot 1 earns 200·0.3 = 60p, slot 2 nothing (import above the baseline never costs extra).
        var problem = Problem(Session(1, 3, 200, 0.8, 0.2));
        var slots = Enumerable.Range(0, 4).Select(t => new PlanSlot
        {
            Start = problem.SlotStart(t), ImportKwh = 0.5, ExportKwh = 0, ChargeKwh = 0, DischargeKwh = 0, PvUsedKwh = 0, SocKwh = 0,
            ImmersionKwh = new Dictionary<string, double>(), Mode = SlotMode.SelfUse, Reason = "r",
        }).ToArray();

        Assert.Equal(60, PlanChecker.SessionRewardPence(problem, slots)!.Value, 9);
        Assert.Equal((4 * 15) - 60, PlanChecker.Objective(problem, slots), 9);
        Assert.Null(PlanChecker.SessionRewardPence(problem with { SavingSessions = null }, slots));
    }
}
