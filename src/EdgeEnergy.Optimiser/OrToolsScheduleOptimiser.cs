using System.Diagnostics;
using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The exact planner. Stage 1 solves the linear relaxation with GLOP; when its answer never charges and discharges
/// (or imports and exports) in the same slot it is optimal for the full model, which is the usual case and takes
/// about a millisecond. Otherwise stage 2 searches for the integer optimum with our own branch and bound on the same
/// GLOP model (<see cref="BranchAndBound"/>), which settles most such plans in a few ms; when it does not close within
/// its node budget, stage 3 solves the mixed-integer model (SCIP) with binaries in the slots that broke a rule, then
/// re-solves the LP with each slot's direction pinned, to read the duals; the branch and bound's answer stands if
/// SCIP finds nothing better in the time left. Any failure gives the feasible self-use heuristic, marked fallback.
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
        HashSet<int> integerSlots;
        BranchAndBoundResult? searched = null;
        var deadline = 0L;
        using (var lp = PlanModel.Create(problem, "GLOP") ?? throw new InvalidOperationException("GLOP is not available"))
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

            integerSlots = [.. lp.SlotsBreakingExclusivity()];
            if (integerSlots.Count == 0)
            {
                return (lp.Extract(withDuals: true), PlanStatus.Optimal, null);
            }

            deadline = Stopwatch.GetTimestamp() + (long)(_options.MipTimeLimit.TotalSeconds * Stopwatch.Frequency);
            if (_options.BranchAndBoundNodes > 0)
            {
                searched = BranchAndBound.Solve(lp, _options.BranchAndBoundNodes, deadline, cancellationToken);
                if (searched.Closed)
                {
                    return searched.Best is null ? (null, PlanStatus.Infeasible, null) : (searched.Best, PlanStatus.Optimal, null);
                }
            }
        }

        // The search did not close: its best answer (if any) stands unless the MIP backend does better in the time left.
        (SolvedSlot[]?, PlanStatus, string?) SearchedOr(string failure) => searched?.Best is { } best
            ? (best, PlanStatus.Feasible, null)
            : (null, PlanStatus.Fallback, failure);

        if (_options.MipSolver == OptimiserOptions.NoMipBackend)
        {
            return SearchedOr($"branch and bound found no plan within {_options.BranchAndBoundNodes} nodes");
        }

        // Binaries only where a relaxation broke a "never at once" rule (real data: negative import prices, or export
        // paying more than import). Each round is a relaxation of the full model, so the first round whose answer
        // breaks no rule anywhere is optimal for it; a slot that breaks a rule gets its binaries in the next round.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (remaining <= TimeSpan.Zero)
            {
                return SearchedOr($"mixed-integer stage passed its {_options.MipTimeLimit.TotalSeconds:0.#} s limit");
            }

            using var mip = PlanModel.Create(problem, _options.MipSolver, integerSlots);
            if (mip is null)
            {
                return SearchedOr($"the mixed-integer solver {_options.MipSolver} is not available in this OR-Tools build");
            }

            mip.Solver.SetTimeLimit(Math.Max(1, (long)remaining.TotalMilliseconds));
            var mipResult = mip.Solver.Solve();
            switch (mipResult)
            {
                case Solver.ResultStatus.INFEASIBLE:
                    return (null, PlanStatus.Infeasible, null);
                case Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE:
                    break;
                default:
                    return SearchedOr($"mixed-integer stage ended {mipResult} within {_options.MipTimeLimit.TotalSeconds:0.#} s");
            }

            var broken = mip.SlotsBreakingExclusivity();
            if (broken.Count > 0)
            {
                integerSlots.UnionWith(broken);
                continue;
            }

            var status = mipResult == Solver.ResultStatus.OPTIMAL ? PlanStatus.Optimal : PlanStatus.Feasible;
            if (searched?.Best is { } found && searched.BestObjective <= mip.Objective + 1e-9)
            {
                return (found, status, null);
            }

            // Same model with every integer slot's direction pinned: an LP whose optimum is at least as good, with duals.
            using var pinned = PlanModel.Create(problem, "GLOP")!;
            pinned.SetPins(mip.IntegerDirections());
            return pinned.Solver.Solve() == Solver.ResultStatus.OPTIMAL && pinned.SlotsBreakingExclusivity().Count == 0
                ? (pinned.Extract(withDuals: true), status, null)
                : (mip.Extract(withDuals: false), status, null);
        }
    }
}
