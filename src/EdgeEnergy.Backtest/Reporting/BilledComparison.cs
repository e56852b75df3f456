using System.Globalization;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// The supplier's half-hourly readings of the report's range, as read (the billed truth: Octopus's consumption endpoint),
/// or why they could not be read. <see cref="Export"/> is null when no export meter is configured.
/// </summary>
public sealed record BilledMeters(IReadOnlyList<ConsumptionSlot> Import, IReadOnlyList<ConsumptionSlot>? Export)
{
    /// <summary>Why the meters could not be read: every day's billed figures are incomplete with it. Null when read.</summary>
    public string? Problem { get; init; }

    /// <summary>The <see cref="Problem"/> is the supplier refusing the configured key or meter (bad input), not an outage.</summary>
    public bool Refused { get; init; }

    public static BilledMeters Failed(string problem, bool refused) => new([], null) { Problem = problem, Refused = refused };
}

/// <summary>
/// One day as billed (pence: import cost − export income over the registers the supplier meters), beside the same
/// figures from the inverter's own grid meter over the same half hours and registers; differences are billed − inverter.
/// Null <see cref="Reason"/>: the billed figures are complete; otherwise every figure is null and the reason says what
/// is missing. <see cref="DifferenceReason"/>: why the inverter side (and so the differences) is missing on a day whose
/// billed figures are complete.
/// </summary>
public sealed record BilledDay(string? Reason)
{
    public bool Complete => Reason is null;
    public double? ImportKwh { get; init; }

    /// <summary>Null without an export meter.</summary>
    public double? ExportKwh { get; init; }
    public double? BillPence { get; init; }
    public double? InverterImportKwh { get; init; }
    public double? InverterExportKwh { get; init; }

    /// <summary>The inverter meter's bill over the registers the supplier meters (import only without an export meter).</summary>
    public double? InverterBillPence { get; init; }
    public double? ImportKwhDifference { get; init; }
    public double? ExportKwhDifference { get; init; }
    public double? BillPenceDifference { get; init; }
    public string? DifferenceReason { get; init; }
}

/// <summary>
/// The billed truth of one day against the inverter's meter (issue 16 §2). A half hour the supplier has not published
/// (it lags a day or two) makes the day's billed figures incomplete, never 0 kWh; a half hour without a billed rate
/// likewise. The inverter side needs every half hour metered (<see cref="Metering.MinimumMinutes"/>).
/// </summary>
public static class BilledComparison
{
    public static BilledDay Of(MeteredDay metered, BilledMeters billed, IReadOnlyDictionary<DateTimeOffset, double> importPence, IReadOnlyDictionary<DateTimeOffset, double> exportPence)
    {
        ArgumentNullException.ThrowIfNull(metered);
        ArgumentNullException.ThrowIfNull(billed);
        ArgumentNullException.ThrowIfNull(importPence);
        ArgumentNullException.ThrowIfNull(exportPence);
        if (billed.Problem is { } problem)
        {
            return new BilledDay($"Octopus consumption: {problem}");
        }

        var slots = metered.Slots;
        var import = ByStart(billed.Import);
        var export = billed.Export is null ? null : ByStart(billed.Export);
        foreach (var (readings, register) in new[] { (import, "import"), (export, "export") })
        {
            if (readings is null)
            {
                continue;
            }

            var unpublished = slots.Where(s => !readings.ContainsKey(s.Start)).ToList();
            if (unpublished.Count > 0)
            {
                return new BilledDay($"Octopus consumption: {unpublished.Count} of {slots.Count} {register} half hours not published "
                    + $"(first {Iso(unpublished[0].Start)}); Octopus publishes a day's readings a day or two later");
            }
        }

        foreach (var (rates, register, needed) in new[] { (importPence, "import", true), (exportPence, "export", export is not null) })
        {
            var unpriced = needed ? slots.Where(s => !rates.ContainsKey(s.Start)).ToList() : [];
            if (unpriced.Count > 0)
            {
                return new BilledDay($"prices: no billed {register} rate for {unpriced.Count} half hours (first {Iso(unpriced[0].Start)})");
            }
        }

        double importKwh = 0, billPence = 0;
        double? exportKwh = export is null ? null : 0;
        foreach (var slot in slots)
        {
            importKwh += import[slot.Start];
            billPence += import[slot.Start] * importPence[slot.Start];
            if (export is not null)
            {
                exportKwh += export[slot.Start];
                billPence -= export[slot.Start] * exportPence[slot.Start];
            }
        }

        var day = new BilledDay((string?)null) { ImportKwh = importKwh, ExportKwh = exportKwh, BillPence = billPence };
        var unmetered = metered.Unmetered.ToList();
        if (unmetered.Count > 0)
        {
            return day with
            {
                DifferenceReason = $"telemetry: {unmetered.Count} of {slots.Count} half hours have fewer than {Metering.MinimumMinutes} of 30 minutes sampled (first {Iso(unmetered[0].Start)})",
            };
        }

        var inverterImport = slots.Sum(s => s.ImportKwh);
        var inverterExport = slots.Sum(s => s.ExportKwh);
        var inverterBill = slots.Sum(s => s.ImportKwh * importPence[s.Start] - (export is null ? 0 : s.ExportKwh * exportPence[s.Start]));
        return day with
        {
            InverterImportKwh = inverterImport,
            InverterExportKwh = inverterExport,
            InverterBillPence = inverterBill,
            ImportKwhDifference = importKwh - inverterImport,
            ExportKwhDifference = exportKwh - inverterExport,
            BillPenceDifference = billPence - inverterBill,
        };
    }

    private static Dictionary<DateTimeOffset, double> ByStart(IReadOnlyList<ConsumptionSlot> slots) =>
        slots.GroupBy(s => s.StartUtc).ToDictionary(g => g.Key, g => g.Last().Kwh);

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
