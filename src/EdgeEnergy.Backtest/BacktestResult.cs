using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Backtest;

/// <summary>The names of the strategies in the report.</summary>
public static class StrategyNames
{
    public const string None = "none";
    public const string Rules = "rules";
    public const string Optimiser = "optimiser";
    public const string Perfect = "perfect";
}

/// <summary>What one strategy did, slot by slot: the flows (kWh) and each slot's bill (pence, import cost − export income).</summary>
public sealed class StrategyRun(string name, SiteFlows[] flows, double[] billPence)
{
    public string Name { get; } = name;
    public IReadOnlyList<SiteFlows> Flows { get; } = flows;
    public IReadOnlyList<double> BillPence { get; } = billPence;
    public double TotalBillPence => BillPence.Sum();
    public double ImportKwh => Flows.Sum(f => f.ImportKwh);
    public double ExportKwh => Flows.Sum(f => f.ExportKwh);

    /// <summary>Energy into plus energy out of the battery (kWh, AC side).</summary>
    public double BatteryThroughputKwh => Flows.Sum(f => f.ChargeKwh + f.DischargeKwh);

    public double EndSocKwh { get; init; }

    /// <summary>The car's charger draw (kWh, 0 without a car).</summary>
    public double EvKwh => Flows.Sum(f => f.EvKwh);

    /// <summary>
    /// The car's share of the bill (pence): each slot's draw at that slot's import price — what the car's energy costs
    /// at the margin, as if imported, whether the grid, the battery or solar met it in the end.
    /// </summary>
    public double EvCostPence(BacktestHistory history) => Flows.Select((f, t) => f.EvKwh * history.Slots[t].ImportPence).Sum();

    /// <summary>kWh the car was left short at its deadlines (docs/backtest.md, "A car"); never dropped silently.</summary>
    public double EvShortKwh { get; init; }
}

/// <summary>What the optimiser strategy decided in a slot: the forecasts and plan it acted on, and the command sent.</summary>
public sealed record DecisionRecord(
    double ForecastLoadKwh, double ForecastPvKwh, double PlannedImportKwh, double PlannedSocKwh, int HorizonSlots,
    int EstimatedSlots, InverterCommand Command, string PlanStatus, double TerminalValuePencePerKwh, double SolveMilliseconds)
{
    /// <summary>The slot's bill had the plan's own first-slot flows happened, at the slot's prices.</summary>
    public double PlannedBillPence { get; init; }
}

/// <summary>
/// The optimiser's gap to perfect foresight split by cause (docs/contracts.md section 6), in pence over the period, each
/// the bill change when one more thing is made perfect, in this order: the load forecast, the solar forecast, the
/// prices (estimated → published), then the rest — execution (what the plant did against the plan's own flows, in the
/// replay with all three perfect) and horizon (what remains: planning a day or two ahead instead of the whole period).
/// They sum to optimiser − perfect.
/// </summary>
public sealed record Attribution(double LoadForecastPence, double PvForecastPence, double PricesPence, double HorizonPence, double ExecutionPence)
{
    public double TotalPence => LoadForecastPence + PvForecastPence + PricesPence + HorizonPence + ExecutionPence;
}

/// <summary>The whole backtest.</summary>
public sealed record BacktestResult
{
    public required BacktestHistory History { get; init; }
    public required IReadOnlyDictionary<string, StrategyRun> Strategies { get; init; }
    public required IReadOnlyList<DecisionRecord> Decisions { get; init; }
    public required IReadOnlyList<ForecastScore> LoadForecastScores { get; init; }
    public required string PvForecastSource { get; init; }

    /// <summary>Solar forecasts' skill by lead time against the measured solar, the persistence baseline first (empty
    /// when the history has no solar).</summary>
    public IReadOnlyList<ForecastSkill> PvForecastSkill { get; init; } = [];

    /// <summary>Load forecasts' skill by lead time, the persistence baseline first.</summary>
    public IReadOnlyList<ForecastSkill> LoadForecastSkill { get; init; } = [];
    public required string RulesDescription { get; init; }
    public required int FallbackPlans { get; init; }
    public required int ImmersionShortfalls { get; init; }
    public required double OptimiserSeconds { get; init; }

    /// <summary>Segments the optimiser strategy was replayed in, one thread each (<see cref="OptimiserReplay"/>).</summary>
    public int OptimiserSegments { get; init; } = 1;

    /// <summary>Slots replayed a second time, from the true state, until a segment's guessed replay caught up.</summary>
    public int CatchUpSlots { get; init; }

    /// <summary>Perfect-foresight windows whose mixed-integer stage hit its time limit (then the bound is a feasible plan, not proven optimal).</summary>
    public int PerfectWindowsNotProvenOptimal { get; init; }

    /// <summary>The learned load forecaster when the optimiser strategy planned with it: its choices, trainings and rejects.</summary>
    public LearnedLoadForecaster? LoadModel { get; init; }

    /// <summary>How far the estimated prices the optimiser planned with were from the published ones (null: no estimates).</summary>
    public PriceEstimateErrors? PriceEstimateErrors { get; init; }

    /// <summary>The optimiser's gap to perfect foresight by cause (null unless <see cref="BacktestOptions.Attribution"/>).</summary>
    public Attribution? Attribution { get; init; }

    /// <summary>(none − optimiser) / (none − perfect) · 100 on the bill.</summary>
    public double SavingsCapturePercent => Capture(StrategyNames.Optimiser);

    /// <summary>The optimiser's savings over the no-battery bill divided by the rules strategy's.</summary>
    public double SavingsRatioVsRules
    {
        get
        {
            var none = Strategies[StrategyNames.None].TotalBillPence;
            var rules = none - Strategies[StrategyNames.Rules].TotalBillPence;
            return rules == 0 ? double.NaN : (none - Strategies[StrategyNames.Optimiser].TotalBillPence) / rules;
        }
    }

    public double Capture(string strategy)
    {
        var none = Strategies[StrategyNames.None].TotalBillPence;
        var best = none - Strategies[StrategyNames.Perfect].TotalBillPence;
        return best == 0 ? double.NaN : (none - Strategies[strategy].TotalBillPence) / best * 100.0;
    }
}
