namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// The planner port. A pure function of its input: no clock, no I/O. Returns a plan that satisfies every constraint
/// of the problem (status optimal, feasible or fallback), or status infeasible with a reason when none can exist.
/// Inputs must have passed <see cref="PlanProblemValidator"/>.
/// </summary>
public interface IScheduleOptimiser
{
    Plan Solve(PlanProblem problem, CancellationToken cancellationToken = default);
}
