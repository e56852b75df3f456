using System.Globalization;

namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// Checks a problem against the schema and physics before anything is solved. Each error names the field by its
/// JSON path (for example <c>battery.chargeEfficiency</c> or <c>slots[12].loadKwh</c>) and says what is wrong.
/// </summary>
public static class PlanProblemValidator
{
    /// <summary>Longest horizon we plan: 8 days of half hours. Beyond that a mistake is likelier than a need.</summary>
    public const int MaxSlots = 384;

    public static IReadOnlyList<string> Validate(PlanProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var errors = new List<string>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors.Add($"{field}: {message}");
            }
        }
        static bool Finite(double v) => double.IsFinite(v);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        Check(problem.SlotMinutes is >= 1 and <= 1440, "slotMinutes", $"must be between 1 and 1440, got {problem.SlotMinutes}");
        Check(problem.Slots is { Count: > 0 }, "slots", "must hold at least one slot");
        Check(problem.Slots is null || problem.Slots.Count <= MaxSlots, "slots", $"at most {MaxSlots} slots, got {problem.Slots?.Count}");
        Check(Finite(problem.TerminalValuePencePerKwh), "terminalValuePencePerKwh", "must be a finite number");

        var b = problem.Battery;
        Check(Finite(b.CapacityKwh) && b.CapacityKwh > 0, "battery.capacityKwh", $"must be > 0, got {F(b.CapacityKwh)}");
        Check(Finite(b.SocKwh) && b.SocKwh >= 0, "battery.socKwh", $"must be >= 0, got {F(b.SocKwh)}");
        Check(!(b.SocKwh > b.CapacityKwh + 1e-9), "battery.socKwh", $"{F(b.SocKwh)} exceeds capacityKwh {F(b.CapacityKwh)}");
        Check(Finite(b.MinSocKwh) && b.MinSocKwh >= 0, "battery.minSocKwh", $"must be >= 0, got {F(b.MinSocKwh)}");
        Check(Finite(b.MaxSocKwh) && b.MaxSocKwh > 0, "battery.maxSocKwh", $"must be > 0, got {F(b.MaxSocKwh)}");
        Check(!(b.MaxSocKwh > b.CapacityKwh + 1e-9), "battery.maxSocKwh", $"{F(b.MaxSocKwh)} exceeds capacityKwh {F(b.CapacityKwh)}");
        Check(!(b.MinSocKwh > b.MaxSocKwh), "battery.minSocKwh", $"{F(b.MinSocKwh)} exceeds maxSocKwh {F(b.MaxSocKwh)}");
        Check(Finite(b.MaxChargeKw) && b.MaxChargeKw >= 0, "battery.maxChargeKw", $"must be >= 0, got {F(b.MaxChargeKw)}");
        Check(Finite(b.MaxDischargeKw) && b.MaxDischargeKw >= 0, "battery.maxDischargeKw", $"must be >= 0, got {F(b.MaxDischargeKw)}");
        Check(b.ChargeEfficiency is > 0 and <= 1, "battery.chargeEfficiency", $"must be in (0,1], got {F(b.ChargeEfficiency)}");
        Check(b.DischargeEfficiency is > 0 and <= 1, "battery.dischargeEfficiency", $"must be in (0,1], got {F(b.DischargeEfficiency)}");
        Check(Finite(b.CycleCostPencePerKwh) && b.CycleCostPencePerKwh >= 0, "battery.cycleCostPencePerKwh", $"must be >= 0, got {F(b.CycleCostPencePerKwh)}");

        var g = problem.Grid;
        Check(Finite(g.MaxImportKw) && g.MaxImportKw >= 0, "grid.maxImportKw", $"must be >= 0, got {F(g.MaxImportKw)}");
        Check(Finite(g.MaxExportKw) && g.MaxExportKw >= 0, "grid.maxExportKw", $"must be >= 0, got {F(g.MaxExportKw)}");

        var slotCount = problem.Slots?.Count ?? 0;
        for (var t = 0; t < slotCount; t++)
        {
            var s = problem.Slots![t];
            if (s is null)
            {
                errors.Add($"slots[{t}]: must be an object, got null");
                continue;
            }

            Check(Finite(s.ImportPence) && Math.Abs(s.ImportPence) < 10_000, $"slots[{t}].importPence", $"must be a finite price below 10000p, got {F(s.ImportPence)}");
            Check(Finite(s.ExportPence) && Math.Abs(s.ExportPence) < 10_000, $"slots[{t}].exportPence", $"must be a finite price below 10000p, got {F(s.ExportPence)}");
            Check(Finite(s.LoadKwh) && s.LoadKwh >= 0, $"slots[{t}].loadKwh", $"must be >= 0, got {F(s.LoadKwh)}");
            Check(Finite(s.PvKwh) && s.PvKwh >= 0, $"slots[{t}].pvKwh", $"must be >= 0, got {F(s.PvKwh)}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var hours = problem.SlotHours;
        for (var i = 0; i < problem.Immersions.Count; i++)
        {
            var im = problem.Immersions[i];
            var path = $"immersions[{i}]";
            if (im is null)
            {
                errors.Add($"{path}: must be an object, got null");
                continue;
            }

            Check(!string.IsNullOrWhiteSpace(im.Id), $"{path}.id", "must be a non-empty name");
            Check(string.IsNullOrWhiteSpace(im.Id) || ids.Add(im.Id), $"{path}.id", $"'{im.Id}' is used twice");
            Check(Finite(im.PowerKw) && im.PowerKw > 0, $"{path}.powerKw", $"must be > 0, got {F(im.PowerKw)}");
            Check(Finite(im.ValuePencePerKwh), $"{path}.valuePencePerKwh", "must be a finite number");
            for (var w = 0; w < im.Windows.Count; w++)
            {
                var win = im.Windows[w];
                var wp = $"{path}.windows[{w}]";
                if (win is null)
                {
                    errors.Add($"{wp}: must be an object, got null");
                    continue;
                }

                Check(win.FromSlot >= 0, $"{wp}.fromSlot", $"must be >= 0, got {win.FromSlot}");
                Check(win.ToSlot > win.FromSlot, $"{wp}.toSlot", $"must be after fromSlot {win.FromSlot}, got {win.ToSlot}");
                Check(win.ToSlot <= slotCount, $"{wp}.toSlot", $"{win.ToSlot} is beyond the horizon of {slotCount} slots");
                Check(Finite(win.MinKwh) && win.MinKwh >= 0, $"{wp}.minKwh", $"must be >= 0, got {F(win.MinKwh)}");
                if (win.MaxKwh is { } max)
                {
                    Check(Finite(max) && max >= win.MinKwh, $"{wp}.maxKwh", $"must be >= minKwh {F(win.MinKwh)}, got {F(max)}");
                }

                var slotsInWindow = Math.Max(0, Math.Min(win.ToSlot, slotCount) - Math.Max(0, win.FromSlot));
                var deliverable = im.PowerKw * hours * slotsInWindow;
                Check(!(win.MinKwh > deliverable + 1e-9), $"{wp}.minKwh",
                    $"{F(win.MinKwh)} kWh is impossible: {F(im.PowerKw)} kW for {slotsInWindow} slots delivers at most {F(deliverable)} kWh");
            }
        }

        ValidateEv(problem.Ev, slotCount, errors);
        ValidateSessions(problem.SavingSessions, slotCount, errors);
        return errors;
    }

    /// <summary>The car (docs/contracts.md section 8): its charger's range, efficiency and each need's slots and energy.</summary>
    private static void ValidateEv(EvSpec? ev, int slotCount, List<string> errors)
    {
        if (ev is null)
        {
            return;
        }

        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors.Add($"{field}: {message}");
            }
        }
        static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        Check(!string.IsNullOrWhiteSpace(ev.Id), "ev.id", "must be a non-empty name");
        Check(double.IsFinite(ev.MinKw) && ev.MinKw >= 0, "ev.minKw", $"must be >= 0, got {F(ev.MinKw)}");
        Check(double.IsFinite(ev.MaxKw) && ev.MaxKw > 0, "ev.maxKw", $"must be > 0, got {F(ev.MaxKw)}");
        Check(!(ev.MinKw > ev.MaxKw), "ev.minKw", $"{F(ev.MinKw)} exceeds maxKw {F(ev.MaxKw)}");
        Check(ev.Efficiency is > 0 and <= 1, "ev.efficiency", $"must be in (0,1], got {F(ev.Efficiency)}");
        if (ev.Needs is null)
        {
            errors.Add("ev.needs: must be an array, got null");
            return;
        }

        for (var k = 0; k < ev.Needs.Count; k++)
        {
            var need = ev.Needs[k];
            var path = $"ev.needs[{k}]";
            if (need is null)
            {
                errors.Add($"{path}: must be an object, got null");
                continue;
            }

            Check(need.FromSlot >= 0, $"{path}.fromSlot", $"must be >= 0, got {need.FromSlot}");
            Check(need.FromSlot < slotCount, $"{path}.fromSlot", $"{need.FromSlot} is beyond the horizon of {slotCount} slots");
            Check(need.ToSlot > need.FromSlot, $"{path}.toSlot", $"must be after fromSlot {need.FromSlot}, got {need.ToSlot}");
            Check(need.ToSlot <= slotCount, $"{path}.toSlot", $"{need.ToSlot} is beyond the horizon of {slotCount} slots");
            // A need larger than the charger can deliver is not an error: the plan delivers what it can and says how
            // much is missing (the optimiser's shortfall), since a car plugged in late must still be charged.
            Check(double.IsFinite(need.Kwh) && need.Kwh >= 0, $"{path}.kwh", $"must be >= 0, got {F(need.Kwh)}");
        }

    }

    /// <summary>
    /// The Saving Sessions (docs/contracts.md section 2): each inside the horizon, one finite baseline ≥ 0 per slot, a
    /// finite reward ≥ 0, and no two covering the same slot (a half hour is paid once).
    /// </summary>
    private static void ValidateSessions(IReadOnlyList<SavingSessionSpec>? sessions, int slotCount, List<string> errors)
    {
        if (sessions is null)
        {
            return;
        }

        static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        var covered = new int[Math.Max(0, slotCount)];
        for (var k = 0; k < sessions.Count; k++)
        {
            var session = sessions[k];
            var path = $"savingSessions[{k}]";
            if (session is null)
            {
                errors.Add($"{path}: must be an object, got null");
                continue;
            }

            var before = errors.Count;
            if (session.FromSlot < 0 || session.FromSlot >= slotCount)
            {
                errors.Add($"{path}.fromSlot: must be a slot of the horizon [0, {slotCount}), got {session.FromSlot}");
            }

            if (session.ToSlot <= session.FromSlot || session.ToSlot > slotCount)
            {
                errors.Add($"{path}.toSlot: must be after fromSlot {session.FromSlot} and at most {slotCount}, got {session.ToSlot}");
            }

            if (!(double.IsFinite(session.RewardPencePerKwh) && session.RewardPencePerKwh >= 0 && session.RewardPencePerKwh < 10_000))
            {
                errors.Add($"{path}.rewardPencePerKwh: must be a finite number in [0, 10000), got {F(session.RewardPencePerKwh)}");
            }

            if (session.BaselineKwhPerSlot is null || session.BaselineKwhPerSlot.Count != session.ToSlot - session.FromSlot)
            {
                errors.Add($"{path}.baselineKwhPerSlot: must hold one value per slot of [fromSlot, toSlot) ({session.ToSlot - session.FromSlot}), got {session.BaselineKwhPerSlot?.Count.ToString(CultureInfo.InvariantCulture) ?? "null"}");
            }
            else
            {
                for (var i = 0; i < session.BaselineKwhPerSlot.Count; i++)
                {
                    var b = session.BaselineKwhPerSlot[i];
                    if (!(double.IsFinite(b) && b >= 0))
                    {
                        errors.Add($"{path}.baselineKwhPerSlot[{i}]: must be a finite kWh >= 0, got {F(b)}");
                    }
                }
            }

            if (errors.Count > before)
            {
                continue;
            }

            for (var t = session.FromSlot; t < session.ToSlot; t++)
            {
                if (covered[t]++ > 0)
                {
                    errors.Add($"{path}: slot {t} is already in an earlier session (sessions must not overlap)");
                    break;
                }
            }
        }
    }
}
