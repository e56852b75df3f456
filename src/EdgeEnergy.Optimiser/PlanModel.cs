using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The contract's model (docs/contracts.md section 2) built on one OR-Tools solver: a linear programme, with the two
/// "never at once" rules as binaries only in the slots named by the integer mask (the slots where a relaxation broke
/// them). <see cref="SetPins"/> closes one direction of a slot, for the branch and bound's nodes and, with
/// <see cref="IntegerDirections"/>, to turn a mixed-integer answer back into an LP with the same optimum, whose duals
/// price stored energy. Two tightenings valid for every plan that keeps the rules make the relaxation nearer the
/// integer model where prices pay for both flows at once: import and export capped by what the slot can use or give,
/// and each pair held to its convex hull. On the 2022 backtest they lifted the branch and bound alone from 93.8 % to
/// 95.1 % of perfect foresight (README, "Backtest"). A linear programme goes further where export pays more than
/// import: the hull of the whole slot, which closed the negative-price fixtures' gaps in tens or hundreds of nodes
/// where thousands did not, and the battery's headroom when each such slot begins (docs/reports/2026-12-03-solve-tail.md).
/// </summary>
internal sealed class PlanModel : IDisposable
{
    private readonly PlanProblem _problem;
    private readonly Variable[] _charge;
    private readonly Variable[] _discharge;
    private readonly Variable[] _import;
    private readonly Variable[] _export;
    private readonly Variable[] _pvUsed;
    private readonly Variable[] _soc;
    private readonly Variable[][] _immersion;
    private readonly Variable[]? _batteryCharging;
    private readonly Variable[]? _gridImporting;
    private readonly Variable[]? _ev;
    private readonly Variable[]? _evOn;
    private readonly double _evMinKwh;
    private readonly Constraint[] _socBalance;
    private readonly List<(Variable Flow, double LowerBound, double UpperBound)> _pinned = [];

    /// <summary>
    /// The car's slots not yet held to their hull (AddCarHull), with what the hull needs; empty when the hulls went in
    /// with the model (a scenario programme) or there is no car.
    /// </summary>
    private readonly Dictionary<int, (double LoadKwh, SlotCaps Caps)> _carHullsNotYetAdded = [];

    /// <summary>Each whole-slot hull's importing weight (null in slots without one).</summary>
    private readonly Variable?[] _importingWeight;

    /// <summary>The rows Σ importing weight over a run of slots, made on demand by <see cref="ImportingCountRow"/>.</summary>
    private readonly List<(int From, int To, Constraint Row)> _importingCounts = [];
    private readonly double _socLow;
    private readonly double _socHigh;
    private readonly bool _ownsSolver;

    /// <summary>
    /// Every OR-Tools wrapper this model made (variables, constraints, the objective), disposed with it. They do not own
    /// native memory (the solver does), but each has a finalizer: left to the finalizer thread, a replay's millions of
    /// them cost CPU beside the solves (<see cref="Dispose"/>).
    /// </summary>
    private readonly List<IDisposable> _wrappers = [];
    private readonly Objective _objective;

    public Solver Solver { get; }

    /// <summary>
    /// GLOP's dual simplex instead of its default primal. A branch and bound node only lowers upper bounds, which keeps
    /// the last basis dual feasible, so the dual simplex re-solves it in a few pivots; on 90 days of a 2022 solar replay
    /// it took 9 % off the time (a fifth with presolve off on first solves, <see cref="Solve"/>). Among plans of equal
    /// forecast cost it also lands on other vertices than the primal, which on the shared solar homes carried out better
    /// (docs/reports/2026-12-02-solar-homes.md, Speed).
    /// </summary>
    private const string GlopParameters = "use_dual_simplex: true";

    /// <summary>
    /// The model on the named OR-Tools backend, with binaries in <paramref name="integerSlots"/> (null: a pure LP), and
    /// the battery and immersion flows of the first slots held at <paramref name="firstStage"/>'s values when given; with
    /// <paramref name="wholeSlotHulls"/>, a linear programme holds slots where export pays more than import to the whole
    /// slot's hull (<see cref="OptimiserOptions.WholeSlotHulls"/>). The car's hulls are not in it until the caller adds
    /// them where a solution breaks the charger's rule (<see cref="AddCarHullsWhereBroken"/>).
    /// </summary>
    public static PlanModel? Create(PlanProblem problem, string solverId, IReadOnlySet<int>? integerSlots = null, FirstStage? firstStage = null, bool wholeSlotHulls = true)
    {
        var solver = Solver.CreateSolver(solverId);
        if (solver is null)
        {
            return null;
        }

        if (solverId == "GLOP" && !solver.SetSolverSpecificParametersAsString(GlopParameters))
        {
            throw new InvalidOperationException($"GLOP refused its parameters '{GlopParameters}'");
        }

        var model = new PlanModel(problem, solver, integerSlots, weight: 1, ownsSolver: true, wholeSlotHulls, eagerCarHulls: false);
        firstStage?.HoldIn(model);
        return model;
    }

    /// <summary>
    /// One scenario's copy of the model on a solver shared with others, its costs weighted by
    /// <paramref name="weight"/> (its probability): the blocks of <see cref="ScenarioHedge"/>'s programme.
    /// </summary>
    public static PlanModel AddScenario(Solver solver, PlanProblem problem, double weight) =>
        new(problem, solver, integerSlots: null, weight, ownsSolver: false, wholeSlotHulls: true, eagerCarHulls: true);

    private PlanModel(PlanProblem problem, Solver solver, IReadOnlySet<int>? integerSlots, double weight, bool ownsSolver, bool wholeSlotHulls, bool eagerCarHulls)
    {
        _ownsSolver = ownsSolver;
        _problem = problem;
        Solver = solver;
        var n = problem.Slots.Count;
        var h = problem.SlotHours;
        var b = problem.Battery;
        var g = problem.Grid;
        var maxCharge = b.MaxChargeKw * h;
        var maxDischarge = b.MaxDischargeKw * h;
        var maxImport = g.MaxImportKw * h;
        var maxExport = g.MaxExportKw * h;
        var socLow = _socLow = Math.Min(b.MinSocKwh, b.SocKwh);
        var socHigh = _socHigh = Math.Max(b.MaxSocKwh, b.SocKwh);
        var heatMax = problem.Immersions.Sum(i => i.PowerKw) * h;
        var heaterCaps = problem.Immersions.Select(i => i.PowerKw * h).ToArray();
        var ev = problem.Ev;
        _evMinKwh = ev is null ? 0 : ev.MinKw * h;

        _charge = new Variable[n];
        _discharge = new Variable[n];
        _import = new Variable[n];
        _export = new Variable[n];
        _pvUsed = new Variable[n];
        _soc = new Variable[n];
        _socBalance = new Constraint[n];
        _importingWeight = new Variable?[n];
        _immersion = new Variable[problem.Immersions.Count][];
        for (var i = 0; i < _immersion.Length; i++)
        {
            _immersion[i] = new Variable[n];
        }

        if (integerSlots is not null)
        {
            _batteryCharging = new Variable[n];
            _gridImporting = new Variable[n];
        }

        if (ev is not null)
        {
            _ev = new Variable[n];
            _evOn = integerSlots is null ? null : new Variable[n];
        }

        var objective = _objective = Own(solver.Objective());
        for (var t = 0; t < n; t++)
        {
            var slot = problem.Slots[t];
            // Import and export bounded by what the slot can use or give while the other is 0, which every plan that
            // keeps the "never at once" rule does: import ≤ load + charging + heating, export ≤ solar + discharging −
            // load. Valid for the integer model, they shrink what a relaxation gains by importing and exporting at once.
            var evMax = ev is not null && ev.Plugged(t) ? ev.MaxKw * h : 0;
            var importCap = Math.Min(maxImport, slot.LoadKwh + maxCharge + heatMax + evMax);
            var exportCap = Math.Min(maxExport, Math.Max(0, slot.PvKwh + maxDischarge - slot.LoadKwh));
            _charge[t] = Own(solver.MakeNumVar(0, maxCharge, string.Empty));
            _discharge[t] = Own(solver.MakeNumVar(0, maxDischarge, string.Empty));
            _import[t] = Own(solver.MakeNumVar(0, importCap, string.Empty));
            _export[t] = Own(solver.MakeNumVar(0, exportCap, string.Empty));
            _pvUsed[t] = Own(solver.MakeNumVar(0, slot.PvKwh, string.Empty));
            _soc[t] = Own(solver.MakeNumVar(socLow, socHigh, string.Empty));

            // pvUsed + import + discharge - charge - export - Σ immersion = load
            var balance = Own(solver.MakeConstraint(slot.LoadKwh, slot.LoadKwh, string.Empty));
            balance.SetCoefficient(_pvUsed[t], 1);
            balance.SetCoefficient(_import[t], 1);
            balance.SetCoefficient(_discharge[t], 1);
            balance.SetCoefficient(_charge[t], -1);
            balance.SetCoefficient(_export[t], -1);
            for (var i = 0; i < _immersion.Length; i++)
            {
                var heater = problem.Immersions[i];
                _immersion[i][t] = Own(solver.MakeNumVar(0, heater.PowerKw * h, string.Empty));
                balance.SetCoefficient(_immersion[i][t], -1);
                objective.SetCoefficient(_immersion[i][t], -weight * heater.ValuePencePerKwh);
            }

            if (_ev is not null)
            {
                // The car's draw is load the plan places: in the relaxation anywhere in [0, max] (in a linear programme
                // held to the slot's hull under the rule where the relaxation breaks it, AddCarHull); the rule "0 or at
                // least the minimum" is kept by a binary in the mixed-integer model, and by pins in the branch and bound
                // (BrokenRules, SetPins). A car that is not plugged in draws nothing.
                _ev[t] = Own(solver.MakeNumVar(0, evMax, string.Empty));
                balance.SetCoefficient(_ev[t], -1);
                if (_evOn is not null && evMax > 0)
                {
                    // Every slot gets its binary, not only those where a relaxation broke the rule: the car's on/off
                    // pattern is the decision itself, and min·z ≤ ev ≤ max·z is its whole description.
                    var z = _evOn[t] = Own(solver.MakeBoolVar(string.Empty));
                    AddLink(solver, _ev[t], z, evMax, chargeSide: true);
                    var floor = Own(solver.MakeConstraint(0, double.PositiveInfinity, string.Empty));
                    floor.SetCoefficient(_ev[t], 1);
                    floor.SetCoefficient(z, -_evMinKwh);
                }
            }

            // soc[t] - soc[t-1] - ηc·charge + discharge/ηd = 0 (soc[-1] is the starting state, moved to the rhs)
            var rhs = t == 0 ? b.SocKwh : 0.0;
            var dynamics = Own(solver.MakeConstraint(rhs, rhs, string.Empty));
            dynamics.SetCoefficient(_soc[t], 1);
            if (t > 0)
            {
                dynamics.SetCoefficient(_soc[t - 1], -1);
            }

            dynamics.SetCoefficient(_charge[t], -b.ChargeEfficiency);
            dynamics.SetCoefficient(_discharge[t], 1.0 / b.DischargeEfficiency);
            _socBalance[t] = dynamics;

            objective.SetCoefficient(_import[t], weight * slot.ImportPence);
            if (problem.SessionAt(t) is { } session && session.RewardPencePerKwh > 0 && session.BaselineAt(t) > 0)
            {
                AddSessionReward(solver, objective, _import[t], session.BaselineAt(t), weight * session.RewardPencePerKwh);
            }

            objective.SetCoefficient(_export[t], -weight * slot.ExportPence);
            objective.SetCoefficient(_discharge[t], weight * b.CycleCostPencePerKwh);

            // Where prices pay for both flows at once (export above import, or a negative price that pays for wasting
            // energy through the battery's losses), the relaxation is held nearer the rules. In a linear programme (the
            // branch and bound's nodes, the scenario programme) a slot where export pays more than import gets the hull
            // of the whole slot (AddSlotHull), as does a slot the car may charge in under the car's rule (AddCarHull: in a
            // scenario programme from the start, in the branch and bound's where the root relaxation breaks the rule);
            // the mixed-integer model keeps the pairwise hulls, flow/cap + other/cap ≤ 1, and the car's binaries, as
            // SCIP, which cuts for itself, took several times longer with the whole-slot hull's extra columns.
            var bothFlowsPay = slot.ExportPence > slot.ImportPence && importCap > 0 && exportCap > 0;
            var caps = new SlotCaps(importCap, exportCap, maxCharge, maxDischarge, slot.PvKwh, heaterCaps, evMax);
            if (integerSlots is null && (bothFlowsPay || Math.Min(slot.ImportPence, slot.ExportPence) < 0))
            {
                AddHeadroom(solver, t);
            }

            if (integerSlots is null && evMax > 0 && _evMinKwh > 0)
            {
                if (eagerCarHulls)
                {
                    AddCarHull(solver, t, slot.LoadKwh, caps);
                }
                else
                {
                    _carHullsNotYetAdded.Add(t, (slot.LoadKwh, caps));
                }
            }

            if (bothFlowsPay && integerSlots is null && wholeSlotHulls)
            {
                AddSlotHull(solver, t, slot.LoadKwh, caps);
            }
            else
            {
                if (bothFlowsPay)
                {
                    AddHull(solver, _import[t], importCap, _export[t], exportCap);
                }

                if (Math.Min(slot.ImportPence, slot.ExportPence) < 0)
                {
                    AddHull(solver, _charge[t], maxCharge, _discharge[t], maxDischarge);
                }
            }

            if (integerSlots is not null && integerSlots.Contains(t))
            {
                // charge ≤ C·x, discharge ≤ D·(1−x); import ≤ I·y, export ≤ E·(1−y)
                var x = _batteryCharging![t] = Own(solver.MakeBoolVar(string.Empty));
                var y = _gridImporting![t] = Own(solver.MakeBoolVar(string.Empty));
                AddLink(solver, _charge[t], x, maxCharge, chargeSide: true);
                AddLink(solver, _discharge[t], x, maxDischarge, chargeSide: false);
                AddLink(solver, _import[t], y, importCap, chargeSide: true);
                AddLink(solver, _export[t], y, exportCap, chargeSide: false);
            }
        }

        if (n > 0)
        {
            objective.SetCoefficient(_soc[n - 1], -weight * problem.TerminalValuePencePerKwh);
        }

        for (var i = 0; i < _immersion.Length; i++)
        {
            foreach (var window in problem.Immersions[i].Windows)
            {
                var total = Own(solver.MakeConstraint(window.MinKwh, window.MaxKwh ?? double.PositiveInfinity, string.Empty));
                for (var t = window.FromSlot; t < Math.Min(window.ToSlot, n); t++)
                {
                    total.SetCoefficient(_immersion[i][t], 1);
                }
            }
        }

        if (_ev is not null)
        {
            // efficiency · Σ ev[from..to) + shortfall ≥ kwh. The shortfall keeps a need no plan can meet (plugged in
            // too late, a charger too small, an import limit) from making the whole plan infeasible: the plan charges
            // what it can and says how much is missing. Its price makes it the last resort (ShortfallPenaltyPencePerKwh).
            var penalty = ShortfallPenaltyPencePerKwh(problem);
            foreach (var need in ev!.Needs)
            {
                var shortfall = Own(solver.MakeNumVar(0, need.Kwh, string.Empty));
                objective.SetCoefficient(shortfall, weight * penalty);
                var met = Own(solver.MakeConstraint(need.Kwh, double.PositiveInfinity, string.Empty));
                met.SetCoefficient(shortfall, 1);
                for (var t = need.FromSlot; t < Math.Min(need.ToSlot, n); t++)
                {
                    met.SetCoefficient(_ev[t], ev.Efficiency);
                }
            }
        }

        objective.SetMinimization();
    }

    /// <summary>
    /// Pence per kWh a car need is left short in the objective: 100 times the most a kWh delivered into the car could
    /// cost, i.e. the horizon's largest price or value (import, export, wear, terminal, immersion) carried through the
    /// worst chain of losses (stored, discharged, then through the charger), and at least 1000p. So any plan that
    /// meets the need is cheaper than one that leaves it short, and a shortfall appears only when no plan can deliver;
    /// yet it stays within a few orders of magnitude of the prices, so GLOP's tolerances still see the bill's terms.
    /// (A shortfall below about 1 % of one slot's minimum draw can still be cheaper than switching the charger on for
    /// another slot; the reason reports any shortfall from 0.01 kWh.)
    /// </summary>
    internal static double ShortfallPenaltyPencePerKwh(PlanProblem problem)
    {
        var b = problem.Battery;
        var dearest = problem.Slots.Count == 0 ? 0 : problem.Slots.Max(s => Math.Max(Math.Abs(s.ImportPence), Math.Abs(s.ExportPence)));
        var heat = problem.Immersions.Count == 0 ? 0 : problem.Immersions.Max(i => Math.Abs(i.ValuePencePerKwh));
        var worst = dearest + b.CycleCostPencePerKwh + Math.Abs(problem.TerminalValuePencePerKwh) + heat;
        var losses = (problem.Ev?.Efficiency ?? 1) * b.ChargeEfficiency * b.DischargeEfficiency;
        return Math.Max(1000, 100 * worst / losses);
    }

    /// <summary>
    /// A Saving Session slot's reward, r · max(0, B − import), as a continuous reduction 0 ≤ red ≤ B with
    /// red + import ≤ B and −r·red in the objective: a minimisation sets red to max(0, B − import) exactly, since the
    /// reward is concave in import. No binary: the branch and bound never branches on it (it is in no rule).
    /// </summary>
    private void AddSessionReward(Solver solver, Objective objective, Variable import, double baselineKwh, double weightedReward)
    {
        var reduction = Own(solver.MakeNumVar(0, baselineKwh, string.Empty));
        var belowBaseline = Own(solver.MakeConstraint(double.NegativeInfinity, baselineKwh, string.Empty));
        belowBaseline.SetCoefficient(reduction, 1);
        belowBaseline.SetCoefficient(import, 1);
        objective.SetCoefficient(reduction, -weightedReward);
    }

    /// <summary>
    /// The battery's headroom at the start of slot <paramref name="t"/>: discharge/ηd ≤ soc[t−1] − low and
    /// ηc·charge ≤ high − soc[t−1]. A plan that keeps the battery's rule only charges or only discharges in a slot, so
    /// what it takes out is at most what was in it when the slot began, and what it puts in at most the room there was:
    /// every such plan meets both, and the optimum is unchanged. The slot's balance alone lets a relaxation charge and
    /// discharge within one slot from a battery at its floor or ceiling (charging on the importing side while the
    /// exporting side discharges what was just stored), and the slot hulls cannot see that, as they do not look at the
    /// stored energy. Only in slots where prices pay for cycling (export above import, or a negative price): elsewhere
    /// a relaxation gains nothing by it. On 2020-spring-96 they cut the root gap from 0.76p to 0.48p and the branch and
    /// bound from 119 nodes to 79 (docs/reports/2026-12-03-solve-tail.md).
    /// </summary>
    private void AddHeadroom(Solver solver, int t)
    {
        var before = t == 0 ? _problem.Battery.SocKwh : 0.0; // soc[−1], the starting state, is a constant
        var emptying = Own(solver.MakeConstraint(double.NegativeInfinity, before - _socLow, string.Empty));
        emptying.SetCoefficient(_discharge[t], 1.0 / _problem.Battery.DischargeEfficiency);
        var filling = Own(solver.MakeConstraint(double.NegativeInfinity, _socHigh - before, string.Empty));
        filling.SetCoefficient(_charge[t], _problem.Battery.ChargeEfficiency);
        if (t > 0)
        {
            emptying.SetCoefficient(_soc[t - 1], -1);
            filling.SetCoefficient(_soc[t - 1], 1);
        }
    }

    /// <summary>
    /// The convex hull of slot <paramref name="t"/> as a whole (Balas's disjunctive formulation), for a slot where export
    /// pays more than import costs. The slot is either importing (export 0) or exporting (import 0): a
    /// <see cref="SlotSide"/> for the importing side, with import wholly on it and export wholly off it, and every
    /// other flow split between the sides. Each side also keeps the battery's rule, c/C + d/D ≤ its weight. Every plan
    /// that keeps the rules is in it (weight 0 or 1), so the optimum is unchanged; but a relaxation that imports and
    /// exports at once must now pay for it with real flows on each side (exporting what the battery discharges or the
    /// sun gives, importing what the battery or the load takes), where the pairwise hull import/I + export/E ≤ 1 let it
    /// count the battery's full power on both sides while the battery stood still. On the negative-price fixtures this
    /// is what kept the branch and bound's bound far from the optimum.
    /// </summary>
    private void AddSlotHull(Solver solver, int t, double loadKwh, SlotCaps caps)
    {
        var importing = new SlotSide(this, loadKwh);
        _importingWeight[t] = importing.Weight;
        importing.Whole(_import[t], caps.Import, +1);
        importing.Off(_export[t], caps.Export);
        var charge = importing.Split(_charge[t], caps.Charge, -1);
        var discharge = importing.Split(_discharge[t], caps.Discharge, +1);
        importing.Split(_pvUsed[t], caps.Pv, +1);
        for (var i = 0; i < caps.Heaters.Length; i++)
        {
            importing.Split(_immersion[i][t], caps.Heaters[i], -1);
        }

        if (_ev is not null)
        {
            importing.Split(_ev[t], caps.Ev, -1);
        }

        if (charge is not null && discharge is not null)
        {
            // c¹/C + d¹/D ≤ w and (c − c¹)/C + (d − d¹)/D ≤ 1 − w
            var importingSide = Own(solver.MakeConstraint(double.NegativeInfinity, 0, string.Empty));
            importingSide.SetCoefficient(charge, 1 / caps.Charge);
            importingSide.SetCoefficient(discharge, 1 / caps.Discharge);
            importingSide.SetCoefficient(importing.Weight, -1);
            var exportingSide = Own(solver.MakeConstraint(double.NegativeInfinity, 1, string.Empty));
            exportingSide.SetCoefficient(_charge[t], 1 / caps.Charge);
            exportingSide.SetCoefficient(charge, -1 / caps.Charge);
            exportingSide.SetCoefficient(_discharge[t], 1 / caps.Discharge);
            exportingSide.SetCoefficient(discharge, -1 / caps.Discharge);
            exportingSide.SetCoefficient(importing.Weight, 1);
        }
    }

    /// <summary>
    /// The convex hull of slot <paramref name="t"/> as a whole under the car's rule: the charger off, or on between its
    /// minimum and maximum. A <see cref="SlotSide"/> for "on" holds the car's whole draw, at least the minimum × its
    /// weight, and a part of every other flow. The pairwise relaxation let the car soak up a little solar surplus at a
    /// draw below the minimum for nothing; here a draw below the minimum is the charger on for part of the slot, and on
    /// that part it draws the minimum, paid for by what that part imports or takes from the battery.
    /// </summary>
    private void AddCarHull(Solver solver, int t, double loadKwh, SlotCaps caps)
    {
        var on = new SlotSide(this, loadKwh);
        on.Whole(_ev![t], caps.Ev, -1);
        var floor = Own(solver.MakeConstraint(0, double.PositiveInfinity, string.Empty)); // ev ≥ min · w
        floor.SetCoefficient(_ev[t], 1);
        floor.SetCoefficient(on.Weight, -_evMinKwh);
        on.Split(_import[t], caps.Import, +1);
        on.Split(_export[t], caps.Export, -1);
        on.Split(_charge[t], caps.Charge, -1);
        on.Split(_discharge[t], caps.Discharge, +1);
        on.Split(_pvUsed[t], caps.Pv, +1);
        for (var i = 0; i < caps.Heaters.Length; i++)
        {
            on.Split(_immersion[i][t], caps.Heaters[i], -1);
        }
    }

    /// <summary>
    /// Holds to its hull (<see cref="AddCarHull"/>) every slot where the current solution runs the car's charger between
    /// off and its minimum and whose hull is not in the model yet; returns how many were added (0: re-solving would
    /// change nothing). A model from <see cref="Create"/> starts without the car's hulls and the caller adds them where
    /// the relaxation breaks the rule, a round or two: each is valid for every plan, so the optimum is unchanged, and
    /// the slots the relaxation leaves alone do not pay for them in every solve. With the hulls in every plugged-in
    /// slot, ev-immersion-negative-2020-05-24 had 1,317 columns and 1,989 rows (652 and 508 for 2020-spring-96) and
    /// its first solve alone took 8 ms (docs/reports/2026-12-03-solve-tail.md).
    /// </summary>
    public int AddCarHullsWhereBroken()
    {
        var added = 0;
        foreach (var (leaning, _) in BrokenRules())
        {
            if (leaning.Rule == ExclusivityRule.Car && _carHullsNotYetAdded.Remove(leaning.Slot, out var hull))
            {
                AddCarHull(Solver, leaning.Slot, hull.LoadKwh, hull.Caps);
                added++;
            }
        }

        return added;
    }

    /// <summary>A slot's caps (kWh): the bounds of its flows, and the disjunctive hulls' scale.</summary>
    private sealed record SlotCaps(double Import, double Export, double Charge, double Discharge, double Pv, double[] Heaters, double Ev);

    /// <summary>
    /// One side of a slot's either/or (Balas): a weight w ∈ [0, 1] (1: the slot is wholly on this side) and this side's
    /// own energy balance, Σ supply parts − Σ demand parts = load · w. A flow is wholly on the side (x ≤ X·w, its all
    /// in the balance), wholly off it (x ≤ X·(1 − w)), or split: a part x¹ ∈ [0, X·w] in the balance, with
    /// x − x¹ ∈ [0, X·(1 − w)]. The other side's balance is the slot's balance less this one, so it needs no row.
    /// </summary>
    private sealed class SlotSide
    {
        private readonly PlanModel _model;
        private readonly Solver _solver;
        private readonly Constraint _balance;

        public SlotSide(PlanModel model, double loadKwh)
        {
            _model = model;
            _solver = model.Solver;
            Weight = model.Own(_solver.MakeNumVar(0, 1, string.Empty));
            _balance = model.Own(_solver.MakeConstraint(0, 0, string.Empty));
            _balance.SetCoefficient(Weight, -loadKwh);
        }

        public Variable Weight { get; }

        /// <summary>The flow is all on this side; <paramref name="supply"/> +1 when it feeds the slot, −1 when it uses energy.</summary>
        public void Whole(Variable flow, double cap, int supply)
        {
            _model.AddLink(_solver, flow, Weight, cap, chargeSide: true);
            _balance.SetCoefficient(flow, supply);
        }

        /// <summary>The flow is 0 on this side.</summary>
        public void Off(Variable flow, double cap) => _model.AddLink(_solver, flow, Weight, cap, chargeSide: false);

        /// <summary>The flow's part on this side (none when its cap is 0, and then the flow is 0 too).</summary>
        public Variable? Split(Variable flow, double cap, int supply)
        {
            if (cap <= 0)
            {
                return null;
            }

            var part = _model.Own(_solver.MakeNumVar(0, cap, string.Empty));
            _model.AddLink(_solver, part, Weight, cap, chargeSide: true);
            var rest = _model.Own(_solver.MakeConstraint(0, double.PositiveInfinity, string.Empty)); // x − x¹ ≥ 0
            rest.SetCoefficient(flow, 1);
            rest.SetCoefficient(part, -1);
            var restCap = _model.Own(_solver.MakeConstraint(double.NegativeInfinity, cap, string.Empty)); // x − x¹ + X·w ≤ X
            restCap.SetCoefficient(flow, 1);
            restCap.SetCoefficient(part, -1);
            restCap.SetCoefficient(Weight, cap);
            _balance.SetCoefficient(part, supply);
            return part;
        }
    }

    private void AddHull(Solver solver, Variable a, double capA, Variable b, double capB)
    {
        var hull = Own(solver.MakeConstraint(double.NegativeInfinity, 1, string.Empty));
        hull.SetCoefficient(a, 1 / capA);
        hull.SetCoefficient(b, 1 / capB);
    }

    /// <summary>flow ≤ cap·x (chargeSide) or flow ≤ cap·(1−x), i.e. flow + cap·x ≤ cap; x a binary, or a weight in [0, 1].</summary>
    private void AddLink(Solver solver, Variable flow, Variable x, double cap, bool chargeSide)
    {
        var c = Own(solver.MakeConstraint(double.NegativeInfinity, chargeSide ? 0 : cap, string.Empty));
        c.SetCoefficient(flow, 1);
        c.SetCoefficient(x, chargeSide ? -cap : cap);
    }

    /// <summary>
    /// Slots where the solution charges and discharges, or imports and exports, at once. None means the answer of this
    /// relaxation already satisfies the integer rules everywhere, and so is optimal for the full model.
    /// </summary>
    /// <summary>Battery charge in slot t (kWh), a variable of the model.</summary>
    internal Variable Charge(int t) => _charge[t];

    /// <summary>Battery discharge in slot t (kWh).</summary>
    internal Variable Discharge(int t) => _discharge[t];

    /// <summary>Heater i's energy in slot t (kWh).</summary>
    internal Variable Immersion(int i, int t) => _immersion[i][t];

    /// <summary>The car's draw in slot t (kWh), or null without a car.</summary>
    internal Variable? Ev(int t) => _ev?[t];

    /// <summary>Grid import in slot t (kWh).</summary>
    internal Variable Import(int t) => _import[t];

    /// <summary>Stored energy at the end of slot t (kWh).</summary>
    internal Variable Soc(int t) => _soc[t];

    internal int SlotCount => _charge.Length;

    internal int HeaterCount => _immersion.Length;

    public List<int> SlotsBreakingExclusivity() => [.. BrokenRules().Select(b => b.Leaning.Slot).Distinct()];

    private MPSolverParameters? _solveParameters;

    /// <summary>
    /// Solves, and again after pins changed. Presolve is off so that GLOP starts from the last basis (only bounds
    /// changed): a node then takes a few pivots instead of a solve from scratch, 15–20× faster on the 96-slot fixtures;
    /// on the first solve of a model this small, presolve costs more than it saves (9 % of a solar replay's time).
    /// </summary>
    public Solver.ResultStatus Solve()
    {
        if (_solveParameters is null)
        {
            _solveParameters = new MPSolverParameters();
            _solveParameters.SetIntegerParam(MPSolverParameters.IntegerParam.PRESOLVE, (int)MPSolverParameters.PresolveValues.PRESOLVE_OFF);
        }

        return Solver.Solve(_solveParameters);
    }

    /// <summary>
    /// The slots where export pays at least what import costs: the only slots where a relaxation can gain by importing
    /// and exporting at once (with import dearer, less of both is always cheaper). Slots with negative prices, where
    /// it can gain by charging and discharging at once, are not named here: on the 2020 spring fixture, binaries in all
    /// of them made a mixed-integer model SCIP did not solve in 10 s, where the rounds add the few that break.
    /// </summary>
    public static IEnumerable<int> SlotsWhereExportPaysAsMuchAsImport(PlanProblem problem) =>
        Enumerable.Range(0, problem.Slots.Count).Where(t => problem.Slots[t].ExportPence >= problem.Slots[t].ImportPence);

    /// <summary>Objective of the current solution, pence.</summary>
    public double Objective => _objective.Value();

    /// <summary>
    /// Every slot and rule where the current solution has both flows positive: the pin towards the side it leans to, and
    /// the smaller of the two flows (kWh).
    /// </summary>
    public List<(DirectionPin Leaning, double Amount)> BrokenRules()
    {
        const double eps = 1e-7;
        var broken = new List<(DirectionPin, double)>();
        for (var t = 0; t < _charge.Length; t++)
        {
            var battery = Math.Min(_charge[t].SolutionValue(), _discharge[t].SolutionValue());
            if (battery > eps)
            {
                broken.Add((new DirectionPin(t, ExclusivityRule.Battery, LeansToFirstSide(t, ExclusivityRule.Battery)), battery));
            }

            var grid = Math.Min(_import[t].SolutionValue(), _export[t].SolutionValue());
            if (grid > eps)
            {
                broken.Add((new DirectionPin(t, ExclusivityRule.Grid, LeansToFirstSide(t, ExclusivityRule.Grid)), grid));
            }

            if (_ev is not null)
            {
                // The charger between off and its minimum: on when the draw is nearer the minimum than 0. The amount is
                // the distance to the nearer allowed value, so the most undecided slot is branched first.
                var draw = _ev[t].SolutionValue();
                if (draw > eps && draw < _evMinKwh - eps)
                {
                    broken.Add((new DirectionPin(t, ExclusivityRule.Car, draw >= _evMinKwh / 2), Math.Min(draw, _evMinKwh - draw)));
                }
            }
        }

        return broken;
    }

    /// <summary>
    /// The direction the current solution leans to in a slot under a rule: true when the net battery flow stores energy
    /// (or the net grid flow imports).
    /// </summary>
    private bool LeansToFirstSide(int t, ExclusivityRule rule) => rule == ExclusivityRule.Battery
        ? _charge[t].SolutionValue() * _problem.Battery.ChargeEfficiency >= _discharge[t].SolutionValue() / _problem.Battery.DischargeEfficiency
        : _import[t].SolutionValue() >= _export[t].SolutionValue();

    /// <summary>
    /// Replaces the pins in force: each fixes one slot's direction under one rule by closing the other flow (charging
    /// pins discharge to 0, importing pins export to 0, and the reverse), or switches the car's charger off (its draw's
    /// upper bound 0) or on (its lower bound the minimum draw).
    /// </summary>
    public void SetPins(IEnumerable<DirectionPin> pins)
    {
        // Restored in reverse, so a variable pinned twice gets back the bounds it had before the first pin.
        for (var i = _pinned.Count - 1; i >= 0; i--)
        {
            var (flow, lowerBound, upperBound) = _pinned[i];
            flow.SetBounds(lowerBound, upperBound);
        }

        _pinned.Clear();
        foreach (var pin in pins)
        {
            var pinned = (pin.Rule, pin.FirstSide) switch
            {
                (ExclusivityRule.Battery, true) => _discharge[pin.Slot],
                (ExclusivityRule.Battery, false) => _charge[pin.Slot],
                (ExclusivityRule.Grid, true) => _export[pin.Slot],
                (ExclusivityRule.Grid, false) => _import[pin.Slot],
                _ => _ev![pin.Slot],
            };
            // The bounds in force before (the slot's cap, or a first stage's held value) come back when the pin goes.
            _pinned.Add((pinned, pinned.Lb(), pinned.Ub()));
            if (pin.Rule == ExclusivityRule.Car && pin.FirstSide)
            {
                pinned.SetLb(Math.Min(_evMinKwh, pinned.Ub()));
            }
            else
            {
                pinned.SetUb(0);
            }
        }
    }

    /// <summary>
    /// The run of whole-slot hulls in the current solution whose importing weights add up to the sum furthest from a
    /// whole number, or null when every run's sum is whole. A run is a stretch of consecutive hull slots in which the
    /// stored energy reaches neither bound before its last slot: between the bounds, where a relaxation can time-share
    /// importing and exporting in one slot and make up for it in the next, the number of importing slots is what
    /// decides the bill. Only runs with a slot split between the sides are named.
    /// </summary>
    public (int From, int To, double Importing)? MostFractionalImportingRun()
    {
        const double eps = 1e-6;
        (int, int, double)? most = null;
        var mostFraction = eps;
        var t = 0;
        while (t < _importingWeight.Length)
        {
            if (_importingWeight[t] is null)
            {
                t++;
                continue;
            }

            var from = t;
            var importing = 0.0;
            var split = false;
            while (t < _importingWeight.Length && _importingWeight[t] is { } weight)
            {
                var w = weight.SolutionValue();
                importing += w;
                split |= w > eps && w < 1 - eps;
                var stored = _soc[t++].SolutionValue();
                if (stored <= _socLow + eps || stored >= _socHigh - eps)
                {
                    break;
                }
            }

            var fraction = Math.Min(importing - Math.Floor(importing), Math.Ceiling(importing) - importing);
            if (split && fraction > mostFraction)
            {
                (most, mostFraction) = ((from, t, importing), fraction);
            }
        }

        return most;
    }

    /// <summary>
    /// The row Σ importing weight over slots [<paramref name="from"/>, <paramref name="to"/>), made the first time it is
    /// asked for (free until <see cref="SetImportingCounts"/> bounds it). Making a row clears the current solution: read
    /// what is needed of it first.
    /// </summary>
    public int ImportingCountRow(int from, int to)
    {
        var found = _importingCounts.FindIndex(c => c.From == from && c.To == to);
        if (found >= 0)
        {
            return found;
        }

        var row = Own(Solver.MakeConstraint(double.NegativeInfinity, double.PositiveInfinity, string.Empty));
        for (var t = from; t < to; t++)
        {
            if (_importingWeight[t] is { } weight)
            {
                row.SetCoefficient(weight, 1);
            }
        }

        _importingCounts.Add((from, to, row));
        return _importingCounts.Count - 1;
    }

    /// <summary>
    /// Replaces the bounds on the importing counts: each row at least and at most the given whole numbers (the tightest
    /// when a row is named twice), every other row free.
    /// </summary>
    public void SetImportingCounts(IEnumerable<ImportingCount> counts)
    {
        var atLeast = new double[_importingCounts.Count];
        var atMost = new double[_importingCounts.Count];
        Array.Fill(atLeast, double.NegativeInfinity);
        Array.Fill(atMost, double.PositiveInfinity);
        foreach (var count in counts)
        {
            atLeast[count.Row] = Math.Max(atLeast[count.Row], count.AtLeast);
            atMost[count.Row] = Math.Min(atMost[count.Row], count.AtMost);
        }

        for (var r = 0; r < _importingCounts.Count; r++)
        {
            _importingCounts[r].Row.SetBounds(atLeast[r], atMost[r]);
        }
    }

    /// <summary>
    /// The direction this mixed-integer solution chose in each integer slot, under both rules: pinned with
    /// <see cref="SetPins"/>, an LP of the same shape has the same optimum.
    /// </summary>
    public IEnumerable<DirectionPin> IntegerDirections()
    {
        for (var t = 0; t < _charge.Length; t++)
        {
            if (_batteryCharging?[t] is { } charging)
            {
                yield return new DirectionPin(t, ExclusivityRule.Battery, charging.SolutionValue() > 0.5);
                yield return new DirectionPin(t, ExclusivityRule.Grid, _gridImporting![t].SolutionValue() > 0.5);
            }

            if (_evOn?[t] is { } on)
            {
                yield return new DirectionPin(t, ExclusivityRule.Car, on.SolutionValue() > 0.5);
            }
        }
    }

    /// <summary>Flows of the current solution, with solver noise below 1e-9 kWh cleared.</summary>
    public SolvedSlot[] Extract(bool withDuals)
    {
        static double Clean(double v) => Math.Abs(v) < 1e-9 ? 0 : v;
        var n = _charge.Length;
        var result = new SolvedSlot[n];
        for (var t = 0; t < n; t++)
        {
            var immersion = new double[_immersion.Length];
            for (var i = 0; i < immersion.Length; i++)
            {
                immersion[i] = Clean(_immersion[i][t].SolutionValue());
            }

            result[t] = new SolvedSlot(
                Clean(_import[t].SolutionValue()),
                Clean(_export[t].SolutionValue()),
                Clean(_charge[t].SolutionValue()),
                Clean(_discharge[t].SolutionValue()),
                Clean(_pvUsed[t].SolutionValue()),
                _soc[t].SolutionValue(),
                immersion,
                _ev is null ? null : Clean(_ev[t].SolutionValue()),
                // The dual of soc[t]'s balance is d(cost)/d(energy injected at t): a stored kWh is worth its negative.
                withDuals ? -_socBalance[t].DualValue() : null);
        }

        return result;
    }

    private T Own<T>(T wrapper) where T : IDisposable
    {
        _wrappers.Add(wrapper);
        return wrapper;
    }

    public void Dispose()
    {
        // Disposing a wrapper the solver owns only drops its handle and its finalizer; the solver frees the memory.
        foreach (var wrapper in _wrappers)
        {
            wrapper.Dispose();
        }

        _wrappers.Clear();
        _solveParameters?.Dispose();
        if (_ownsSolver)
        {
            Solver.Dispose();
        }
    }
}

/// <summary>
/// The rules a relaxation can break in a slot: the two "never at once" rules (charge/discharge, import/export), and
/// the car's charger drawing between nothing and its minimum.
/// </summary>
internal enum ExclusivityRule
{
    Battery,
    Grid,
    Car,
}

/// <summary>
/// Bounds on how many slots of a run import (<see cref="PlanModel.ImportingCountRow"/>): whole numbers, as in every plan
/// that keeps the rules, where each whole-slot hull's weight can be taken as 0 or 1.
/// </summary>
internal sealed record ImportingCount(int Row, double AtLeast, double AtMost);

/// <summary>
/// One slot's direction fixed under one rule; <see cref="FirstSide"/> is charging (battery), importing (grid) or the
/// charger on (car).
/// </summary>
internal sealed record DirectionPin(int Slot, ExclusivityRule Rule, bool FirstSide);

/// <summary>
/// One slot of a solved model: flows in kWh, immersion per heater in problem order, the car's draw (null without a
/// car), stored-energy value in pence/kWh.
/// </summary>
internal sealed record SolvedSlot(
    double ImportKwh, double ExportKwh, double ChargeKwh, double DischargeKwh, double PvUsedKwh, double SocKwh,
    double[] ImmersionKwh, double? EvKwh, double? StoredValuePencePerKwh);
