using System.Globalization;
using System.Text;

namespace EdgeEnergy.Soak;

/// <summary>The soak's table (docs/reports/2026-12-03-soak.md is one of these).</summary>
internal static class SoakReport
{
    public static string Markdown(SoakResult r, DateTimeOffset start, int days, int seed)
    {
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        b.AppendLine(c, $"Soak: {days} simulated days from {start:u}, seed {seed}, {r.Faults.Count} faults, wall {r.Wall.TotalSeconds:F0} s.");
        b.AppendLine();
        b.AppendLine("| Fault kind | Faults | Minutes under it | In control | Share |");
        b.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var (minutes, inControl) = r.ByKind.GetValueOrDefault(kind);
            b.AppendLine(c, $"| {kind} | {r.Faults.Count(f => f.Kind == kind)} | {minutes} | {inControl} | {Share(inControl, minutes)} |");
        }

        b.AppendLine(c, $"| (no fault) | | {r.CleanMinutes} | {r.CleanInControl} | {Share(r.CleanInControl, r.CleanMinutes)} |");
        b.AppendLine(c, $"| **all** | {r.Faults.Count} | {r.Minutes} | {r.Minutes - r.Lapses.Count} | **{Share(r.Minutes - r.Lapses.Count, r.Minutes)}** |");
        b.AppendLine();
        b.AppendLine("| Check | Result |");
        b.AppendLine("|---|---|");
        b.AppendLine(c, $"| Lapses (minutes not in control) | {r.Lapses.Count} |");
        b.AppendLine(c, $"| Missing price slots after the feed returned ({r.PriceChecks} hourly checks) | {(r.MissingPriceSlots.Count == 0 ? "0" : string.Join("; ", r.MissingPriceSlots.Take(5)))} |");
        b.AppendLine(c, $"| Telemetry minutes missing while the inverter was readable | {r.TelemetryMinutesMissing} |");
        b.AppendLine(c, $"| Telemetry minutes missing while unreachable / rejected (marked) | {r.TelemetryMinutesUnreachable} |");
        b.AppendLine(c, $"| Telemetry minutes held in memory on a full disk and lost to a kill before it had room (marked) | {r.TelemetryMinutesLostHeldAtKill} |");
        b.AppendLine(c, $"| Minutes /healthz showed the telemetry history degraded (full disk) / filler per fault (MB) | {r.TelemetryHistoryDegradedMinutes} / {(r.DiskFillerBytes.Count == 0 ? "–" : string.Join(", ", r.DiskFillerBytes.Select(x => (x / 1e6).ToString("F0", c))))} |");
        b.AppendLine(c, $"| Telemetry minutes under a stepped wall clock (row stamped elsewhere, stamp taken by a stepped minute, or behind stored rows; marked) | {r.TelemetryMinutesClockStepped}{(r.TelemetryClockSteppedRanges.Count == 0 ? "" : $": {string.Join(", ", r.TelemetryClockSteppedRanges)}")} |");
        b.AppendLine(c, $"| Committed telemetry rows replaced or lost around wall-clock steps ({r.ClockStepRowsChecked} row checks) | {(r.TelemetryRowsOverwritten.Count == 0 ? "0" : $"{r.TelemetryRowsOverwritten.Count}, first {string.Join("; ", r.TelemetryRowsOverwritten.Take(3))}")} |");
        b.AppendLine(c, $"| Telemetry rows stored with absurd values (SoC outside 0–100 %, grid beyond ±30 kW) | {(r.AbsurdTelemetryStored.Count == 0 ? "0" : $"{r.AbsurdTelemetryStored.Count}, first {r.AbsurdTelemetryStored[0]}")} |");
        b.AppendLine(c, $"| Restarts (SIGKILL equivalent) | {r.Restarts.Count} |");
        b.AppendLine(c, $"| SQLite integrity_check after each kill and at the end | {(r.IntegrityFailures.Count == 0 ? "ok" : string.Join("; ", r.IntegrityFailures))} |");
        b.AppendLine(c, $"| Committed rows lost across restarts | {(r.RowsLost.Count == 0 ? "0" : string.Join("; ", r.RowsLost))} |");
        b.AppendLine(c, $"| Hard-limit breaches (setpoint, SoC floor, persistent-write budget) | {(r.HardLimitBreaches.Count == 0 ? "0" : string.Join("; ", r.HardLimitBreaches.Take(5)))} |");
        b.AppendLine(c, $"| Most persistent settings written in one UTC day (budget {SoakSettings.PersistentWriteBudgetPerDay}) / registers they took | {r.MaxPersistentWritesPerDay} / {r.MaxPersistentRegisterWritesPerDay} |");
        b.AppendLine(c, $"| Writes cut mid-write by the cable | {r.ModbusWritesCut} |");
        b.AppendLine(c, $"| Planning runs / plans stored / price fetches | {r.PlanningRuns} / {r.PlansStored} / {r.PriceFetches} |");
        b.AppendLine(c, $"| Control steps by decision source | {string.Join(", ", r.DecisionSources.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))} |");
        if (r.Lapses.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("Lapses:");
            b.AppendLine();
            foreach (var l in r.Lapses)
            {
                b.AppendLine(c, $"- {l.MinuteUtc:u}: {l.What} (faults: {(l.ActiveFaults.Count == 0 ? "none" : string.Join(", ", l.ActiveFaults))})");
            }
        }

        if (r.TelemetryGaps.Count > 0)
        {
            b.AppendLine();
            b.AppendLine(c, $"Telemetry gaps (first {r.TelemetryGaps.Count}): {string.Join(", ", r.TelemetryGaps)}");
        }

        return b.ToString();
    }

    private static string Share(int part, int whole) => whole == 0 ? "–" : (part / (double)whole).ToString("P2", CultureInfo.InvariantCulture);
}
