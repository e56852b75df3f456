using System.Globalization;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Readings no home can produce become unknown before anything stores or decides on them: a state of charge outside
/// 0–100 %, a grid power beyond twice the site's connection (the larger of <c>Site:GridMaxImportKw</c> and
/// <c>Site:GridMaxExportKw</c>), a battery power beyond twice its rated power and at least 15 kW (the configured rate may
/// be a cap below what the inverter can do), a solar or house power below −1 kW or above 100 kW, and anything not finite.
/// A confused inverter sends such values (the soak's absurd-telemetry fault, docs/soak.md); stored, they would skew the
/// load history and the plan's starting point. Pure.
/// </summary>
public static class TelemetryPlausibility
{
    /// <summary>The reading with every implausible value set to null, and what was dropped (empty when nothing was).</summary>
    public static (InverterTelemetry Telemetry, IReadOnlyList<string> Rejected) Clean(InverterTelemetry telemetry, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(site);
        var rejected = new List<string>();
        var gridLimitW = 2000 * Math.Max(site.GridMaxImportKw, site.GridMaxExportKw);
        var batteryLimitW = Math.Max(15_000, 2000 * Math.Max(site.BatteryMaxChargeKw, site.BatteryMaxDischargeKw));
        var cleaned = telemetry with
        {
            BatterySocPercent = Keep("state of charge", telemetry.BatterySocPercent, 0, 100, "%", rejected),
            GridPowerW = Keep("grid power", telemetry.GridPowerW, -gridLimitW, gridLimitW, "W", rejected),
            BatteryPowerW = Keep("battery power", telemetry.BatteryPowerW, -batteryLimitW, batteryLimitW, "W", rejected),
            PvPowerW = Keep("solar power", telemetry.PvPowerW, -1000, 100_000, "W", rejected),
            LoadPowerW = Keep("house power", telemetry.LoadPowerW, -1000, 100_000, "W", rejected),
        };
        return (rejected.Count == 0 ? telemetry : cleaned, rejected);
    }

    private static double? Keep(string what, double? value, double min, double max, string unit, List<string> rejected)
    {
        if (value is not { } v || (double.IsFinite(v) && v >= min && v <= max))
        {
            return value;
        }

        rejected.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {v} {unit} (plausible {min}..{max})"));
        return null;
    }
}
