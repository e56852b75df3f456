namespace EdgeEnergy.Control.Forecasting;

/// <summary>Settings of <see cref="BlendedLoadForecaster"/>.</summary>
public sealed record BlendedLoadForecasterOptions
{
    /// <summary>How many recent days of the same slot to average.</summary>
    public int RecentDays { get; init; } = 14;

    /// <summary>Weight of each older day relative to the next newer one (exponential decay, in (0, 1]).</summary>
    public double RecentDecay { get; init; } = 0.85;

    /// <summary>How many same weekdays to average.</summary>
    public int Weeks { get; init; } = 4;

    /// <summary>Share of the recent-days average in the blend; the rest is the same-weekday average.</summary>
    public double RecentWeight { get; init; } = 0.6;

    /// <summary>Half-width in slots of the window around the target slot that is averaged (smooths the spikes of one kettle).</summary>
    public int SmoothingSlots { get; init; } = 1;

    /// <summary>A day whose total is outside [low, high] × the median of the last 28 days is left out (holidays, guests).</summary>
    public double AnomalyLowRatio { get; init; } = 0.4;

    public double AnomalyHighRatio { get; init; } = 2.5;
}

/// <summary>
/// The household load forecaster: a blend of an exponentially weighted average of the same slot over recent days
/// (tracks the season) and the average of the same slot on recent same weekdays (tracks the weekly rhythm), each
/// smoothed over neighbouring slots, leaving out anomalous days (a total far from the recent median: away, guests).
/// Only actuals already known are read.
/// </summary>
public sealed class BlendedLoadForecaster(BlendedLoadForecasterOptions? options = null) : ISlotForecaster
{
    private const int MedianDays = 28;
    private readonly BlendedLoadForecasterOptions _options = options ?? new BlendedLoadForecasterOptions();

    public string Name => "blended (EW recent days + same weekday, anomalous days excluded)";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        var o = _options;
        var fallback = SlotGrid.Mean(known);
        var fullDays = known.Length / SlotGrid.SlotsPerDay;
        // Day d covers slots [d·48, d·48+48). Only whole known days are judged; the current partial day counts as normal.
        var lookbackDays = Math.Min(fullDays, Math.Max(o.RecentDays + 2, o.Weeks * 7 + 2) + MedianDays);
        var firstDay = fullDays - lookbackDays;
        var totals = new double[lookbackDays];
        for (var d = 0; d < lookbackDays; d++)
        {
            totals[d] = Sum(known.Slice((firstDay + d) * SlotGrid.SlotsPerDay, SlotGrid.SlotsPerDay));
        }

        var median = Median(totals.AsSpan(Math.Max(0, lookbackDays - MedianDays)));
        bool Anomalous(int slot)
        {
            var d = slot / SlotGrid.SlotsPerDay - firstDay;
            return median > 0 && d >= 0 && d < lookbackDays &&
                   (totals[d] < o.AnomalyLowRatio * median || totals[d] > o.AnomalyHighRatio * median);
        }

        double Sample(ReadOnlySpan<double> k, int j)
        {
            double sum = 0;
            var count = 0;
            for (var x = Math.Max(0, j - o.SmoothingSlots); x <= j + o.SmoothingSlots && x < k.Length; x++)
            {
                if (x != j && Anomalous(x))
                {
                    continue; // a neighbour on an anomalous day does not smooth a normal one
                }

                sum += k[x];
                count++;
            }

            return sum / count;
        }

        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var target = firstTarget + i;
            double recent = 0, recentWeight = 0, weight = 1;
            var used = 0;
            for (var j = target - SlotGrid.FirstKnownLag(target, known.Length, SlotGrid.SlotsPerDay) * SlotGrid.SlotsPerDay;
                 j >= 0 && used < o.RecentDays; j -= SlotGrid.SlotsPerDay)
            {
                if (Anomalous(j))
                {
                    continue;
                }

                recent += weight * Sample(known, j);
                recentWeight += weight;
                weight *= o.RecentDecay;
                used++;
            }

            double weekly = 0;
            var weeks = 0;
            for (var j = target - SlotGrid.FirstKnownLag(target, known.Length, SlotGrid.SlotsPerWeek) * SlotGrid.SlotsPerWeek;
                 j >= 0 && weeks < o.Weeks; j -= SlotGrid.SlotsPerWeek)
            {
                if (Anomalous(j))
                {
                    continue;
                }

                weekly += Sample(known, j);
                weeks++;
            }

            forecastKwh[i] = (recentWeight > 0, weeks > 0) switch
            {
                (true, true) => o.RecentWeight * (recent / recentWeight) + (1 - o.RecentWeight) * (weekly / weeks),
                (true, false) => recent / recentWeight,
                (false, true) => weekly / weeks,
                _ => fallback,
            };
        }
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return 0;
        }

        var copy = values.ToArray();
        Array.Sort(copy);
        return copy.Length % 2 == 1 ? copy[copy.Length / 2] : (copy[copy.Length / 2 - 1] + copy[copy.Length / 2]) / 2;
    }
}
