using System.Diagnostics;
using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The first part of the integer stage, on GLOP alone: a best-first branch and bound whose branches bound the number of
/// importing slots in a run between the battery's bounds, or pin one slot's direction under one "never at once" rule.
/// Every node is the same LP with some bounds changed, re-solved from the last basis, so a node costs a few pivots
/// (about 0.1–0.5 ms at 96 slots) where a SCIP solve costs its set-up first. A first answer comes from a dive that
/// rounds every broken slot the way it leans; when the search ends without closing, each of those directions is then
/// turned round once to see if that is cheaper. On the fixtures that answer is the optimum or within 1 % of it.
/// When prices make many slots break a rule (negative prices: the relaxation "burns" energy by charging and
/// discharging at once) this bound is weak and the search does not close within its node budget; the caller then
/// hands over to SCIP, keeping this answer in case SCIP finds nothing better in time.
/// </summary>
internal static class BranchAndBound
{
    /// <summary>The same relative gap at which SCIP and CBC stop by default in OR-Tools.</summary>
    private const double RelativeGap = 1e-4;

    private const int DiveRounds = 8;

    /// <summary>
    /// Searches the model whose relaxation (no pins) has just been solved and broke a rule, for at most
    /// <paramref name="nodeBudget"/> nodes or until <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public static BranchAndBoundResult Solve(PlanModel model, int nodeBudget, long deadline, CancellationToken cancellationToken)
    {
        var rootBound = model.Objective;
        var seenBroken = new HashSet<int>();
        List<(DirectionPin Leaning, double Amount)> Broken()
        {
            var broken = model.BrokenRules();
            seenBroken.UnionWith(broken.Select(b => b.Leaning.Slot));
            return broken;
        }

        SolvedSlot[]? best = null;
        var bestObjective = double.PositiveInfinity;
        var closes = (double bound) => bound >= bestObjective - Math.Max(1e-6, RelativeGap * Math.Abs(bestObjective));

        void Offer()
        {
            if (model.Objective < bestObjective)
            {
                bestObjective = model.Objective;
                best = model.Extract(withDuals: true);
            }
        }

        // One pass of single flips over the dive's pins: each direction turned round is kept when the answer still keeps
        // every rule and costs less. The dive rounds by the relaxation's lean, which is right nearly always; this catches
        // the slots where it was not.
        void Improve(List<DirectionPin> pins)
        {
            for (var i = 0; i < pins.Count; i++)
            {
                var kept = pins[i];
                pins[i] = kept with { FirstSide = !kept.FirstSide };
                model.SetPins(pins);
                if (model.Solve() == Solver.ResultStatus.OPTIMAL && model.Objective < bestObjective - 1e-9 && Broken().Count == 0)
                {
                    Offer();
                }
                else
                {
                    pins[i] = kept;
                }
            }
        }

        // Dive: pin every broken slot the way it leans and re-solve, round by round, until nothing breaks (a feasible
        // answer). When a round's pins leave no plan (seen with runs of negative prices) it is taken back, and when the
        // rounds do not settle, the dive ends one slot at a time.
        var dive = new List<DirectionPin>();
        var settled = false;
        for (var round = 0; round < DiveRounds && !settled; round++)
        {
            var pinned = dive.Count;
            dive.AddRange(Broken().Select(b => b.Leaning));
            model.SetPins(dive);
            if (model.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                dive.RemoveRange(pinned, dive.Count - pinned);
                break;
            }

            settled = Broken().Count == 0;
        }

        var dived = settled || DiveOneAtATime(model, dive, Broken);
        if (dived)
        {
            Offer();
        }

        // The dive's answer is turned round slot by slot only when the search ends open: best-first opens the same nodes
        // whatever the answer in hand, so when it closes, the pass is work thrown away (18 of negative-2020-05-24's LP
        // solves). When it ends open, the pass can still better what the search met.
        BranchAndBoundResult Open()
        {
            if (dived)
            {
                Improve(dive);
            }

            return new BranchAndBoundResult(best, bestObjective, Closed: false, seenBroken);
        }

        var nodes = 0;
        var open = new PriorityQueue<PinChain?, double>();
        open.Enqueue(null, rootBound);
        while (open.TryDequeue(out var chain, out var parentBound))
        {
            if (closes(parentBound))
            {
                // Best-first: every node left is bounded at least as high.
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (nodes++ == nodeBudget || Stopwatch.GetTimestamp() > deadline)
            {
                return Open();
            }

            model.SetPins(PinChain.All(chain).OfType<DirectionPin>());
            model.SetImportingCounts(PinChain.All(chain).OfType<ImportingCount>());
            var result = model.Solve();
            if (result == Solver.ResultStatus.INFEASIBLE)
            {
                continue;
            }

            if (result != Solver.ResultStatus.OPTIMAL)
            {
                return Open();
            }

            if (closes(model.Objective))
            {
                continue;
            }

            var broken = Broken();
            if (broken.Count == 0)
            {
                Offer();
                continue;
            }

            // Between the battery's bounds a relaxation moves a split slot's fraction to the next slot when one is
            // pinned, so pinning slot by slot walks the split along the run: 79 nodes on 2020-spring-96. Whole numbers
            // of importing slots in the run close it in 12 (docs/reports/2026-12-03-solve-tail.md).
            var bound = model.Objective;
            if (model.MostFractionalImportingRun() is { } run)
            {
                var row = model.ImportingCountRow(run.From, run.To);
                var fewer = new ImportingCount(row, double.NegativeInfinity, Math.Floor(run.Importing));
                var more = new ImportingCount(row, Math.Ceiling(run.Importing), double.PositiveInfinity);
                open.Enqueue(new PinChain(fewer, chain), bound);
                open.Enqueue(new PinChain(more, chain), bound);
                continue;
            }

            var branch = broken.MaxBy(b => b.Amount).Leaning;
            open.Enqueue(new PinChain(branch, chain), bound);
            open.Enqueue(new PinChain(branch with { FirstSide = !branch.FirstSide }, chain), bound);
        }

        // The search closed: the best answer is optimal within the gap, or no answer keeps the rules at all.
        return new BranchAndBoundResult(best, bestObjective, Closed: true, seenBroken);
    }

    /// <summary>
    /// Pins the most broken slot the way it leans (the other way if that has no plan) and re-solves, until no rule is
    /// broken (true: the model holds that answer) or neither way of a slot has a plan (false).
    /// </summary>
    private static bool DiveOneAtATime(PlanModel model, List<DirectionPin> dive, Func<List<(DirectionPin Leaning, double Amount)>> brokenRules)
    {
        while (true)
        {
            model.SetPins(dive);
            if (model.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                return false;
            }

            var broken = brokenRules();
            if (broken.Count == 0)
            {
                return true;
            }

            var pin = broken.MaxBy(b => b.Amount).Leaning;
            dive.Add(pin);
            model.SetPins(dive);
            if (model.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                dive[^1] = pin with { FirstSide = !pin.FirstSide };
            }
        }
    }

    /// <summary>
    /// A node's branching decisions (a <see cref="DirectionPin"/> or an <see cref="ImportingCount"/>) as a chain to its
    /// parent's, so siblings share the path from the root.
    /// </summary>
    private sealed record PinChain(object Decision, PinChain? Parent)
    {
        public static IEnumerable<object> All(PinChain? chain)
        {
            for (var c = chain; c is not null; c = c.Parent)
            {
                yield return c.Decision;
            }
        }
    }
}

/// <summary>
/// The best answer found (null: none; its objective in pence, +∞ when none), whether the search closed (then that
/// answer is optimal within the gap, or, when there is none, no answer keeps the rules), and every slot where one of
/// the search's relaxations broke a rule: where the mixed-integer stage needs its binaries.
/// </summary>
internal sealed record BranchAndBoundResult(SolvedSlot[]? Best, double BestObjective, bool Closed, IReadOnlySet<int> SlotsSeenBroken);
