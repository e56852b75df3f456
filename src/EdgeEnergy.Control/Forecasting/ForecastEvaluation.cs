namespace EdgeEnergy.Control.Forecasting;

/// <summary>One forecaster's day-ahead accuracy on a series: mean absolute error and the spread of its errors (kWh per slot).</summary>
public sealed record ForecastScore(string Forecaster, double MaeKwh, double BiasKwh, double ErrorP10Kwh, double ErrorP90Kwh, int Slots);

/// <summary>Accuracy at one range of lead times, hours ahead of the forecast's making: [FromHours, ToHours).
/// Error = actual − forecast (kWh per slot), so a positive bias is a forecast that runs low.</summary>
public sealed record LeadScore(double FromHours, double ToHours, double MaeKwh, double BiasKwh, int Slots);

/// <summary>A forecaster's accuracy by lead time, as the planner meets it: made every hour, for the next 24 hours.</summary>
public sealed record ForecastSkill(string Forecaster, IReadOnlyList<LeadScore> ByLead)
{
    /// <summary>MAE over every lead time, kWh per slot.</summary>
    public double MaeKwh => ByLead.Sum(b => b.MaeKwh * b.Slots) / Math.Max(1, ByLead.Sum(b => b.Slots));
}

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

    /// <summary>Lead-time ranges reported, in slots ahead: [0, 2 h), [2 h, 6 h), [6 h, 12 h), [12 h, 24 h).</summary>
    private static readonly int[] s_leadEdges = [0, 4, 12, 24, 48];

    /// <summary>
    /// Scores <paramref name="forecaster"/> as the replanning service uses it: every <paramref name="strideSlots"/> slots
    /// after <paramref name="warmupDays"/>, forecast the next 48 slots from the actuals before that moment, and bin the
    /// errors by how far ahead each slot was.
    /// </summary>
    public static ForecastSkill SkillByLead(ISlotForecaster forecaster, ReadOnlySpan<double> actualKwh, int warmupDays = 14, int strideSlots = 2)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentOutOfRangeException.ThrowIfLessThan(strideSlots, 1);
        var horizon = s_leadEdges[^1];
        var absSum = new double[horizon];
        var sum = new double[horizon];
        var count = new int[horizon];
        Span<double> forecast = stackalloc double[horizon];
        for (var t = warmupDays * SlotGrid.SlotsPerDay; t + horizon <= actualKwh.Length; t += strideSlots)
        {
            forecaster.Forecast(actualKwh[..t], t, forecast);
            for (var k = 0; k < horizon; k++)
            {
                var error = actualKwh[t + k] - forecast[k];
                absSum[k] += Math.Abs(error);
                sum[k] += error;
                count[k]++;
            }
        }

        var bins = new List<LeadScore>(s_leadEdges.Length - 1);
        for (var b = 0; b + 1 < s_leadEdges.Length; b++)
        {
            double abs = 0, signed = 0;
            var slots = 0;
            for (var k = s_leadEdges[b]; k < s_leadEdges[b + 1]; k++)
            {
                abs += absSum[k];
                signed += sum[k];
                slots += count[k];
            }

            bins.Add(new LeadScore(s_leadEdges[b] / 2.0, s_leadEdges[b + 1] / 2.0, slots == 0 ? double.NaN : abs / slots, slots == 0 ? double.NaN : signed / slots, slots));
        }

        return new ForecastSkill(forecaster.Name, bins);
    }

    /// <summary>The q-quantile of sorted values (nearest rank).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
    }
}
