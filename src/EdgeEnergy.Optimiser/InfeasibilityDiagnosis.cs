using System.Globalization;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Optimiser;

/// <summary>Says, in a sentence, why no plan can exist.</summary>
internal static class InfeasibilityDiagnosis
{
    public static string Explain(PlanProblem problem)
    {
        var h = problem.SlotHours;
        var b = problem.Battery;
        var inv = CultureInfo.InvariantCulture;
        var storable = Math.Max(0, Math.Max(b.MaxSocKwh, b.SocKwh) - Math.Min(b.MinSocKwh, b.SocKwh)) * b.DischargeEfficiency;
        for (var t = 0; t < problem.Slots.Count; t++)
        {
            var s = problem.Slots[t];
            var supply = problem.Grid.MaxImportKw * h + s.PvKwh + Math.Min(b.MaxDischargeKw * h, storable);
            if (s.LoadKwh > supply + 1e-9)
            {
                return string.Format(inv, "slots[{0}].loadKwh: {1:0.###} kWh exceeds what the grid import limit, solar and battery can supply ({2:0.###} kWh)", t, s.LoadKwh, supply);
            }
        }

        foreach (var heater in problem.Immersions)
        {
            for (var a = 0; a < heater.Windows.Count; a++)
            {
                for (var c = 0; c < heater.Windows.Count; c++)
                {
                    var inner = heater.Windows[a];
                    var outer = heater.Windows[c];
                    if (a != c && outer.FromSlot <= inner.FromSlot && inner.ToSlot <= outer.ToSlot && outer.MaxKwh < inner.MinKwh)
                    {
                        return string.Format(inv, "immersion '{0}': window [{1},{2}) needs {3:0.###} kWh but the enclosing window [{4},{5}) allows only {6:0.###}",
                            heater.Id, inner.FromSlot, inner.ToSlot, inner.MinKwh, outer.FromSlot, outer.ToSlot, outer.MaxKwh);
                    }
                }
            }
        }

        return "the constraints cannot all hold together: the immersion minimums, the load and the grid import limit need more energy than the grid, solar and battery can supply in time";
    }
}
