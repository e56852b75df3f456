using System.Globalization;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// Says, in a sentence, why no plan can exist. The car is never the cause: it may always draw nothing, and a need
/// it cannot meet is a priced shortfall in the model (PlanModel), reported in the plan's reason, not a refusal.
/// </summary>
internal static class InfeasibilityDiagnosis
{
    public static string Explain(PlanProblem problem)
    {
        var h = problem.SlotHours;
        var b = problem.Battery;
        var inv = CultureInfo.InvariantCulture;
        // An upper bound on the energy the battery can hold before each slot: start above the floor, then at best
        // charge with whatever the import limit and solar leave after the load. A slot whose shortfall exceeds what
        // even that bound can discharge cannot be supplied by any plan.
        var floor = Math.Min(b.MinSocKwh, b.SocKwh);
        var span = Math.Max(b.MaxSocKwh, b.SocKwh) - floor;
        var stored = b.SocKwh - floor;
        for (var t = 0; t < problem.Slots.Count; t++)
        {
            var s = problem.Slots[t];
            var gridAndSolar = problem.Grid.MaxImportKw * h + s.PvKwh;
            var shortfall = Math.Max(0, s.LoadKwh - gridAndSolar);
            var canDischarge = Math.Min(b.MaxDischargeKw * h, stored * b.DischargeEfficiency);
            if (shortfall > canDischarge + 1e-9)
            {
                return string.Format(inv, "slots[{0}].loadKwh: {1:0.###} kWh exceeds what the grid import limit, solar and battery can supply ({2:0.###} kWh)",
                    t, s.LoadKwh, gridAndSolar + canDischarge);
            }

            var spare = Math.Max(0, gridAndSolar - s.LoadKwh);
            stored = Math.Min(span, stored - shortfall / b.DischargeEfficiency + b.ChargeEfficiency * Math.Min(b.MaxChargeKw * h, spare));
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
