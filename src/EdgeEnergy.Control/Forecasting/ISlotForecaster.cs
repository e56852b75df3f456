namespace EdgeEnergy.Control.Forecasting;

/// <summary>
/// Forecasts a half-hourly energy series (kWh per slot, ≥ 0) from its own past. <c>known</c> holds the actuals of
/// slots 0..known.Length-1 and nothing later: a forecaster cannot see what it has not been given. Targets are slot
/// indices at or after <c>known.Length</c> on the same 30-minute grid.
/// </summary>
public interface ISlotForecaster
{
    /// <summary>Short name for reports.</summary>
    string Name { get; }

    /// <summary>Writes the forecast of slots firstTarget, firstTarget+1, … into <paramref name="forecastKwh"/>.</summary>
    void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh);
}

/// <summary>Shared helpers: the 30-minute grid (48 slots a day) and the "latest sample before now" rule.</summary>
public static class SlotGrid
{
    public const int SlotsPerDay = 48;
    public const int SlotsPerWeek = 7 * SlotsPerDay;

    /// <summary>Which slot of its UTC day (0–47) the slot starting at <paramref name="start"/> is.</summary>
    public static int SlotOfUtcDay(DateTimeOffset start) => (int)(start.UtcDateTime.TimeOfDay.TotalMinutes / (24 * 60 / SlotsPerDay));

    /// <summary>The smallest k ≥ 1 such that slot target − k·period is already known.</summary>
    public static int FirstKnownLag(int target, int knownCount, int period) =>
        Math.Max(1, (target - knownCount) / period + 1);

    /// <summary>Mean of the known slots, or 0 when there are none (the cold start).</summary>
    public static double Mean(ReadOnlySpan<double> known)
    {
        if (known.IsEmpty)
        {
            return 0;
        }

        var sum = 0.0;
        foreach (var v in known)
        {
            sum += v;
        }

        return sum / known.Length;
    }

    /// <summary>
    /// Each target's forecast is the mean of the same slot one, two, … periods earlier, over at most
    /// <paramref name="count"/> known periods (the mean of everything known when none is).
    /// </summary>
    public static void SamePhaseMean(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh, int period, int count)
    {
        var fallback = Mean(known);
        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var target = firstTarget + i;
            var k = FirstKnownLag(target, known.Length, period);
            double sum = 0;
            var n = 0;
            for (var j = target - k * period; j >= 0 && n < count; j -= period)
            {
                sum += known[j];
                n++;
            }

            forecastKwh[i] = n > 0 ? sum / n : fallback;
        }
    }
}
