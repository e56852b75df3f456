using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control.Horizon;

/// <summary>The learned terminal value and why.</summary>
/// <param name="PencePerKwh">Value of a kWh left in the battery at the horizon's end (p/kWh, ≥ 0).</param>
/// <param name="RefillPence">Expected cost of storing a kWh in the next day's cheapest half hours (import price ÷ charge efficiency).</param>
/// <param name="UsePence">Expected saving of a stored kWh in the next day's dearest half hours (import price × discharge efficiency).</param>
public sealed record TerminalValue(double PencePerKwh, double RefillPence, double UsePence)
{
    /// <summary>The plan's explanation.</summary>
    public string Reason =>
        $"energy left at the horizon's end valued at {PencePerKwh:0.0}p/kWh: the lower of refilling it in the next day's cheapest half hours " +
        $"({RefillPence:0.0}p/kWh after charge losses) and using it in the next day's dearest ({UsePence:0.0}p/kWh after discharge losses), " +
        "both from prices estimated from history";
}

/// <summary>
/// The value of energy left in the battery at the horizon's end, learned from the prices known at decision time (pure).
/// A stored kWh is worth no more than what refilling it would cost in the next day's cheapest half hours (it saves
/// that purchase), and no more than what it saves when it later displaces imports in the next day's dearest half
/// hours; the lower of the two is its value. The next day's prices come from <see cref="PriceEstimator"/> (season,
/// weekday and the time of day the horizon ends at are in the shape it learns), and the number of half hours counted
/// is what it takes to charge or empty the battery's usable range at full power.
/// </summary>
public static class TerminalValuePolicy
{
    private const int SlotsPerDay = 48;

    /// <param name="knownImport">Import prices known at decision time, one per half hour from <paramref name="firstStartUtc"/>.</param>
    /// <param name="firstStartUtc">Start of the first known half hour.</param>
    /// <param name="horizonEndSlot">Index (in the same half-hour numbering) of the first half hour after the plan's horizon.</param>
    /// <param name="zone">The site's time zone (weekday/weekend of the estimated day).</param>
    /// <param name="battery">Capacity, power limits and efficiencies.</param>
    /// <param name="options">Estimator tuning; null for the defaults.</param>
    /// <param name="refillAtDischargeValue">
    /// Value the refill at the cheap price × discharge efficiency (what the kWh would save if used now instead of being
    /// bought back), not ÷ charge efficiency: lower, and less prone to keep the battery full when forecasts err.
    /// </param>
    public static TerminalValue Learn(
        ReadOnlySpan<double> knownImport, DateTimeOffset firstStartUtc, int horizonEndSlot, TimeZoneInfo zone, BatterySpec battery,
        PriceEstimatorOptions? options = null, bool refillAtDischargeValue = false)
    {
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentOutOfRangeException.ThrowIfNegative(horizonEndSlot);
        var n = knownImport.Length;
        var day = new double[SlotsPerDay];
        var missing = Math.Max(0, horizonEndSlot + SlotsPerDay - n);
        var estimated = PriceEstimator.Estimate(knownImport, firstStartUtc, zone, missing, options);
        for (var k = 0; k < SlotsPerDay; k++)
        {
            var i = horizonEndSlot + k;
            day[k] = i < n ? knownImport[i] : estimated[i - n];
        }

        Array.Sort(day);
        var usable = Math.Max(0, battery.MaxSocKwh - battery.MinSocKwh);
        var chargeSlots = Slots(usable / Math.Max(1e-9, battery.ChargeEfficiency), battery.MaxChargeKw);
        var dischargeSlots = Slots(usable * battery.DischargeEfficiency, battery.MaxDischargeKw);
        var cheap = day.Take(chargeSlots).Average();
        var dear = day.Skip(SlotsPerDay - dischargeSlots).Average();
        var refill = refillAtDischargeValue ? cheap * battery.DischargeEfficiency : cheap / Math.Max(1e-9, battery.ChargeEfficiency);
        var use = dear * battery.DischargeEfficiency;
        return new TerminalValue(Math.Max(0, Math.Min(refill, use)), refill, use);
    }

    private static int Slots(double kwh, double kw) =>
        Math.Clamp((int)Math.Ceiling(kwh / Math.Max(1e-9, kw * 0.5) - 1e-9), 1, SlotsPerDay);
}
