namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// The planner port. A pure function of its input: no clock, no I/O. Returns a plan that satisfies every constraint
/// of the problem (status optimal, feasible or fallback), or status infeasible with a reason when none can exist.
/// Inputs must have passed <see cref="PlanProblemValidator"/>.
/// </summary>
public interface IScheduleOptimiser
{
    Plan Solve(PlanProblem problem, CancellationToken cancellationToken = default);

    /// <summary>
    /// A plan that allows for being wrong: its first <see cref="ScenarioSet.SharedSlots"/> slots minimise the expected
    /// bill over <paramref name="scenarios"/>, the rest follow the problem's own forecast. The plan answers the problem
    /// as given (every constraint of it holds); an optimiser that cannot hedge plans on the problem alone.
    /// </summary>
    Plan Solve(PlanProblem problem, ScenarioSet? scenarios, CancellationToken cancellationToken = default) => Solve(problem, cancellationToken);
}
