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

    public Plan Solve(PlanProblem problem, CancellationToken cancellationToken = default) => Solve(problem, firstStage: null, cancellationToken);

    /// <summary>
    /// The deterministic plan, then the stochastic programme over the scenarios (<see cref="ScenarioHedge"/>); where its
    /// battery or immersion flows in the shared slots differ from the deterministic plan's, the plan is solved again with
    /// those flows held, so the slots carried out now are the hedged ones and the rest is planned around them on the
    /// problem's own forecast. Any trouble in the hedge (unusable scenarios, no optimum, a held plan that is not optimal
    /// or feasible) leaves the deterministic plan, with the reason.
    /// </summary>
    public Plan Solve(PlanProblem problem, ScenarioSet? scenarios, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var started = Stopwatch.GetTimestamp();
        var point = Solve(problem, firstStage: null, cancellationToken);
        if (scenarios is null || scenarios.Scenarios.Count < 2 || point.Status is not (PlanStatus.Optimal or PlanStatus.Feasible))
        {
            return point;
        }

        Plan Point(string why) => point with
        {
            Reason = point.Reason is null ? why : $"{point.Reason}; {why}",
            SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };

        if (scenarios.Problem(problem) is { } wrong)
        {
            return Point($"scenarios not used: {wrong}");
        }

        HedgeResult? hedge;
        try
        {
            var (near, nearScenarios) = ScenarioHedge.Truncate(problem, scenarios, point, _options.ScenarioHorizonSlots);
            hedge = ScenarioHedge.Solve(near, nearScenarios);
        }
        catch (Exception e) when (e is ApplicationException or InvalidOperationException)
        {
            return Point($"scenario programme failed ({e.Message}); planned on the forecast alone");
        }

        if (hedge is null)
        {
            return Point("scenario programme had no optimum; planned on the forecast alone");
        }

        var shared = scenarios.SharedSlots;
        var first = hedge.FirstStage;
        var same = Enumerable.Range(0, shared).All(t =>
            Math.Abs(point.Slots[t].ChargeKwh - point.Slots[t].DischargeKwh - (first.ChargeKwh[t] - first.DischargeKwh[t])) < SlotModeClassifier.DecisionToleranceKwh
            && problem.Immersions.Select((heater, i) => Math.Abs(point.Slots[t].ImmersionKwh.GetValueOrDefault(heater.Id) - first.ImmersionKwh[i][t])).All(d => d < SlotModeClassifier.DecisionToleranceKwh));
        if (same)
        {
            return Point($"the same first {shared * problem.SlotMinutes} minutes over {scenarios.Scenarios.Count} scenarios ({scenarios.Source})");
        }

        var hedged = Solve(problem, first, cancellationToken);
        if (hedged.Status is not (PlanStatus.Optimal or PlanStatus.Feasible))
        {
            return Point($"the hedged first stage could not be planned around ({hedged.Reason}); planned on the forecast alone");
        }

        var extra = hedged.Slots[shared - 1].SocKwh - point.Slots[shared - 1].SocKwh;
        var k = scenarios.Scenarios.Count;
        var at = new PlanExplainer(problem, _options.ReasonTimeZone).Clock(problem.SlotStart(shared));
        var why = extra >= 0
            ? $"hedged over {k} scenarios ({scenarios.Source}): {extra:0.00} kWh more stored by {at} than the forecast alone would keep: in {hedge.ScenariosEmptying} of {k} likely futures the load outruns the battery later"
            : $"hedged over {k} scenarios ({scenarios.Source}): {-extra:0.00} kWh less stored by {at} than the forecast alone would keep: in {hedge.ScenariosWithSpareSolar} of {k} likely futures the sun later gives more than the house uses";
        return hedged with
        {
            Reason = hedged.Reason is null ? why : $"{hedged.Reason}; {why}",
            SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }


    private Plan Solve(PlanProblem problem, FirstStage? firstStage, CancellationToken cancellationToken)
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
            (solved, status, failure) = SolveExact(problem, firstStage, cancellationToken);
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

        Plan Finish(PlanStatus s, IReadOnlyList<PlanSlot> slots, string? reason)
        {
            if (DescribeShortfalls(problem, slots, explainer) is { } missing)
            {
                reason = reason is null ? missing : $"{reason}; {missing}";
            }

            return new()
            {
                Status = s,
                ObjectivePence = PlanChecker.Objective(problem, slots),
                SolveMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                Reason = reason,
                ExpectedSessionRewardPence = PlanChecker.SessionRewardPence(problem, slots) is { } reward ? Math.Round(reward, 3) : null,
                Slots = slots,
            };
        }
    }

    /// <summary>
    /// The car's needs the plan leaves short, in one sentence each (null when every need is met): how many kWh are
    /// missing and why, so a person sees at once that the car will not be ready rather than finding the plan refused.
    /// </summary>
    private static string? DescribeShortfalls(PlanProblem problem, IReadOnlyList<PlanSlot> slots, PlanExplainer explainer)
    {
        if (problem.Ev is not { } ev)
        {
            return null;
        }

        var shortfalls = PlanChecker.EvShortfalls(problem, slots);
        var parts = new List<string>();
        for (var k = 0; k < shortfalls.Count; k++)
        {
            if (shortfalls[k] < 0.01)
            {
                continue;
            }

            var need = ev.Needs[k];
            var plugged = need.ToSlot - need.FromSlot;
            var atMost = ev.Efficiency * ev.MaxKw * problem.SlotHours * plugged;
            var why = atMost < need.Kwh - 1e-9
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the charger can put at most {atMost:0.0} kWh into it in {plugged} slots at {ev.MaxKw:0.0} kW")
                : "the grid import limit, the house's load and the other needs leave too little room before then";
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"car '{ev.Id}' will be {shortfalls[k]:0.0} kWh short of the {need.Kwh:0.0} kWh needed by {explainer.Clock(problem.SlotStart(need.ToSlot))}: {why}"));
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Rounds of adding the car's hulls where the root relaxation breaks its rule (PlanModel.AddCarHullsWhereBroken).</summary>
    private const int CarHullRounds = 3;

    private (SolvedSlot[]? Slots, PlanStatus Status, string? Failure) SolveExact(PlanProblem problem, FirstStage? firstStage, CancellationToken cancellationToken)
    {
        HashSet<int> integerSlots;
        BranchAndBoundResult? searched = null;
        var deadline = 0L;
        using (var lp = PlanModel.Create(problem, "GLOP", firstStage: firstStage, wholeSlotHulls: _options.WholeSlotHulls) ?? throw new InvalidOperationException("GLOP is not available"))
        {
            var result = lp.Solve();

            // The car's hulls go in where the relaxation breaks the charger's rule, and the relaxation is solved again:
            // on the fixtures one round settles it; past a few, the branch and bound's pins keep the rule anyway.
            for (var round = 0; round < CarHullRounds && result == Solver.ResultStatus.OPTIMAL && lp.AddCarHullsWhereBroken() > 0; round++)
            {
                result = lp.Solve();
            }

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

        // Binaries only where a relaxation broke a "never at once" rule (real data: negative prices, or export paying more
        // than import). Each round is a relaxation of the full model, so the first round whose answer breaks no rule
        // anywhere is optimal for it; a slot that breaks a rule gets its binaries in the next round. The first round
        // already has them wherever one of the search's relaxations broke a rule and wherever export pays at least what
        // import costs: adding a slot or two a round took 3–6 SCIP solves of a 240-slot window of 2022 prices, where now
        // one does (docs/reports/2026-12-02-solar-homes.md, Speed).
        if (searched is not null)
        {
            integerSlots.UnionWith(searched.SlotsSeenBroken);
        }

        integerSlots.UnionWith(PlanModel.SlotsWhereExportPaysAsMuchAsImport(problem));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (remaining <= TimeSpan.Zero)
            {
                return SearchedOr($"mixed-integer stage passed its {_options.MipTimeLimit.TotalSeconds:0.#} s limit");
            }

            using var mip = PlanModel.Create(problem, _options.MipSolver, integerSlots, firstStage);
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
            using var pinned = PlanModel.Create(problem, "GLOP", firstStage: firstStage, wholeSlotHulls: _options.WholeSlotHulls)!;
            pinned.SetPins(mip.IntegerDirections());
            return pinned.Solver.Solve() == Solver.ResultStatus.OPTIMAL && pinned.SlotsBreakingExclusivity().Count == 0
                ? (pinned.Extract(withDuals: true), status, null)
                : (mip.Extract(withDuals: false), status, null);
        }
    }
}
