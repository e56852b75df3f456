using System.Diagnostics;
using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The exact planner. Stage 1 solves the linear relaxation with GLOP; when its answer never charges and discharges
/// (or imports and exports) in the same slot it is optimal for the full model, which is the usual case and takes
/// about a millisecond. Otherwise stage 2 solves the mixed-integer model (SCIP), then re-solves the LP with each
/// slot's direction pinned, to read the duals. Any failure gives the feasible self-use heuristic, marked fallback.
/// </summary>
public sealed class OrToolsScheduleOptimiser(OptimiserOptions? options = null) : IScheduleOptimiser
{
    private readonly OptimiserOptions _options = options ?? new OptimiserOptions();

    public Plan Solve(PlanProblem problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var started = Stopwatch.GetTimestamp();
        var explainer = new PlanExplainer(problem, _options.ReasonTimeZone);
        cancellationToken.ThrowIfCancellationRequested();

        SolvedSlot[]? solved;
        PlanStatus status;
        string? failure;
        try
        {
            (solved, status, failure) = SolveExact(problem, cancellationToken);
        }
        catch (Exception e) when (e is ApplicationException or InvalidOperationException or DllNotFoundException or TypeInitializationException)
        {
            (solved, status, failure) = (null, PlanStatus.Fallback, $"solver error: {e.Message}");
        }

        if (status == PlanStatus.Infeasible)
        {
            return new Plan
            {
                Status = PlanStatus.Infeasible,
                ObjectivePence = 0,
                SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                Reason = InfeasibilityDiagnosis.Explain(problem),
                Slots = [],
            };
        }

        if (solved is not null)
        {
            var slots = explainer.Explain(solved);
            if (PlanChecker.Violations(problem, slots) is { Count: > 0 } violations)
            {
                failure = $"solver answer broke a constraint ({violations[0]})";
            }
            else
            {
                return Finish(status, slots, null);
            }
        }

        // The solver failed or timed out without a usable answer: the feasible heuristic, marked fallback.
        var heuristic = explainer.Explain(SelfUseHeuristic.Build(problem), heuristic: true);
        var problems = PlanChecker.Violations(problem, heuristic);
        return problems.Count == 0
            ? Finish(PlanStatus.Fallback, heuristic, $"{failure}; self-use heuristic used instead")
            : new Plan
            {
                Status = PlanStatus.Infeasible,
                ObjectivePence = 0,
                SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                Reason = $"{failure}; and the self-use heuristic cannot meet the constraints either: {problems[0]}",
                Slots = [],
            };

        Plan Finish(PlanStatus s, IReadOnlyList<PlanSlot> slots, string? reason) => new()
        {
            Status = s,
            ObjectivePence = PlanChecker.Objective(problem, slots),
            SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Reason = reason,
            Slots = slots,
        };
    }

    private (SolvedSlot[]? Slots, PlanStatus Status, string? Failure) SolveExact(PlanProblem problem, CancellationToken cancellationToken)
    {
        using (var lp = PlanModel.Create(problem, "GLOP", integer: false) ?? throw new InvalidOperationException("GLOP is not available"))
        {
            var result = lp.Solver.Solve();
            if (result == Solver.ResultStatus.INFEASIBLE)
            {
                // The relaxation is infeasible, so the integer model is too.
                return (null, PlanStatus.Infeasible, null);
            }

            if (result != Solver.ResultStatus.OPTIMAL)
            {
                return (null, PlanStatus.Fallback, $"linear stage ended {result}");
            }

            if (!lp.BreaksExclusivity())
            {
                return (lp.Extract(withDuals: true), PlanStatus.Optimal, null);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var mip = PlanModel.Create(problem, _options.MipSolver, integer: true)
            ?? PlanModel.Create(problem, "CBC", integer: true)
            ?? throw new InvalidOperationException($"no mixed-integer solver ({_options.MipSolver} or CBC) is available");
        mip.Solver.SetTimeLimit((long)_options.MipTimeLimit.TotalMilliseconds);
        var mipResult = mip.Solver.Solve();
        switch (mipResult)
        {
            case Solver.ResultStatus.INFEASIBLE:
                return (null, PlanStatus.Infeasible, null);
            case Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE:
                break;
            default:
                return (null, PlanStatus.Fallback, $"mixed-integer stage ended {mipResult} within {_options.MipTimeLimit.TotalSeconds:0.#} s");
        }

        // Same model with every slot's direction pinned: an LP whose optimum is at least as good, and which has duals.
        using var pinned = PlanModel.Create(problem, "GLOP", integer: false)!;
        mip.CopyDirectionsTo(pinned);
        var status = mipResult == Solver.ResultStatus.OPTIMAL ? PlanStatus.Optimal : PlanStatus.Feasible;
        return pinned.Solver.Solve() == Solver.ResultStatus.OPTIMAL
            ? (pinned.Extract(withDuals: true), status, null)
            : (mip.Extract(withDuals: false), status, null);
    }
}
