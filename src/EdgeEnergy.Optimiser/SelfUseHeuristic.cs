using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The fallback plan when the solver cannot answer: the inverter's own self-use, with each immersion window's
/// minimum heated in its cheapest slots. Feasible whenever the grid limits allow self-use at all.
/// </summary>
internal static class SelfUseHeuristic
{
    public static SolvedSlot[] Build(PlanProblem problem)
    {
        var n = problem.Slots.Count;
        var h = problem.SlotHours;
        var immersion = AllocateImmersion(problem);
        var b = problem.Battery;
        var soc = b.SocKwh;
        var result = new SolvedSlot[n];
        for (var t = 0; t < n; t++)
        {
            var slot = problem.Slots[t];
            var heat = 0.0;
            foreach (var perSlot in immersion)
            {
                heat += perSlot[t];
            }

            var flows = SlotModeClassifier.SelfUse(problem, t, soc, heat);
            var net = slot.PvKwh - slot.LoadKwh - heat;
            double import = 0, export = 0, pvUsed = slot.PvKwh;
            if (net >= 0)
            {
                var rest = net - flows.ChargeKwh;
                export = Math.Min(rest, problem.Grid.MaxExportKw * h);
                pvUsed = slot.PvKwh - (rest - export); // curtail what can go nowhere
            }
            else
            {
                import = -net - flows.DischargeKwh;
            }

            soc += b.ChargeEfficiency * flows.ChargeKwh - flows.DischargeKwh / b.DischargeEfficiency;
            var heaters = new double[immersion.Length];
            for (var i = 0; i < heaters.Length; i++)
            {
                heaters[i] = immersion[i][t];
            }

            result[t] = new SolvedSlot(import, export, flows.ChargeKwh, flows.DischargeKwh, pvUsed, soc, heaters, null);
        }

        return result;
    }

    private static double[][] AllocateImmersion(PlanProblem problem)
    {
        var n = problem.Slots.Count;
        var perSlotMax = problem.SlotHours;
        var allocation = new double[problem.Immersions.Count][];
        for (var i = 0; i < allocation.Length; i++)
        {
            var heater = problem.Immersions[i];
            var slots = allocation[i] = new double[n];
            foreach (var window in heater.Windows.OrderBy(w => w.ToSlot))
            {
                var needed = window.MinKwh;
                for (var t = window.FromSlot; t < window.ToSlot; t++)
                {
                    needed -= slots[t];
                }

                var cheapestFirst = Enumerable.Range(window.FromSlot, window.ToSlot - window.FromSlot)
                    .OrderBy(t => problem.Slots[t].ImportPence - problem.Slots[t].PvKwh * 1000);
                foreach (var t in cheapestFirst)
                {
                    if (needed <= 0)
                    {
                        break;
                    }

                    var add = Math.Min(needed, heater.PowerKw * perSlotMax - slots[t]);
                    slots[t] += add;
                    needed -= add;
                }
            }
        }

        return allocation;
    }
}
