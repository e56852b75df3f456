using EdgeEnergy.Control.Forecasting;

namespace EdgeEnergy.Control.Backtest;

/// <summary>How the backtest plays the strategies. The defaults are the product's settings.</summary>
public sealed record BacktestOptions
{
    /// <summary>The load forecaster the optimiser strategy plans with.</summary>
    public ISlotForecaster LoadForecaster { get; init; } = new BlendedLoadForecaster();

    /// <summary>Anti-flapping: the least time a command kind stays before another may replace it.</summary>
    public TimeSpan MinimumDwell { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Anti-flapping: power changes smaller than this (W) keep the running command.</summary>
    public double PowerHysteresisW { get; init; } = 100;

    /// <summary>
    /// Value of a kWh left in the battery at the horizon's end, as a share of the cheapest known import price in the
    /// horizon's last eight hours (divided by the charge efficiency: what refilling it would cost).
    /// </summary>
    public double TerminalValueShare { get; init; } = 1.0;

    /// <summary>Perfect foresight is solved in windows of this many slots (8 days)…</summary>
    public int PerfectWindowSlots { get; init; } = 384;

    /// <summary>…keeping the first this many (2 days) of each; the 6 days beyond make the cut invisible to a daily-cycling battery.</summary>
    public int PerfectCommitSlots { get; init; } = 96;

    /// <summary>Run the strategies other than the optimiser on a second thread (no effect on results).</summary>
    public bool Parallel { get; init; } = true;
}
