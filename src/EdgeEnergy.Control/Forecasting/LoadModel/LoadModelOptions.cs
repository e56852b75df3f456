namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>Settings of the learned load model: when it is trained, on what, and how it is judged.</summary>
public sealed record LoadModelOptions
{
    /// <summary>Days between retrainings (the backtest retrains at every multiple of this from the history's start).</summary>
    public int RetrainDays { get; init; } = 7;

    /// <summary>Days of history a model needs before it is trained at all; before that the blended forecast stands.</summary>
    public int MinimumHistoryDays { get; init; } = 21;

    /// <summary>Days of the most recent history whose forecasts are the training rows.</summary>
    public int TrainingDays { get; init; } = 56;

    /// <summary>Forecast moments of the training window are this many slots apart (each gives up to 96 rows).</summary>
    public int TrainingStrideSlots { get; init; } = 12;

    /// <summary>
    /// Training labels (actual − baseline, kWh per slot) are clipped to ± this: a kettle or a shower in one half hour is
    /// not learnable from the calendar, and fitting those spikes made the trees worse than the blend out of sample (on
    /// the three LCL homes of 2022, unclipped: MAE +3.6 % against the blend on MAC000002; clipped at 0.25: −2 to −6 %).
    /// </summary>
    public double LabelClipKwh { get; init; } = 0.25;

    /// <summary>
    /// Days of walk-forward validation: each model is judged on the days after it was trained, by forecasts made every
    /// <see cref="ValidationStrideSlots"/> slots, against the blended forecast made at the same moments.
    /// </summary>
    public int ValidationDays { get; init; } = 14;

    public int ValidationStrideSlots { get; init; } = 4;

    /// <summary>Boosting: trees, leaves per tree, rows per leaf at least, learning rate.</summary>
    public int Trees { get; init; } = 40;

    public int Leaves { get; init; } = 16;

    public int MinimumRowsPerLeaf { get; init; } = 100;

    public double LearningRate { get; init; } = 0.1;

    /// <summary>The trainer's random seed: training is deterministic, on one thread.</summary>
    public int Seed { get; init; } = 1;
}
