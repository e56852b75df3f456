using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// Which load forecast a home plans with from one training on, and why. <see cref="Model"/> is the model trained then
/// (null when none could be); <see cref="UseModel"/> says whether it replaces the blended forecast, which is the case
/// only where the walk-forward record of the models before it beat the blended forecast on the same moments.
/// </summary>
public sealed record LoadModelChoice(LoadModel? Model, bool UseModel, string Reason, double? ModelMaeKwh, double? BlendedMaeKwh)
{
    /// <summary>Degraded: the model should have been there but failed (training threw, bad forecasts). Too little history
    /// or a model that merely lost to the blend is not a fault.</summary>
    public bool Failed { get; init; }
}

/// <summary>
/// The learned load forecaster: the blended forecast (<see cref="BlendedLoadForecaster"/>) corrected by a tree
/// ensemble (<see cref="LoadModel"/>), retrained every <see cref="LoadModelOptions.RetrainDays"/> days on the history
/// before that moment, and used only while it wins its walk-forward validation. At a retraining moment b (a multiple of
/// the retraining period from slot 0) the model trained at b − period is scored on the forecasts it would have made in
/// [b − period, b) (it had not seen them), and so on back over <see cref="LoadModelOptions.ValidationDays"/>, against
/// the blended forecast at the same moments; the new model replaces the blend until the next retraining only when its
/// predecessors' mean absolute error was lower. Too little history, a training that throws, a record of NaN or negative
/// forecasts, or a forecast that comes out so: the blended forecast, and <see cref="ChoiceFor"/> says why.
/// <para>
/// What it forecasts at slot t depends only on the history before t and on deterministic trainings: the models are
/// cached by retraining moment, each trained once from the history before it, so a replay cut in parallel segments
/// gets the same forecasts as one replay. Slot 0 starts at the origin given, which with the zone
/// places the slots in the calendar.
/// </para>
/// </summary>
public sealed class LearnedLoadForecaster : ISlotForecaster
{
    private readonly ILoadModelTrainer _trainer;
    private readonly LoadModelOptions _options;
    private readonly ISlotForecaster _blended;
    private readonly SlotCalendar _calendar;
    private readonly int _period;
    private readonly ConcurrentDictionary<int, Lazy<(LoadModel? Model, string? Problem)>> _models = new();
    private readonly ConcurrentDictionary<int, Lazy<WeekRecord>> _records = new();
    private readonly ConcurrentDictionary<int, Lazy<LoadModelChoice>> _choices = new();
    private int _rejectedForecasts;

    public LearnedLoadForecaster(ILoadModelTrainer trainer, DateTimeOffset originUtc, TimeZoneInfo zone, LoadModelOptions? options = null, ISlotForecaster? blended = null)
    {
        _trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        _options = options ?? new LoadModelOptions();
        _blended = blended ?? new BlendedLoadForecaster();
        _calendar = new SlotCalendar(originUtc, zone);
        _period = _options.RetrainDays * SlotGrid.SlotsPerDay;
    }

    public string Name => $"learned ({_trainer.Name} on the blend, retrained every {_options.RetrainDays} days, used where it wins walk-forward validation)";

    /// <summary>Every choice made so far, by the slot it was made at (for reports and the log).</summary>
    public IReadOnlyList<(int AtSlot, LoadModelChoice Choice)> Choices =>
        [.. _choices.Where(c => c.Value.IsValueCreated).Select(c => (c.Key, c.Value.Value)).OrderBy(c => c.Key)];

    /// <summary>Models trained so far (including those trained only to be validated), and their training time in ms.</summary>
    public IReadOnlyList<double> TrainingMilliseconds =>
        [.. _models.Where(m => m.Value.IsValueCreated && m.Value.Value.Model is not null).OrderBy(m => m.Key).Select(m => m.Value.Value.Model!.TrainingMilliseconds)];

    /// <summary>Forecasts the model made that came out NaN or negative and were replaced by the blended forecast.</summary>
    public int RejectedForecasts => Volatile.Read(ref _rejectedForecasts);

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        _blended.Forecast(known, firstTarget, forecastKwh);
        var choice = ChoiceFor(known);
        if (choice is not { UseModel: true, Model: { } model })
        {
            return;
        }

        if (!model.TryCorrect(known, firstTarget, _calendar, forecastKwh, out _))
        {
            Interlocked.Increment(ref _rejectedForecasts);
        }
    }

    /// <summary>The choice in force after the last retraining moment within <paramref name="known"/>.</summary>
    public LoadModelChoice ChoiceFor(ReadOnlySpan<double> known)
    {
        var at = known.Length / _period * _period;
        return Choice(at, known[..at]);
    }

    /// <summary>The choice at the end of <paramref name="history"/>, as a daily training job makes it: the history's length
    /// need not be a multiple of the period; the models judged are those trained one, two, … periods before its end.</summary>
    public LoadModelChoice ChooseAtEnd(ReadOnlySpan<double> history) => Choice(history.Length, history);

    private LoadModelChoice Choice(int at, ReadOnlySpan<double> history)
    {
        if (_choices.TryGetValue(at, out var cached))
        {
            return cached.Value;
        }

        var copy = history[..at].ToArray();
        return _choices.GetOrAdd(at, _ => new Lazy<LoadModelChoice>(() => Decide(at, copy))).Value;
    }

    private LoadModelChoice Decide(int at, double[] history)
    {
        var days = at / SlotGrid.SlotsPerDay;
        if (days < _options.MinimumHistoryDays)
        {
            return new LoadModelChoice(null, false, $"blended: {days} days of history, the load model needs {_options.MinimumHistoryDays}", null, null);
        }

        var (model, problem) = Model(at, history);
        if (model is null)
        {
            return new LoadModelChoice(null, false, $"blended: the load model could not be trained: {problem}", null, null) { Failed = true };
        }

        double modelAbs = 0, blendedAbs = 0;
        var slots = 0;
        var weeks = 0;
        for (var k = 1; k * _period <= _options.ValidationDays * SlotGrid.SlotsPerDay; k++)
        {
            var end = at - (k - 1) * _period;
            if (end - _period < _options.MinimumHistoryDays * SlotGrid.SlotsPerDay)
            {
                break;
            }

            var record = Record(end, history);
            if (record.Problem is not null)
            {
                return new LoadModelChoice(model, false, $"blended: in walk-forward validation {record.Problem}", null, null) { Failed = true };
            }

            modelAbs += record.ModelAbsKwh;
            blendedAbs += record.BlendedAbsKwh;
            slots += record.Slots;
            weeks++;
        }

        if (slots == 0)
        {
            return new LoadModelChoice(model, false, "blended: no walk-forward record of the load model yet (its first period)", null, null);
        }

        var modelMae = modelAbs / slots;
        var blendedMae = blendedAbs / slots;
        var use = modelMae < blendedMae;
        var verdict = $"walk-forward MAE over the last {weeks * _options.RetrainDays} days {modelMae:0.0000} kWh/slot for the load model, {blendedMae:0.0000} for the blend";
        return new LoadModelChoice(model, use, use ? $"learned: {verdict}" : $"blended: {verdict}", modelMae, blendedMae);
    }

    /// <summary>The model trained on history[..at], once.</summary>
    private (LoadModel? Model, string? Problem) Model(int at, double[] history)
    {
        if (_models.TryGetValue(at, out var cached))
        {
            return cached.Value;
        }

        return _models.GetOrAdd(at, _ => new Lazy<(LoadModel?, string?)>(() => Train(history.AsSpan(0, at)))).Value;
    }

    private (LoadModel? Model, string? Problem) Train(ReadOnlySpan<double> history)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var rows = LoadModel.TrainingSet(history, _calendar, _blended, _options);
            if (rows.Rows == 0)
            {
                return (null, "no training rows");
            }

            var ensemble = _trainer.Train(rows);
            if (ensemble.FeatureCount != LoadFeatures.Count)
            {
                return (null, $"the trainer returned a model of {ensemble.FeatureCount} features, not {LoadFeatures.Count}");
            }

            return (new LoadModel(ensemble, rows.Rows, Stopwatch.GetElapsedTime(started).TotalMilliseconds), null);
        }
#pragma warning disable CA1031 // any failure of a trainer means: plan on the blend, and say why
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>How the model trained at end − period did over [end − period, end), against the blend (absolute errors summed).</summary>
    private WeekRecord Record(int end, double[] history)
    {
        if (_records.TryGetValue(end, out var cached))
        {
            return cached.Value;
        }

        return _records.GetOrAdd(end, _ => new Lazy<WeekRecord>(() => Score(end, history))).Value;
    }

    private WeekRecord Score(int end, double[] history)
    {
        var start = end - _period;
        var (model, problem) = Model(start, history);
        if (model is null)
        {
            return new WeekRecord(0, 0, 0, $"the model of {start / SlotGrid.SlotsPerDay} days could not be trained: {problem}");
        }

        double modelAbs = 0, blendedAbs = 0;
        var slots = 0;
        var forecast = new double[LoadFeatures.Horizon];
        var corrected = new double[LoadFeatures.Horizon];
        for (var origin = start; origin < end; origin += _options.ValidationStrideSlots)
        {
            var targets = Math.Min(LoadFeatures.Horizon, end - origin);
            var known = history.AsSpan(0, origin);
            _blended.Forecast(known, origin, forecast.AsSpan(0, targets));
            forecast.AsSpan(0, targets).CopyTo(corrected);
            if (!model.TryCorrect(known, origin, _calendar, corrected.AsSpan(0, targets), out var bad))
            {
                return new WeekRecord(0, 0, 0, bad);
            }

            for (var i = 0; i < targets; i++)
            {
                modelAbs += Math.Abs(history[origin + i] - corrected[i]);
                blendedAbs += Math.Abs(history[origin + i] - forecast[i]);
                slots++;
            }
        }

        return new WeekRecord(modelAbs, blendedAbs, slots, null);
    }

    private sealed record WeekRecord(double ModelAbsKwh, double BlendedAbsKwh, int Slots, string? Problem);
}
