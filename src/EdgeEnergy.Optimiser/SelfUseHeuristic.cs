using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// The fallback plan when the solver cannot answer: the inverter's own self-use, with each immersion window's
/// minimum heated in its cheapest slots and each car need charged in its cheapest slots at full power. Feasible
/// whenever the grid limits allow self-use at all (the car only where the import limit leaves room for it).
/// </summary>
internal static class SelfUseHeuristic
{
    public static SolvedSlot[] Build(PlanProblem problem)
    {
        var n = problem.Slots.Count;
        var h = problem.SlotHours;
        var immersion = AllocateImmersion(problem);
        var car = AllocateCar(problem, immersion);
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

            var draw = car?[t] ?? 0;
            var flows = SlotModeClassifier.SelfUse(problem, t, soc, heat + draw);
            var net = slot.PvKwh - slot.LoadKwh - heat - draw;
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

            result[t] = new SolvedSlot(import, export, flows.ChargeKwh, flows.DischargeKwh, pvUsed, soc, heaters, car?[t], null);
        }

        return result;
    }

    /// <summary>
    /// The car's draw per slot (null without a car): each need, earliest deadline first, charged at full power in its
    /// cheapest slots (solar counted as free), never beyond what the import limit leaves after the load and the heaters
    /// (self-use may not cover it from the battery) and never below the charger's minimum.
    /// </summary>
    private static double[]? AllocateCar(PlanProblem problem, double[][] immersion)
    {
        if (problem.Ev is not { } ev)
        {
            return null;
        }

        var n = problem.Slots.Count;
        var h = problem.SlotHours;
        var draw = new double[n];
        foreach (var need in ev.Needs.OrderBy(k => k.ToSlot))
        {
            var delivered = 0.0;
            for (var t = need.FromSlot; t < need.ToSlot; t++)
            {
                delivered += ev.Efficiency * draw[t];
            }

            var cheapestFirst = Enumerable.Range(need.FromSlot, need.ToSlot - need.FromSlot)
                .OrderBy(t => problem.Slots[t].ImportPence - problem.Slots[t].PvKwh * 1000);
            foreach (var t in cheapestFirst)
            {
                if (delivered >= need.Kwh - 1e-9)
                {
                    break;
                }

                var slot = problem.Slots[t];
                var heat = immersion.Sum(perSlot => perSlot[t]);
                var room = Math.Min(ev.MaxKw * h, problem.Grid.MaxImportKw * h + slot.PvKwh - slot.LoadKwh - heat) - draw[t];
                var add = Math.Min(room, (need.Kwh - delivered) / ev.Efficiency);
                if (draw[t] + add < ev.MinKw * h)
                {
                    // Below the charger's minimum: run at the minimum when the slot has room for it, else skip it.
                    add = ev.MinKw * h <= draw[t] + room ? ev.MinKw * h - draw[t] : 0;
                }

                if (add > 0)
                {
                    draw[t] += add;
                    delivered += ev.Efficiency * add;
                }
            }
        }

        return draw;
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
