namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// Recomputes a plan's objective from its own slot values and lists every constraint of the model it breaks.
/// The optimiser runs it on every plan before returning it, so no plan that breaks a constraint leaves the core.
/// </summary>
public static class PlanChecker
{
    /// <summary>Tolerance in kWh for flows and balances (the reference checker uses the same).</summary>
    public const double ToleranceKwh = 1e-3;

    public static double Objective(PlanProblem problem, IReadOnlyList<PlanSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(slots);
        var cost = 0.0;
        for (var t = 0; t < slots.Count; t++)
        {
            var s = problem.Slots[t];
            var q = slots[t];
            cost += q.ImportKwh * s.ImportPence - q.ExportKwh * s.ExportPence + problem.Battery.CycleCostPencePerKwh * q.DischargeKwh
                - problem.SessionRewardPence(t, q.ImportKwh);
            foreach (var im in problem.Immersions)
            {
                cost -= im.ValuePencePerKwh * q.ImmersionKwh.GetValueOrDefault(im.Id);
            }
        }

        var endSoc = slots.Count == 0 ? problem.Battery.SocKwh : slots[^1].SocKwh;
        return cost - problem.TerminalValuePencePerKwh * endSoc;
    }

    /// <summary>
    /// The Saving Session reward the plan earns, pence (Σ reward · max(0, baseline − import) over the session slots);
    /// null when the problem has no session.
    /// </summary>
    public static double? SessionRewardPence(PlanProblem problem, IReadOnlyList<PlanSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(slots);
        return problem.SavingSessions is null ? null : slots.Select((q, t) => problem.SessionRewardPence(t, q.ImportKwh)).Sum();
    }

    /// <summary>Every violated constraint, as a sentence naming the slot. Empty when the plan is feasible.</summary>
    public static IReadOnlyList<string> Violations(PlanProblem problem, IReadOnlyList<PlanSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(slots);
        var errors = new List<string>();
        if (slots.Count != problem.Slots.Count)
        {
            errors.Add($"plan has {slots.Count} slots, problem has {problem.Slots.Count}");
            return errors;
        }

        var h = problem.SlotHours;
        var b = problem.Battery;
        var g = problem.Grid;
        var soc = b.SocKwh;
        var lo = Math.Min(b.MinSocKwh, soc) - ToleranceKwh;
        var hi = Math.Max(b.MaxSocKwh, soc) + ToleranceKwh;
        var delivered = problem.Immersions.ToDictionary(i => i.Id, _ => new double[slots.Count]);
        for (var t = 0; t < slots.Count; t++)
        {
            var s = problem.Slots[t];
            var q = slots[t];
            void Bound(string name, double v, double cap)
            {
                if (v < -ToleranceKwh || v > cap + ToleranceKwh)
                {
                    errors.Add($"slot {t}: {name} {v:0.####} kWh outside [0, {cap:0.####}]");
                }
            }

            Bound("import", q.ImportKwh, g.MaxImportKw * h);
            Bound("export", q.ExportKwh, g.MaxExportKw * h);
            Bound("charge", q.ChargeKwh, b.MaxChargeKw * h);
            Bound("discharge", q.DischargeKwh, b.MaxDischargeKw * h);
            Bound("pvUsed", q.PvUsedKwh, s.PvKwh);
            if (q.ChargeKwh > ToleranceKwh && q.DischargeKwh > ToleranceKwh)
            {
                errors.Add($"slot {t}: charges {q.ChargeKwh:0.####} and discharges {q.DischargeKwh:0.####} kWh at once");
            }

            if (q.ImportKwh > ToleranceKwh && q.ExportKwh > ToleranceKwh)
            {
                errors.Add($"slot {t}: imports {q.ImportKwh:0.####} and exports {q.ExportKwh:0.####} kWh at once");
            }

            var immersionTotal = 0.0;
            foreach (var (id, kwh) in q.ImmersionKwh)
            {
                immersionTotal += kwh;
                if (!delivered.TryGetValue(id, out var series))
                {
                    errors.Add($"slot {t}: immersion '{id}' is not in the problem");
                    continue;
                }

                series[t] = kwh;
            }

            foreach (var im in problem.Immersions)
            {
                Bound($"immersion {im.Id}", delivered[im.Id][t], im.PowerKw * h);
            }

            var car = q.EvKwh ?? 0;
            if (problem.Ev is { } ev)
            {
                // The charger draws nothing or between its minimum and maximum power, and only while plugged in.
                var low = ev.MinKw * h;
                var high = ev.Plugged(t) ? ev.MaxKw * h : 0;
                if (car < -ToleranceKwh || car > high + ToleranceKwh || (car > ToleranceKwh && car < low - ToleranceKwh))
                {
                    errors.Add($"slot {t}: car '{ev.Id}' draws {car:0.####} kWh, allowed 0{(high > 0 ? $" or [{low:0.####}, {high:0.####}]" : " (not plugged in)")}");
                }
            }
            else if (q.EvKwh is not null)
            {
                errors.Add($"slot {t}: car draw given but the problem has no car");
            }

            var balance = q.PvUsedKwh + q.ImportKwh + q.DischargeKwh - (s.LoadKwh + q.ChargeKwh + q.ExportKwh + immersionTotal + car);
            if (Math.Abs(balance) > ToleranceKwh)
            {
                errors.Add($"slot {t}: energy balance off by {balance:0.####} kWh");
            }

            soc += b.ChargeEfficiency * q.ChargeKwh - q.DischargeKwh / b.DischargeEfficiency;
            if (soc < lo || soc > hi)
            {
                errors.Add($"slot {t}: state of charge {soc:0.###} kWh outside [{lo:0.###}, {hi:0.###}]");
            }

            if (Math.Abs(q.SocKwh - soc) > 0.01)
            {
                errors.Add($"slot {t}: reported state of charge {q.SocKwh:0.###} kWh, recomputed {soc:0.###}");
            }
        }

        foreach (var im in problem.Immersions)
        {
            foreach (var w in im.Windows)
            {
                var total = 0.0;
                for (var t = w.FromSlot; t < Math.Min(w.ToSlot, slots.Count); t++)
                {
                    total += delivered[im.Id][t];
                }

                if (total < w.MinKwh - 0.01 || total > (w.MaxKwh ?? double.MaxValue) + 0.01)
                {
                    errors.Add($"immersion {im.Id} window [{w.FromSlot},{w.ToSlot}): delivered {total:0.###} kWh, needs [{w.MinKwh:0.###}, {w.MaxKwh?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "∞"}]");
                }
            }
        }

        return errors;
    }

    /// <summary>
    /// For each of the car's needs (problem order), how many kWh the plan leaves it short: kwh − efficiency · Σ draw over
    /// the need's slots, or 0 when it is met. Not a violation: a need no plan can meet (plugged in too late, a charger
    /// too small) is planned as far as it can be and reported, not refused (see the optimiser's shortfall penalty).
    /// </summary>
    public static IReadOnlyList<double> EvShortfalls(PlanProblem problem, IReadOnlyList<PlanSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(slots);
        if (problem.Ev is not { } ev)
        {
            return [];
        }

        var result = new double[ev.Needs.Count];
        for (var k = 0; k < result.Length; k++)
        {
            var need = ev.Needs[k];
            var delivered = 0.0;
            for (var t = need.FromSlot; t < Math.Min(need.ToSlot, slots.Count); t++)
            {
                delivered += ev.Efficiency * (slots[t].EvKwh ?? 0);
            }

            result[k] = Math.Max(0, need.Kwh - delivered);
        }

        return result;
    }
}
