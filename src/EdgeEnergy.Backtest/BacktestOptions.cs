using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>
/// How the backtest plays the strategies. The defaults are the live service's: the learned terminal value and, before
/// publication, estimated prices (docs/contracts.md section 3: the optimiser strategy is "the real product").
/// </summary>
public sealed record BacktestOptions
{
    /// <summary>The load forecaster the optimiser strategy plans with.</summary>
    public ISlotForecaster LoadForecaster { get; init; } = ProductLoadForecaster.Create();

    /// <summary>Anti-flapping: the least time a command kind stays before another may replace it.</summary>
    public TimeSpan MinimumDwell { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Anti-flapping: power changes smaller than this (W) keep the running command.</summary>
    public double PowerHysteresisW { get; init; } = 100;

    /// <summary>
    /// How the optimiser strategy values energy left at the horizon's end (the live default: learned). The late
    /// cheapest rule's share is of the cheapest known import price in the horizon's last eight hours times the
    /// discharge efficiency: what a kWh saves when it later displaces an import at that price.
    /// </summary>
    public TerminalValueRule Terminal { get; init; } = TerminalValueRule.Learned;

    /// <summary>
    /// Before 16:00 UK, extend the horizon to 23:00 tomorrow with prices estimated from history
    /// (<see cref="Control.Horizon.PriceEstimator"/>), marked as estimated.
    /// </summary>
    public bool EstimatePrices { get; init; } = true;

    /// <summary>
    /// Diagnostics only: the optimiser strategy plans with the actual future load and/or solar instead of forecasts,
    /// so a report can say how much of the gap to perfect foresight each forecast accounts for. Never the product.
    /// </summary>
    public ForecastOracle Oracle { get; init; }

    /// <summary>
    /// The scenarios the optimiser strategy's plans allow for, drawn from the recent errors of its own forecasts
    /// (<see cref="ForecastScenarios"/>), as live. Not used under an <see cref="Oracle"/>, whose forecasts are not forecasts.
    /// </summary>
    public ScenarioOptions Scenarios { get; init; } = new();

    /// <summary>
    /// Also split the optimiser's gap to perfect foresight by cause (docs/contracts.md section 6): three more replays of
    /// the optimiser strategy, so about four times the time.
    /// </summary>
    public bool Attribution { get; init; }

    /// <summary>
    /// Also run the rules and perfect-foresight strategies and score the forecasts (the default). False (tariffs
    /// compare, which reads only the none and optimiser bills) runs only those two; the result's strategies then hold
    /// only them, so capture figures and attribution are not available.
    /// </summary>
    public bool Bounds { get; init; } = true;

    /// <summary>Perfect foresight is solved in windows of this many slots (5 days)…</summary>
    public int PerfectWindowSlots { get; init; } = 240;

    /// <summary>…keeping the first this many (2 days) of each; the 3 days beyond make the cut invisible to a daily-cycling battery.</summary>
    public int PerfectCommitSlots { get; init; } = 96;

    /// <summary>
    /// Threads the backtest may use (no effect on results): above 1, the strategies other than the optimiser run beside
    /// it and the optimiser strategy is replayed in segments on this many threads (<see cref="OptimiserReplay"/>).
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>Which forecasts a diagnostic backtest replaces by the actuals (<see cref="BacktestOptions.Oracle"/>).</summary>
[Flags]
public enum ForecastOracle
{
    None = 0,
    Load = 1,
    Pv = 2,

    /// <summary>Prices the replan would have estimated are the published ones (the horizon stays as long).</summary>
    Prices = 4,
}
