using System.Globalization;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Optimiser;

/// <summary>
/// Turns solved flows into plan slots with a mode and a reason a person understands. The reason names the price
/// that decides the slot and, from the duals, what a stored kWh is worth and when it is next used.
/// </summary>
internal sealed class PlanExplainer
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private readonly PlanProblem _problem;
    private readonly TimeZoneInfo _zone;

    public PlanExplainer(PlanProblem problem, string timeZoneId)
    {
        _problem = problem;
        _zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    public IReadOnlyList<PlanSlot> Explain(SolvedSlot[] solved, bool heuristic = false)
    {
        var n = solved.Length;
        // For each slot, the next later slot that takes energy out of the battery: "worth 27.5p at 17:30".
        var nextUse = new int[n];
        var next = -1;
        for (var t = n - 1; t >= 0; t--)
        {
            nextUse[t] = next;
            if (solved[t].DischargeKwh > SlotModeClassifier.DecisionToleranceKwh)
            {
                next = t;
            }
        }

        var slots = new PlanSlot[n];
        var socBefore = _problem.Battery.SocKwh;
        for (var t = 0; t < n; t++)
        {
            var s = solved[t];
            var immersion = new Dictionary<string, double>(_problem.Immersions.Count, StringComparer.Ordinal);
            var heat = 0.0;
            for (var i = 0; i < _problem.Immersions.Count; i++)
            {
                immersion[_problem.Immersions[i].Id] = s.ImmersionKwh[i];
                heat += s.ImmersionKwh[i];
            }

            var flows = new PlanSlotFlows(s.ImportKwh, s.ExportKwh, s.ChargeKwh, s.DischargeKwh, s.PvUsedKwh, heat, s.EvKwh ?? 0);
            var mode = SlotModeClassifier.Classify(_problem, t, socBefore, flows);
            var reason = heuristic
                ? $"fallback self-use: {Describe(t, mode, flows, socBefore, s.StoredValuePencePerKwh, nextUse[t])}"
                : Describe(t, mode, flows, socBefore, s.StoredValuePencePerKwh, nextUse[t]);
            reason += DescribeImmersion(t, s);
            reason += DescribeCar(t, s, heat);
            reason += DescribeSession(t, s);
            if (_problem.Slots[t].PricesEstimated)
            {
                reason += " (prices estimated, not yet published)";
            }

            slots[t] = new PlanSlot
            {
                Start = _problem.SlotStart(t),
                ImportKwh = s.ImportKwh,
                ExportKwh = s.ExportKwh,
                ChargeKwh = s.ChargeKwh,
                DischargeKwh = s.DischargeKwh,
                PvUsedKwh = s.PvUsedKwh,
                SocKwh = s.SocKwh,
                ImmersionKwh = immersion,
                EvKwh = _problem.Ev is null ? null : s.EvKwh ?? 0,
                SessionRewardPence = _problem.SessionAt(t) is null ? null : Math.Round(_problem.SessionRewardPence(t, s.ImportKwh), 3),
                Mode = mode,
                Reason = reason,
                StoredValuePencePerKwh = s.StoredValuePencePerKwh is { } v ? Math.Round(v, 3) : null,
                PricesEstimated = _problem.Slots[t].PricesEstimated,
            };
            socBefore = s.SocKwh;
        }

        return slots;
    }

    private string Describe(int t, SlotMode mode, PlanSlotFlows f, double socBefore, double? storedValue, int nextUse)
    {
        var slot = _problem.Slots[t];
        var h = _problem.SlotHours;
        var worth = storedValue is { } v ? $"a stored kWh is worth {P(v)}{When(nextUse)}" : $"a stored kWh is kept{When(nextUse)}";
        switch (mode)
        {
            case SlotMode.Charge when f.ImportKwh > SlotModeClassifier.DecisionToleranceKwh:
                return slot.ImportPence < 0
                    ? $"charging {Kw(f.ChargeKwh / h)} at {P(slot.ImportPence)}: paid to import; {worth}"
                    : $"charging {Kw(f.ChargeKwh / h)} at {P(slot.ImportPence)}: {worth}";
            case SlotMode.Charge:
                return $"charging {Kw(f.ChargeKwh / h)} from solar and sending the rest out at {P(slot.ExportPence)}: {worth}, so room is kept for later";
            case SlotMode.Export:
                return $"exporting {Kw(f.DischargeKwh / h)} from the battery at {P(slot.ExportPence)}: more than {(storedValue is { } e ? P(e) : "the value")} a stored kWh is worth later{When(nextUse)}";
            case SlotMode.Discharge:
                return $"discharging {Kw(f.DischargeKwh / h)}, less than the load, importing the rest at {P(slot.ImportPence)}: {worth}";
            case SlotMode.Hold:
                var selfUse = SlotModeClassifier.SelfUse(_problem, t, socBefore, f.ImmersionKwh + f.EvKwh);
                return selfUse.ChargeKwh > 0
                    ? $"holding at {Kwh(socBefore)}: solar surplus earns {P(slot.ExportPence)} exported, more than storing it; {worth}"
                    : $"holding at {Kwh(socBefore)}: importing at {P(slot.ImportPence)} is cheaper than using stored energy; {worth}";
            default:
                if (f.DischargeKwh > SlotModeClassifier.DecisionToleranceKwh)
                {
                    return $"self-use: the battery covers {Kw(f.DischargeKwh / h)} of load instead of importing at {P(slot.ImportPence)}";
                }

                if (f.ChargeKwh > SlotModeClassifier.DecisionToleranceKwh)
                {
                    return $"self-use: storing {Kw(f.ChargeKwh / h)} of surplus solar rather than exporting at {P(slot.ExportPence)}; {worth}";
                }

                var lo = Math.Min(_problem.Battery.MinSocKwh, _problem.Battery.SocKwh);
                return f.ImportKwh > SlotModeClassifier.DecisionToleranceKwh && socBefore <= lo + SlotModeClassifier.DecisionToleranceKwh
                    ? $"self-use: battery at its reserve ({Kwh(socBefore)}), importing at {P(slot.ImportPence)}"
                    : f.ExportKwh > SlotModeClassifier.DecisionToleranceKwh
                        ? $"self-use: battery full, exporting surplus solar at {P(slot.ExportPence)}"
                        : "self-use: nothing to move";
        }
    }

    private string DescribeImmersion(int t, SolvedSlot s)
    {
        var parts = new List<string>();
        for (var i = 0; i < _problem.Immersions.Count; i++)
        {
            if (s.ImmersionKwh[i] > SlotModeClassifier.DecisionToleranceKwh)
            {
                var heater = _problem.Immersions[i];
                var source = s.ImportKwh > SlotModeClassifier.DecisionToleranceKwh
                    ? $"at {P(_problem.Slots[t].ImportPence)}"
                    : "from solar";
                parts.Add($"heating '{heater.Id}' {Kw(s.ImmersionKwh[i] / _problem.SlotHours)} {source}");
            }
        }

        return parts.Count == 0 ? string.Empty : "; " + string.Join("; ", parts);
    }

    /// <summary>
    /// The car's part of a slot's reason: its power, where the energy comes from and which need it serves. The house's
    /// load and heaters are taken to be supplied first (solar, then the battery), so what the battery gives beyond them
    /// goes into the car; that is said with why it pays, since a battery emptied into a car is energy not kept for the
    /// house's dear hours.
    /// </summary>
    private string DescribeCar(int t, SolvedSlot s, double heat)
    {
        const double tol = SlotModeClassifier.DecisionToleranceKwh;
        if (_problem.Ev is not { } ev || s.EvKwh is not { } draw || draw <= tol)
        {
            return string.Empty;
        }

        var slot = _problem.Slots[t];
        var h = _problem.SlotHours;
        var house = slot.LoadKwh + heat;
        var fromBattery = Math.Min(draw, Math.Max(0, s.DischargeKwh - Math.Max(0, house - s.PvUsedKwh)));
        var fromGrid = Math.Min(draw - fromBattery, s.ImportKwh);
        var source = fromGrid > tol ? $"at {P(slot.ImportPence)}" : fromBattery > tol ? "from the battery" : "from solar";
        var need = ev.Needs.Where(k => k.FromSlot <= t && t < k.ToSlot).OrderBy(k => k.ToSlot).FirstOrDefault();
        var purpose = need is null ? string.Empty : $" for the {Kwh(need.Kwh)} needed by {Clock(_problem.SlotStart(need.ToSlot))}";
        var text = $"; charging '{ev.Id}' {Kw(draw / h)} {source}{purpose}";
        if (fromBattery > tol)
        {
            text += $"; charging the car from the battery at {Clock(_problem.SlotStart(t))} ({Kwh(fromBattery)}) because {WhyBatteryToCar(t, s)}";
        }

        return text;
    }

    /// <summary>
    /// A Saving Session slot's part of the reason: what the battery does for it, the reward and the baseline, and what
    /// the planned import earns ("discharging at 17:30 for the Saving Session (reward 225 p/kWh below a baseline of
    /// 0.84 kWh): importing 0.00 kWh earns 189.0p").
    /// </summary>
    private string DescribeSession(int t, SolvedSlot s)
    {
        if (_problem.SessionAt(t) is not { } session)
        {
            return string.Empty;
        }

        var baseline = session.BaselineAt(t);
        var terms = string.Create(s_inv, $"(reward {session.RewardPencePerKwh:0.#} p/kWh below a baseline of {baseline:0.00} kWh)");
        var earns = _problem.SessionRewardPence(t, s.ImportKwh);
        var what = s.DischargeKwh > SlotModeClassifier.DecisionToleranceKwh
            ? $"discharging at {Clock(_problem.SlotStart(t))} for the Saving Session {terms}"
            : $"Saving Session at {Clock(_problem.SlotStart(t))} {terms}";
        return earns > 0.005
            ? string.Create(s_inv, $"; {what}: importing {s.ImportKwh:0.00} kWh earns {earns:0.0}p")
            : string.Create(s_inv, $"; {what}: importing {s.ImportKwh:0.00} kWh earns nothing");
    }

    /// <summary>Why a kWh from the battery into the car is cheaper than the alternative, in the plan's own prices.</summary>
    private string WhyBatteryToCar(int t, SolvedSlot s)
    {
        var slot = _problem.Slots[t];
        var b = _problem.Battery;
        if (s.ImportKwh >= _problem.Grid.MaxImportKw * _problem.SlotHours - SlotModeClassifier.DecisionToleranceKwh)
        {
            return $"the grid import limit ({Kw(_problem.Grid.MaxImportKw)}) is reached";
        }

        if (s.StoredValuePencePerKwh is not { } value)
        {
            return "self-use covers the car like any other load";
        }

        // Taking one kWh out of the battery gives up 1/ηd stored kWh, each worth the dual, and wears it.
        var batteryCost = value / b.DischargeEfficiency + b.CycleCostPencePerKwh;
        var compare = slot.ImportPence > batteryCost + 0.05 ? "costs more than" : "costs as much as";
        return $"importing at {P(slot.ImportPence)} {compare} the {P(batteryCost)} a kWh from the battery costs (a stored kWh is worth {P(value)} here, plus losses and wear)";
    }

    private string When(int slot) => slot < 0
        ? " at the end of the plan"
        : " at " + Clock(_problem.SlotStart(slot));

    /// <summary>A time as reasons name it: HH:mm on the reasons' clock (UTC when the zone is unknown).</summary>
    public string Clock(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, _zone).ToString("HH:mm", s_inv);

    private static string P(double pence) => pence.ToString("0.0", s_inv) + "p";

    private static string Kw(double kw) => kw.ToString("0.0", s_inv) + " kW";

    private static string Kwh(double kwh) => kwh.ToString("0.0", s_inv) + " kWh";
}
