using EdgeEnergy.Domain.History;

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

/// <summary>The planned forecasts' skill at one quantity (<c>load</c> or <c>solar</c>) and persistence's on the same slots,
/// so a person sees whether the forecast beats the naive one.</summary>
public sealed record SkillAgainstPersistence(string Quantity, ForecastSkill Planned, ForecastSkill Persistence);

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

    /// <summary>The lead-time ranges every skill is reported in, hours: [From, To).</summary>
    public static IReadOnlyList<(double FromHours, double ToHours)> LeadBands { get; } =
        [.. s_leadEdges.Zip(s_leadEdges.Skip(1), (a, b) => (a / 2.0, b / 2.0))];

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
        var errors = new LeadErrors();
        Span<double> forecast = stackalloc double[horizon];
        for (var t = warmupDays * SlotGrid.SlotsPerDay; t + horizon <= actualKwh.Length; t += strideSlots)
        {
            forecaster.Forecast(actualKwh[..t], t, forecast);
            for (var k = 0; k < horizon; k++)
            {
                errors.Add(k, actualKwh[t + k] - forecast[k]);
            }
        }

        return new ForecastSkill(forecaster.Name, errors.ByLead());
    }

    /// <summary>
    /// The skill of the forecasts the service planned on (issue 15 §1), per quantity (<c>load</c>, <c>solar</c>), beside
    /// persistence's (the same slot a day earlier) on exactly the same slots, in the lead bands of
    /// <see cref="SkillByLead"/>. A forecast's lead is its slot's start − the time it was made, so the slot in progress
    /// when a plan was made has lead 0; leads of 24 h and more are not scored.
    /// </summary>
    /// <param name="forecasts">Each slot forecast of each plan scored (the store keeps one plan per half hour of making).</param>
    /// <param name="measuredStartUtc">The start of slot 0 of the measured series, on a slot boundary.</param>
    /// <param name="loadKwh">Measured load per slot, NaN where nothing was measured.</param>
    /// <param name="pvKwh">Measured solar per slot, NaN where nothing was measured.</param>
    /// <remarks>
    /// A slot is scored only when it and the same slot a day earlier are both in the series and measured, so the
    /// series' first day serves persistence alone, and persistence and the forecast are always compared on the same
    /// slots. Error = actual − forecast, so a positive bias is a forecast that runs low.
    /// </remarks>
    public static IReadOnlyList<SkillAgainstPersistence> SkillOfPlanned(
        IReadOnlyList<PlannedSlotForecast> forecasts, DateTimeOffset measuredStartUtc, ReadOnlySpan<double> loadKwh, ReadOnlySpan<double> pvKwh)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        return
        [
            Planned("load", forecasts, measuredStartUtc, loadKwh, f => f.LoadKwh),
            Planned("solar", forecasts, measuredStartUtc, pvKwh, f => f.PvKwh),
        ];
    }

    private static SkillAgainstPersistence Planned(
        string quantity, IReadOnlyList<PlannedSlotForecast> forecasts, DateTimeOffset measuredStartUtc, ReadOnlySpan<double> actualKwh, Func<PlannedSlotForecast, double> value)
    {
        const double SlotMinutes = 24.0 * 60 / SlotGrid.SlotsPerDay;
        var planned = new LeadErrors();
        var persistence = new LeadErrors();
        foreach (var f in forecasts)
        {
            var index = (f.SlotStartUtc - measuredStartUtc).TotalMinutes / SlotMinutes;
            var slot = (int)Math.Floor(index);
            // Floor, and a slot in progress at the making counts as lead 0: it is what the plan's first command acts on.
            var lead = Math.Max(0, (int)Math.Floor((f.SlotStartUtc - f.MadeAtUtc).TotalMinutes / SlotMinutes));
            if (slot != index || slot < SlotGrid.SlotsPerDay || slot >= actualKwh.Length || lead >= s_leadEdges[^1])
            {
                continue;
            }

            var actual = actualKwh[slot];
            var yesterday = actualKwh[slot - SlotGrid.SlotsPerDay];
            var forecast = value(f);
            if (!double.IsFinite(actual) || !double.IsFinite(yesterday) || !double.IsFinite(forecast))
            {
                continue; // a gap in the measurements (or a forecast that was never planned on) scores nothing
            }

            planned.Add(lead, actual - forecast);
            persistence.Add(lead, actual - yesterday);
        }

        return new SkillAgainstPersistence(quantity, new ForecastSkill("planned", planned.ByLead()), new ForecastSkill("persistence", persistence.ByLead()));
    }

    /// <summary>Errors summed per lead slot, then binned into <see cref="s_leadEdges"/>: the one accumulator of
    /// <see cref="SkillByLead"/> and <see cref="SkillOfPlanned"/>, so the backtest and the service band alike.</summary>
    private sealed class LeadErrors
    {
        private readonly double[] _absSum = new double[s_leadEdges[^1]];
        private readonly double[] _sum = new double[s_leadEdges[^1]];
        private readonly int[] _count = new int[s_leadEdges[^1]];

        public void Add(int leadSlot, double error)
        {
            _absSum[leadSlot] += Math.Abs(error);
            _sum[leadSlot] += error;
            _count[leadSlot]++;
        }

        public List<LeadScore> ByLead()
        {
            var bins = new List<LeadScore>(s_leadEdges.Length - 1);
            for (var b = 0; b + 1 < s_leadEdges.Length; b++)
            {
                double abs = 0, signed = 0;
                var slots = 0;
                for (var k = s_leadEdges[b]; k < s_leadEdges[b + 1]; k++)
                {
                    abs += _absSum[k];
                    signed += _sum[k];
                    slots += _count[k];
                }

                bins.Add(new LeadScore(s_leadEdges[b] / 2.0, s_leadEdges[b + 1] / 2.0, slots == 0 ? double.NaN : abs / slots, slots == 0 ? double.NaN : signed / slots, slots));
            }

            return bins;
        }
    }

    /// <summary>The q-quantile of sorted values (nearest rank).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
    }
}
