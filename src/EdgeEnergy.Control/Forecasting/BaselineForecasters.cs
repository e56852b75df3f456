namespace EdgeEnergy.Control.Forecasting;

/// <summary>Naive persistence: the same slot on the latest day already known ("same time yesterday").</summary>
public sealed class PersistenceForecaster : ISlotForecaster
{
    public string Name => "persistence (same slot yesterday)";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        var fallback = SlotGrid.Mean(known);
        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var target = firstTarget + i;
            var j = target - SlotGrid.FirstKnownLag(target, known.Length, SlotGrid.SlotsPerDay) * SlotGrid.SlotsPerDay;
            forecastKwh[i] = j >= 0 ? known[j] : fallback;
        }
    }
}

/// <summary>Same-weekday average: the mean of the same slot on the last <c>weeks</c> known same weekdays.</summary>
public sealed class WeekdayAverageForecaster(int weeks = 4) : ISlotForecaster
{
    public string Name => $"same-weekday average ({weeks} weeks)";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh) =>
        SlotGrid.SamePhaseMean(known, firstTarget, forecastKwh, SlotGrid.SlotsPerWeek, weeks);
}

/// <summary>
/// Recent-days mean: the mean of the same slot over the last <c>days</c> known days, the naive forecast the issue-10
/// baseline planner used ("7-day mean").
/// </summary>
public sealed class RecentDaysMeanForecaster(int days = 7) : ISlotForecaster
{
    public string Name => $"same-slot mean ({days} days)";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh) =>
        SlotGrid.SamePhaseMean(known, firstTarget, forecastKwh, SlotGrid.SlotsPerDay, days);
}
