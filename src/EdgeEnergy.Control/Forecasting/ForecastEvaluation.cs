namespace EdgeEnergy.Control.Forecasting;

/// <summary>One forecaster's day-ahead accuracy on a series: mean absolute error and the spread of its errors (kWh per slot).</summary>
public sealed record ForecastScore(string Forecaster, double MaeKwh, double BiasKwh, double ErrorP10Kwh, double ErrorP90Kwh, int Slots);

/// <summary>
/// Scores forecasters the way the planner uses them: at each midnight (of the series' day grid) forecast the next
/// 48 slots from what is known, then compare with the actuals. The first <c>warmupDays</c> are skipped.
/// Error = actual − forecast, so P90 is how far the load may exceed the forecast; it sizes the safety margin.
/// </summary>
public static class ForecastEvaluation
{
    public static ForecastScore Score(ISlotForecaster forecaster, ReadOnlySpan<double> actualKwh, int warmupDays = 14)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        var days = actualKwh.Length / SlotGrid.SlotsPerDay;
        var errors = new List<double>(Math.Max(0, days - warmupDays) * SlotGrid.SlotsPerDay);
        Span<double> forecast = stackalloc double[SlotGrid.SlotsPerDay];
        for (var d = warmupDays; d < days; d++)
        {
            var start = d * SlotGrid.SlotsPerDay;
            forecaster.Forecast(actualKwh[..start], start, forecast);
            for (var i = 0; i < SlotGrid.SlotsPerDay; i++)
            {
                errors.Add(actualKwh[start + i] - forecast[i]);
            }
        }

        if (errors.Count == 0)
        {
            return new ForecastScore(forecaster.Name, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        var mae = errors.Average(Math.Abs);
        var bias = errors.Average();
        errors.Sort();
        return new ForecastScore(forecaster.Name, mae, bias, Quantile(errors, 0.1), Quantile(errors, 0.9), errors.Count);
    }

    /// <summary>The q-quantile of sorted values (nearest rank).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
    }
}
