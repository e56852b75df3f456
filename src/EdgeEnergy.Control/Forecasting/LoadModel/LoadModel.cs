namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// A trained load model: the baseline (blended) forecast corrected by a tree ensemble learned on the home's own
/// history from <see cref="LoadFeatures"/>. Pure; any number of threads may use one.
/// </summary>
public sealed class LoadModel(TreeEnsemble ensemble, int trainingRows, double trainingMilliseconds)
{
    /// <summary>A corrected slot below 0 by at most this much (100 W for half an hour) is taken as 0; further below, the
    /// model's forecast is garbage and is not used.</summary>
    public const double NegativeToleranceKwh = 0.05;

    public TreeEnsemble Ensemble { get; } = ensemble ?? throw new ArgumentNullException(nameof(ensemble));

    public int TrainingRows { get; } = trainingRows;

    public double TrainingMilliseconds { get; } = trainingMilliseconds;

    /// <summary>
    /// Corrects <paramref name="forecastKwh"/>, which holds the baseline forecast of the targets firstTarget, … on entry.
    /// False, with the baseline left as it was and the problem said, when any corrected value is not a finite number or
    /// is below −<see cref="NegativeToleranceKwh"/>: a model's garbage is never handed on.
    /// </summary>
    public bool TryCorrect(ReadOnlySpan<double> known, int firstTarget, SlotCalendar calendar, Span<double> forecastKwh, out string? problem)
    {
        var count = LoadFeatures.Count;
        var rows = forecastKwh.Length;
        var features = rows * count <= 4096 ? stackalloc float[rows * count] : new float[rows * count];
        LoadFeatures.Build(known, firstTarget, forecastKwh, calendar, features);
        var corrected = rows <= 512 ? stackalloc double[rows] : new double[rows];
        for (var i = 0; i < rows; i++)
        {
            var value = forecastKwh[i] + Ensemble.Evaluate(features.Slice(i * count, count));
            if (!double.IsFinite(value) || value < -NegativeToleranceKwh)
            {
                problem = $"the load model forecast {value:0.###} kWh for slot {firstTarget + i}";
                return false;
            }

            // A correction a little larger than a near-empty slot's baseline is rounding, not garbage: no load is 0.
            corrected[i] = Math.Max(0, value);
        }

        corrected.CopyTo(forecastKwh);
        problem = null;
        return true;
    }

    /// <summary>
    /// The training rows for a model trained at the end of <paramref name="history"/>: forecasts from moments every
    /// <see cref="LoadModelOptions.TrainingStrideSlots"/> slots over the last <see cref="LoadModelOptions.TrainingDays"/>
    /// days (each at least two weeks into the history, or a week less than the minimum history when that is shorter),
    /// for every target up to 96 slots ahead that is already known. Labels are clipped to ±<see cref="LoadModelOptions.LabelClipKwh"/>.
    /// </summary>
    public static LoadTrainingSet TrainingSet(ReadOnlySpan<double> history, SlotCalendar calendar, ISlotForecaster baseline, LoadModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        var end = history.Length;
        var first = Math.Max(Math.Clamp(options.MinimumHistoryDays - 7, 1, 14) * SlotGrid.SlotsPerDay, end - options.TrainingDays * SlotGrid.SlotsPerDay);
        var count = LoadFeatures.Count;
        var features = new List<float>();
        var labels = new List<float>();
        var forecast = new double[LoadFeatures.Horizon];
        var row = new float[LoadFeatures.Horizon * count];
        for (var origin = first; origin < end; origin += options.TrainingStrideSlots)
        {
            var targets = Math.Min(LoadFeatures.Horizon, end - origin);
            var span = forecast.AsSpan(0, targets);
            baseline.Forecast(history[..origin], origin, span);
            LoadFeatures.Build(history[..origin], origin, span, calendar, row);
            for (var i = 0; i < targets; i++)
            {
                features.AddRange(row.AsSpan(i * count, count));
                labels.Add((float)Math.Clamp(history[origin + i] - span[i], -options.LabelClipKwh, options.LabelClipKwh));
            }
        }

        return new LoadTrainingSet(features.ToArray(), labels.ToArray(), count);
    }
}
