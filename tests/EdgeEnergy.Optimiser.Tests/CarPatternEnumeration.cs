using EdgeEnergy.Domain.Planning;
using Google.OrTools.LinearSolver;

namespace EdgeEnergy.Optimiser.Tests;

/// <summary>
/// An independent check of the car's semi-continuous draw: every on/off pattern of the charger over the slots where the
/// car is plugged in, each solved as a linear programme written here from docs/contracts.md sections 2 and 8 (not with
/// the optimiser's PlanModel), the best taken. With a pattern fixed, "0 or between min and max" becomes two plain bounds,
/// so the pattern's LP is exact; the least over all patterns is the optimum. The "never at once" rules are left out:
/// the fixtures that use this keep export below import and prices positive, where breaking them can never pay, and
/// <see cref="Best"/> reports whether the winner keeps them so the caller can assert it.
/// </summary>
internal static class CarPatternEnumeration
{
    public sealed record Result(double ObjectivePence, double ShortfallKwh, bool KeepsExclusivity, int Patterns, double[] EvKwh);

    /// <summary>The least objective (bill + penalty × kWh short) over every charger pattern, and its shortfall.</summary>
    public static Result Best(PlanProblem problem, double shortfallPenaltyPencePerKwh)
    {
        var ev = problem.Ev ?? throw new ArgumentException("the problem has no car", nameof(problem));
        var n = problem.Slots.Count;
        var h = problem.SlotHours;
        var b = problem.Battery;
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("GLOP is not available");
        var objective = solver.Objective();
        var import = new Variable[n];
        var export = new Variable[n];
        var charge = new Variable[n];
        var discharge = new Variable[n];
        var car = new Variable[n];
        Variable? soc = null;
        var heat = problem.Immersions.Select(_ => new Variable[n]).ToArray();
        for (var t = 0; t < n; t++)
        {
            var s = problem.Slots[t];
            import[t] = solver.MakeNumVar(0, problem.Grid.MaxImportKw * h, $"import{t}");
            export[t] = solver.MakeNumVar(0, problem.Grid.MaxExportKw * h, $"export{t}");
            charge[t] = solver.MakeNumVar(0, b.MaxChargeKw * h, $"charge{t}");
            discharge[t] = solver.MakeNumVar(0, b.MaxDischargeKw * h, $"discharge{t}");
            var pv = solver.MakeNumVar(0, s.PvKwh, $"pv{t}");
            car[t] = solver.MakeNumVar(0, 0, $"car{t}");
            var next = solver.MakeNumVar(Math.Min(b.MinSocKwh, b.SocKwh), Math.Max(b.MaxSocKwh, b.SocKwh), $"soc{t}");

            // pv + import + discharge = load + charge + export + Σ heat + car
            var balance = solver.MakeConstraint(s.LoadKwh, s.LoadKwh, $"balance{t}");
            balance.SetCoefficient(pv, 1);
            balance.SetCoefficient(import[t], 1);
            balance.SetCoefficient(discharge[t], 1);
            balance.SetCoefficient(charge[t], -1);
            balance.SetCoefficient(export[t], -1);
            balance.SetCoefficient(car[t], -1);
            for (var i = 0; i < heat.Length; i++)
            {
                heat[i][t] = solver.MakeNumVar(0, problem.Immersions[i].PowerKw * h, $"heat{i}_{t}");
                balance.SetCoefficient(heat[i][t], -1);
                objective.SetCoefficient(heat[i][t], -problem.Immersions[i].ValuePencePerKwh);
            }

            // soc[t] = soc[t-1] + ηc·charge − discharge/ηd
            var rhs = soc is null ? b.SocKwh : 0;
            var dynamics = solver.MakeConstraint(rhs, rhs, $"soc{t}");
            dynamics.SetCoefficient(next, 1);
            if (soc is not null)
            {
                dynamics.SetCoefficient(soc, -1);
            }

            dynamics.SetCoefficient(charge[t], -b.ChargeEfficiency);
            dynamics.SetCoefficient(discharge[t], 1 / b.DischargeEfficiency);
            soc = next;
            objective.SetCoefficient(import[t], s.ImportPence);
            objective.SetCoefficient(export[t], -s.ExportPence);
            objective.SetCoefficient(discharge[t], b.CycleCostPencePerKwh);
        }

        objective.SetCoefficient(soc!, -problem.TerminalValuePencePerKwh);
        for (var i = 0; i < heat.Length; i++)
        {
            foreach (var w in problem.Immersions[i].Windows)
            {
                var total = solver.MakeConstraint(w.MinKwh, w.MaxKwh ?? double.PositiveInfinity, string.Empty);
                for (var t = w.FromSlot; t < w.ToSlot; t++)
                {
                    total.SetCoefficient(heat[i][t], 1);
                }
            }
        }

        var shortfalls = new List<Variable>();
        foreach (var need in ev.Needs)
        {
            var shortfall = solver.MakeNumVar(0, need.Kwh, string.Empty);
            shortfalls.Add(shortfall);
            objective.SetCoefficient(shortfall, shortfallPenaltyPencePerKwh);
            var met = solver.MakeConstraint(need.Kwh, double.PositiveInfinity, string.Empty);
            met.SetCoefficient(shortfall, 1);
            for (var t = need.FromSlot; t < need.ToSlot; t++)
            {
                met.SetCoefficient(car[t], ev.Efficiency);
            }
        }

        objective.SetMinimization();
        var plugged = Enumerable.Range(0, n).Where(t => ev.Needs.Any(k => k.FromSlot <= t && t < k.ToSlot)).ToArray();
        if (plugged.Length > 16)
        {
            throw new ArgumentException($"{plugged.Length} plugged slots: too many patterns to enumerate", nameof(problem));
        }

        Result? best = null;
        for (var pattern = 0; pattern < 1 << plugged.Length; pattern++)
        {
            for (var j = 0; j < plugged.Length; j++)
            {
                var on = (pattern >> j & 1) == 1;
                car[plugged[j]].SetBounds(on ? ev.MinKw * h : 0, on ? ev.MaxKw * h : 0);
            }

            if (solver.Solve() != Solver.ResultStatus.OPTIMAL || (best is not null && objective.Value() >= best.ObjectivePence))
            {
                continue;
            }

            var keeps = Enumerable.Range(0, n).All(t =>
                Math.Min(charge[t].SolutionValue(), discharge[t].SolutionValue()) < 1e-6
                && Math.Min(import[t].SolutionValue(), export[t].SolutionValue()) < 1e-6);
            best = new Result(objective.Value(), shortfalls.Sum(v => v.SolutionValue()), keeps, 1 << plugged.Length,
                [.. car.Select(v => v.SolutionValue())]);
        }

        return best ?? throw new InvalidOperationException("no charger pattern has a plan");
    }
}
