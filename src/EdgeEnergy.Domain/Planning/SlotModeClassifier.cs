namespace EdgeEnergy.Domain.Planning;

/// <summary>What the inverter's own self-use mode would do in a slot, in kWh.</summary>
public readonly record struct SelfUseFlows(double ChargeKwh, double DischargeKwh);

/// <summary>
/// Names the inverter mode a slot's flows call for, by comparing them with what self-use would do on its own.
/// The control loop and the backtest carry out the mode; the plan's reason explains it.
/// </summary>
public static class SlotModeClassifier
{
    /// <summary>Differences below this (kWh per slot) are measurement noise, not a decision.</summary>
    public const double DecisionToleranceKwh = 0.01;

    /// <summary>
    /// What self-use would do with <paramref name="immersionKwh"/> of planned load on top of the forecast load: the
    /// heaters' energy and the car's draw, which the inverter sees as house load like any other.
    /// </summary>
    public static SelfUseFlows SelfUse(PlanProblem problem, int slot, double socBeforeKwh, double immersionKwh)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var b = problem.Battery;
        var h = problem.SlotHours;
        var s = problem.Slots[slot];
        var net = s.PvKwh - s.LoadKwh - immersionKwh;
        var lo = Math.Min(b.MinSocKwh, b.SocKwh);
        var hi = Math.Max(b.MaxSocKwh, b.SocKwh);
        if (net >= 0)
        {
            var room = Math.Max(0, hi - socBeforeKwh) / b.ChargeEfficiency;
            return new SelfUseFlows(Math.Min(Math.Min(net, b.MaxChargeKw * h), room), 0);
        }

        var available = Math.Max(0, socBeforeKwh - lo) * b.DischargeEfficiency;
        return new SelfUseFlows(0, Math.Min(Math.Min(-net, b.MaxDischargeKw * h), available));
    }

    public static SlotMode Classify(PlanProblem problem, int slot, double socBeforeKwh, PlanSlotFlows flows)
    {
        var selfUse = SelfUse(problem, slot, socBeforeKwh, flows.ImmersionKwh + flows.EvKwh);
        const double tol = DecisionToleranceKwh;
        if (flows.ChargeKwh > tol)
        {
            return flows.ImportKwh > tol || flows.ChargeKwh < selfUse.ChargeKwh - tol ? SlotMode.Charge : SlotMode.SelfUse;
        }

        if (flows.DischargeKwh > tol)
        {
            if (flows.ExportKwh > tol)
            {
                return SlotMode.Export;
            }

            return flows.DischargeKwh < selfUse.DischargeKwh - tol ? SlotMode.Discharge : SlotMode.SelfUse;
        }

        return selfUse.ChargeKwh > tol || selfUse.DischargeKwh > tol ? SlotMode.Hold : SlotMode.SelfUse;
    }
}

/// <summary>The energy flows of one slot in kWh (all ≥ 0), immersion summed over heaters, the car's draw (0 without one).</summary>
public readonly record struct PlanSlotFlows(
    double ImportKwh, double ExportKwh, double ChargeKwh, double DischargeKwh, double PvUsedKwh, double ImmersionKwh, double EvKwh = 0);
