using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The two-stage stochastic programme of issue 15 §3: one copy of the plan model per scenario on one GLOP solver, each
/// weighted by its probability, with one decision rule for the battery and the heaters in the shared first slots (it is
/// decided before anyone knows which scenario comes true) and everything after free to differ. Its minimum is the
/// least expected bill; its rule, read on the forecast itself, is the hedged first stage. It is solved as a linear
/// programme: the "never at once" rules are left to the deterministic solve that follows with the first stage held
/// (<see cref="FirstStage"/>), where they hold exactly.
/// </summary>
internal static class ScenarioHedge
{
    /// <summary>The first stage of the least expected bill over <paramref name="set"/>, or null when the programme has no optimum.</summary>
    public static HedgeResult? Solve(PlanProblem problem, ScenarioSet set)
    {
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available");
        var k = set.Scenarios.Count;
        var blocks = new PlanModel[k];
        try
        {
            for (var s = 0; s < k; s++)
            {
                var scenario = set.Scenarios[s];
                var slots = problem.Slots.Select((slot, t) => slot with { LoadKwh = scenario.LoadKwh[t], PvKwh = scenario.PvKwh[t] }).ToArray();
                blocks[s] = PlanModel.AddScenario(solver, problem with { Slots = slots }, 1.0 / k);
            }

            // Non-anticipativity, in the form the inverter can carry out. In the shared slots each copy's battery flow
            // (charge − discharge) is u + λ·(its surplus − the forecast's surplus), with the flow u and the share λ ∈ [0, 1]
            // the same for every copy: a command decided now whose battery then follows the real load and solar as far as λ says
            // (λ = 1: self-use absorbs a larger surplus, covers a larger deficit; λ = 0: a fixed charge or discharge, the
            // grid taking the difference). Sharing the flows themselves (λ = 0 only) would price self-use's
            // following of the load as if it could not happen: on the solar fixture it lost 13 points of capture.
            var b = problem.Battery;
            var h = problem.SlotHours;
            var u = new Variable[set.SharedSlots];
            for (var t = 0; t < set.SharedSlots; t++)
            {
                u[t] = solver.MakeNumVar(-b.MaxDischargeKw * h, b.MaxChargeKw * h, string.Empty);
                var follow = solver.MakeNumVar(0, 1, string.Empty);
                var surplus = problem.Slots[t].PvKwh - problem.Slots[t].LoadKwh;
                for (var s = 0; s < k; s++)
                {
                    var scenario = set.Scenarios[s];
                    var rule = solver.MakeConstraint(0, 0, string.Empty);
                    rule.SetCoefficient(blocks[s].Charge(t), 1);
                    rule.SetCoefficient(blocks[s].Discharge(t), -1);
                    rule.SetCoefficient(u[t], -1);
                    rule.SetCoefficient(follow, -(scenario.PvKwh[t] - scenario.LoadKwh[t] - surplus));
                    if (s > 0)
                    {
                        // The heaters' relays are switched now, the same in every copy.
                        for (var i = 0; i < blocks[0].HeaterCount; i++)
                        {
                            Equal(solver, blocks[s].Immersion(i, t), blocks[0].Immersion(i, t));
                        }
                    }
                }
            }

            if (solver.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                return null;
            }

            var n = problem.Slots.Count;
            var first = blocks[0];
            var charge = new double[set.SharedSlots];
            var discharge = new double[set.SharedSlots];
            var heat = new double[first.HeaterCount][];
            for (var i = 0; i < heat.Length; i++)
            {
                heat[i] = new double[set.SharedSlots];
            }

            for (var t = 0; t < set.SharedSlots; t++)
            {
                // On the forecast itself the rule gives the flow u: charge when positive, discharge when negative.
                charge[t] = Math.Max(0, u[t].SolutionValue());
                discharge[t] = Math.Max(0, -u[t].SolutionValue());
                for (var i = 0; i < heat.Length; i++)
                {
                    heat[i][t] = Math.Max(0, first.Immersion(i, t).SolutionValue());
                }
            }

            // For the reason: in how many scenarios the load later outruns the battery (empty, and importing), and in how
            // many the sun later gives more than the house uses.
            var floor = Math.Min(b.MinSocKwh, b.SocKwh) + 0.05;
            var later = Enumerable.Range(set.SharedSlots, n - set.SharedSlots).ToArray();
            var empties = blocks.Count(block => later.Any(t => block.Soc(t).SolutionValue() <= floor && block.Import(t).SolutionValue() > 0.01));
            var spare = set.Scenarios.Count(scenario => later.Any(t => scenario.PvKwh[t] - scenario.LoadKwh[t] > 0.05));
            return new HedgeResult(new FirstStage(charge, discharge, heat), empties, spare);
        }
        finally
        {
            foreach (var block in blocks)
            {
                block?.Dispose();
            }
        }
    }

    /// <summary>
    /// The problem and scenarios cut to their first <paramref name="slots"/> slots, energy stored at the cut valued as the
    /// deterministic <paramref name="point"/> plan's dual values it there; immersion windows that run past the cut keep
    /// their maximum but not their minimum (the rest of the horizon may still deliver it), and so do the car's needs.
    /// </summary>
    public static (PlanProblem Problem, ScenarioSet Scenarios) Truncate(PlanProblem problem, ScenarioSet set, Plan point, int slots)
    {
        var n = problem.Slots.Count;
        if (n <= slots || slots <= set.SharedSlots)
        {
            return (problem, set);
        }

        var near = problem with
        {
            Slots = [.. problem.Slots.Take(slots)],
            TerminalValuePencePerKwh = point.Slots[slots - 1].StoredValuePencePerKwh is { } value && double.IsFinite(value)
                ? Math.Max(0, value)
                : problem.TerminalValuePencePerKwh,
            Immersions = [.. problem.Immersions.Select(heater => heater with
            {
                Windows = [.. heater.Windows.Where(w => w.FromSlot < slots).Select(w => w.ToSlot <= slots ? w : w with { ToSlot = slots, MinKwh = 0 })],
            })],
            // Likewise a car need that runs past the cut: the car stays plugged in up to the cut but need not be charged
            // by then, since the rest of the horizon may still deliver it.
            Ev = problem.Ev is { } ev
                ? ev with { Needs = [.. ev.Needs.Where(k => k.FromSlot < slots).Select(k => k.ToSlot <= slots ? k : k with { ToSlot = slots, Kwh = 0 })] }
                : null,
            // A session pays per slot, so its slots before the cut keep their reward exactly.
            SavingSessions = problem.SavingSessions is { } sessions
                ? [.. sessions.Select(session => session.Before(slots)).OfType<SavingSessionSpec>()]
                : null,
        };
        var cut = set with
        {
            Scenarios = [.. set.Scenarios.Select(s => new ForecastScenario([.. s.LoadKwh.Take(slots)], [.. s.PvKwh.Take(slots)]))],
        };
        return (near, cut);
    }

    private static void Equal(Solver solver, Variable a, Variable b)
    {
        var c = solver.MakeConstraint(0, 0, string.Empty);
        c.SetCoefficient(a, 1);
        c.SetCoefficient(b, -1);
    }
}

/// <summary>
/// The hedged first stage, and in how many scenarios the load later outruns the battery
/// (<see cref="ScenariosEmptying"/>: empty while importing) or the sun later gives more than the house uses
/// (<see cref="ScenariosWithSpareSolar"/>).
/// </summary>
internal sealed record HedgeResult(FirstStage FirstStage, int ScenariosEmptying, int ScenariosWithSpareSolar);

/// <summary>
/// Battery and immersion flows (kWh) held in the first slots of a deterministic model: the hedge's decisions on the
/// problem's own forecast, planned around.
/// </summary>
internal sealed record FirstStage(double[] ChargeKwh, double[] DischargeKwh, double[][] ImmersionKwh)
{
    public int Slots => ChargeKwh.Length;

    public void HoldIn(PlanModel model)
    {
        for (var t = 0; t < Math.Min(Slots, model.SlotCount); t++)
        {
            Hold(model.Charge(t), ChargeKwh[t]);
            Hold(model.Discharge(t), DischargeKwh[t]);
            for (var i = 0; i < Math.Min(ImmersionKwh.Length, model.HeaterCount); i++)
            {
                Hold(model.Immersion(i, t), ImmersionKwh[i][t]);
            }
        }
    }

    private static void Hold(Variable flow, double kwh)
    {
        // Within the flow's own bounds, so solver noise in the hedge cannot make the held model infeasible.
        var value = Math.Clamp(kwh, flow.Lb(), flow.Ub());
        flow.SetBounds(value, value);
    }
}
