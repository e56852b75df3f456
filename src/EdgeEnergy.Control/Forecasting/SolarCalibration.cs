namespace EdgeEnergy.Control.Forecasting;

/// <summary>Settings of <see cref="SolarCalibration"/>.</summary>
public sealed record SolarCalibrationOptions
{
    /// <summary>Days of past forecast and measured generation the factors are learned from (follows the season).</summary>
    public int Days { get; init; } = 30;

    /// <summary>Energy (kWh) of pretend agreement added to both sides of each hour's ratio: with little data the factor
    /// stays near 1, and an hour with hardly any sun cannot swing it.</summary>
    public double PriorKwh { get; init; } = 1.0;

    /// <summary>Factors are held within [1/MaxFactor, MaxFactor].</summary>
    public double MaxFactor { get; init; } = 3.0;
}

/// <summary>
/// Per-site calibration of a solar forecast service (Solcast's p50, which users of other planners report running up to
/// 2× high on some roofs) against the home's own measured generation: for each hour of the day, the ratio of what
/// the roof gave to what was forecast over the last 30 days, shrunk towards 1 where there is little sun to judge by.
/// The forecast's shape and day-to-day weather stay the service's; its level at each hour becomes the roof's.
/// Pure: past forecasts and actuals in, one factor per slot of the day out.
/// </summary>
public static class SolarCalibration
{
    /// <summary>
    /// Factors by slot of the day, [0, 48), for slots whose index modulo 48 is that phase, learned from the last
    /// <see cref="SolarCalibrationOptions.Days"/> days before slot <paramref name="now"/> of
    /// <paramref name="forecastKwh"/> (what the service forecast for each slot) and <paramref name="actualKwh"/> (what was
    /// measured). A NaN in either (not known) leaves that slot out.
    /// </summary>
    public static double[] Factors(ReadOnlySpan<double> forecastKwh, ReadOnlySpan<double> actualKwh, int now, SolarCalibrationOptions? options = null)
    {
        var o = options ?? new SolarCalibrationOptions();
        const int day = SlotGrid.SlotsPerDay;
        Span<double> forecastByHour = stackalloc double[24];
        Span<double> actualByHour = stackalloc double[24];
        forecastByHour.Clear();
        actualByHour.Clear();
        for (var t = Math.Max(0, now - o.Days * day); t < now; t++)
        {
            var (f, a) = (forecastKwh[t], actualKwh[t]);
            if (double.IsFinite(f) && double.IsFinite(a) && f >= 0 && a >= 0)
            {
                forecastByHour[t % day / 2] += f;
                actualByHour[t % day / 2] += a;
            }
        }

        var factors = new double[day];
        for (var p = 0; p < day; p++)
        {
            var h = p / 2;
            factors[p] = Math.Clamp((actualByHour[h] + o.PriorKwh) / (forecastByHour[h] + o.PriorKwh), 1 / o.MaxFactor, o.MaxFactor);
        }

        return factors;
    }
}
