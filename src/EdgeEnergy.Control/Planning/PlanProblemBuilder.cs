using EdgeEnergy.Control.Horizon;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Planning;

/// <summary>Prices on the half-hour grid: <see cref="Pence"/>[i] is the price of the half hour starting at <see cref="First"/> + 30 min × i.</summary>
public sealed record PriceRun(DateTimeOffset First, ReadOnlyMemory<double> Pence)
{
    public DateTimeOffset End => First.AddMinutes(PlanProblemBuilder.SlotMinutes * Pence.Length);

    /// <summary>The index of the half hour starting at <paramref name="slotStart"/> (negative before <see cref="First"/>).</summary>
    public int IndexOf(DateTimeOffset slotStart) => (int)((slotStart - First).TotalMinutes / PlanProblemBuilder.SlotMinutes);
}

/// <summary>
/// The prices published by the decision time, each run ending where publication ends. <see cref="Export"/> null: no
/// export tariff is configured, and exporting earns nothing (by contract). <see cref="ImportTariff"/> and
/// <see cref="ExportTariff"/> say how each tariff's prices become known (Agile's day-ahead rule when not given), which
/// bounds how far a plan may run on estimates.
/// </summary>
public sealed record KnownPrices(PriceRun Import, PriceRun? Export)
{
    public TariffKnowledge ImportTariff { get; init; } = TariffKnowledge.Agile;

    public TariffKnowledge ExportTariff { get; init; } = TariffKnowledge.Agile;
}

/// <summary>How far a plan made now looks: <see cref="Published"/> half hours on published prices, then estimated ones up to <see cref="Count"/>.</summary>
public readonly record struct PlanHorizon(int Published, int Count)
{
    public int Estimated => Count - Published;
}

/// <summary>How energy left at the horizon's end is valued.</summary>
public enum TerminalMode
{
    /// <summary>Cheapest import price in the horizon's last eight hours × <see cref="TerminalValueRule.LateShare"/> × discharge efficiency (the backtest's first setting).</summary>
    LateCheapest,

    /// <summary>Median import price of the horizon × discharge efficiency.</summary>
    Median,

    /// <summary><see cref="TerminalValuePolicy"/>: learned from the price history at decision time (the product's default).</summary>
    Learned,

    /// <summary>As <see cref="Learned"/>, the refill valued at the cheap price × discharge efficiency.</summary>
    LearnedConservative,

    /// <summary>A constant, <see cref="TerminalValueRule.FixedPencePerKwh"/>.</summary>
    Fixed,
}

/// <summary>The terminal value's rule and its numbers.</summary>
public sealed record TerminalValueRule(TerminalMode Mode, double FixedPencePerKwh = 0, double LateShare = 1)
{
    public static TerminalValueRule Learned { get; } = new(TerminalMode.Learned);

    public static TerminalValueRule Fixed(double pencePerKwh) => new(TerminalMode.Fixed, pencePerKwh);
}

/// <summary>What a plan problem is built from besides the prices: the plant now, the forecasts and the heaters' windows over the horizon.</summary>
public sealed record PlanSituation
{
    /// <summary>The first half hour of the horizon (on the grid).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The battery with its state of charge now.</summary>
    public required BatterySpec Battery { get; init; }

    public required GridSpec Grid { get; init; }

    /// <summary>Forecast load, kWh per half hour, at least the horizon's length.</summary>
    public required ReadOnlyMemory<double> LoadKwh { get; init; }

    /// <summary>Forecast solar, kWh per half hour, at least the horizon's length.</summary>
    public required ReadOnlyMemory<double> PvKwh { get; init; }

    public IReadOnlyList<ImmersionSpec> Immersions { get; init; } = [];

    public TerminalValueRule Terminal { get; init; } = TerminalValueRule.Learned;

    /// <summary>The site's time zone: the publication rule and the estimator's days are read in it.</summary>
    public TimeZoneInfo Zone { get; init; } = UkTime.Zone;

    /// <summary>
    /// Diagnostics only (the backtest's price oracle): the prices of the half hours that would be estimated, as they
    /// were later published; the horizon stays as long, the terminal value still learns from published prices only.
    /// </summary>
    public (ReadOnlyMemory<double> Import, ReadOnlyMemory<double> Export)? PublishedLater { get; init; }
}

/// <summary>A built plan problem, how its terminal value was chosen, and the price estimates made for it.</summary>
public sealed record BuiltProblem(PlanProblem Problem, string TerminalReason, double[] EstimatedImport, double[] EstimatedExport);

/// <summary>
/// The one builder of plan problems, pure; the live planning cycle and the backtest's replay both call it, each with
/// the prices, forecasts and heater windows it has. The horizon runs from the current half hour over the published
/// prices (at most the configured horizon); with estimation on, and a day of price history to learn from, it runs on
/// to the end of what the tariffs' next publication covers (<see cref="TariffKnowledge.EstimatedUntil"/>: 23:00 UK
/// tomorrow for Agile) on prices from <see cref="PriceEstimator"/>,
/// marked <see cref="SlotInput.PricesEstimated"/>. A missing rate never becomes 0p: the horizon ends before it.
/// Energy left at the horizon's end is valued by the <see cref="TerminalValueRule"/>: by default
/// <see cref="TerminalValuePolicy"/> (or, with less than a day of price history, the horizon's median import price ×
/// discharge efficiency).
/// </summary>
public static partial class PlanProblemBuilder
{
    public const int SlotMinutes = 30;

    /// <summary>
    /// The price history the estimator and the terminal value may look back on: 28 days, the span of the estimator's
    /// clamp (<see cref="PriceEstimatorOptions.ClampDays"/>); a longer history gives the same estimates.
    /// </summary>
    public const int PriceMemoryDays = 28;

    public const int PriceMemorySlots = PriceMemoryDays * 48;

    /// <summary>Under a day of price history, no estimate and no learned terminal value: too little to learn from.</summary>
    private const int MinimumHistorySlots = 48;

    /// <summary>
    /// The horizon a plan starting at <paramref name="start"/> can have on <paramref name="known"/> prices: the published
    /// half hours from the start (both runs), at most <paramref name="maxSlots"/>, and with
    /// <paramref name="estimateUnpublished"/> on to the earlier end of what the tariffs' next publications cover (23:00
    /// UK tomorrow for Agile). Count 0: no price is known for the start.
    /// </summary>
    public static PlanHorizon Horizon(DateTimeOffset start, KnownPrices known, int maxSlots, bool estimateUnpublished, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(known);
        var end = known.Export is { } export && export.End < known.Import.End ? export.End : known.Import.End;
        var published = Math.Clamp((int)((end - start).TotalMinutes / SlotMinutes), 0, maxSlots);
        if (published == 0 || !estimateUnpublished || known.Import.Pence.Length < MinimumHistorySlots)
        {
            return new PlanHorizon(published, published);
        }

        var estimatedUntil = TariffKnowledge.EstimatedUntilForPair(start, zone, known.ImportTariff, known.Export is null ? null : known.ExportTariff);
        var until = (int)Math.Min(maxSlots, (estimatedUntil - start).TotalMinutes / SlotMinutes);
        return new PlanHorizon(published, Math.Max(published, until));
    }

    /// <summary>The plan problem over <paramref name="horizon"/> (from <see cref="Horizon"/>, at least one half hour).</summary>
    public static BuiltProblem Build(PlanHorizon horizon, KnownPrices known, PlanSituation situation)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(situation);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon.Published, 1);
        var start = situation.Start;
        var zone = situation.Zone;
        var import = known.Import.Pence.Span;
        var importAtStart = known.Import.IndexOf(start);
        var estimatedImport = PriceEstimator.Estimate(Published(known.Import, start, horizon), known.Import.First, zone, horizon.Estimated);
        var estimatedExport = new double[horizon.Estimated];
        if (known.Export is { Pence.Length: > 0 } exportRun)
        {
            estimatedExport = PriceEstimator.Estimate(Published(exportRun, start, horizon), exportRun.First, zone, horizon.Estimated);
        }

        var exportAtStart = known.Export?.IndexOf(start) ?? 0;
        var load = situation.LoadKwh.Span;
        var pv = situation.PvKwh.Span;
        var later = situation.PublishedLater;
        var slots = new SlotInput[horizon.Count];
        for (var k = 0; k < horizon.Count; k++)
        {
            var published = k < horizon.Published;
            var j = k - horizon.Published;
            slots[k] = new SlotInput
            {
                ImportPence = published ? import[importAtStart + k] : later is { } l ? l.Import.Span[j] : estimatedImport[j],
                ExportPence = known.Export is not { } ex ? 0
                    : published ? ex.Pence.Span[exportAtStart + k] : later is { } l2 ? l2.Export.Span[j] : estimatedExport[j],
                LoadKwh = load[k],
                PvKwh = pv[k],
                PricesEstimated = !published && later is null,
            };
        }

        var terminal = TerminalValue(slots, known.Import, importAtStart, horizon, situation, out var reason);
        var problem = new PlanProblem
        {
            Start = start,
            SlotMinutes = SlotMinutes,
            Battery = situation.Battery,
            Grid = situation.Grid,
            TerminalValuePencePerKwh = terminal,
            Immersions = situation.Immersions,
            Slots = slots,
        };
        return new BuiltProblem(problem, reason, estimatedImport, estimatedExport);
    }

    public static DateTimeOffset Floor(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute < 30 ? 0 : 30, 0, TimeSpan.Zero);
    }

    /// <summary>The run's prices up to the end of the horizon's published part: what the estimator may learn from.</summary>
    private static ReadOnlySpan<double> Published(PriceRun run, DateTimeOffset start, PlanHorizon horizon) =>
        run.Pence.Span[..Math.Clamp(run.IndexOf(start) + horizon.Published, 0, run.Pence.Length)];

    // importAtStart: the index of the horizon's first half hour in the import run.
    private static double TerminalValue(SlotInput[] slots, PriceRun import, int importAtStart, PlanHorizon horizon, PlanSituation situation, out string reason)
    {
        var rule = situation.Terminal;
        var battery = situation.Battery;
        // Learned from published prices only, even under the price oracle.
        var history = import.Pence.Span[..Math.Min(importAtStart + horizon.Published, import.Pence.Length)];
        var horizonEnd = importAtStart + horizon.Count;
        switch (rule.Mode)
        {
            case TerminalMode.Fixed:
                reason = $"energy left at the horizon's end valued at {rule.FixedPencePerKwh:0.0}p/kWh (configured: Control:TerminalValuePencePerKwh)";
                return rule.FixedPencePerKwh;
            case TerminalMode.LateCheapest:
                var late = slots.Skip(Math.Max(0, slots.Length - 16)).Min(s => s.ImportPence);
                var lateValue = Math.Max(0, late) * rule.LateShare * battery.DischargeEfficiency;
                reason = $"energy left at the horizon's end valued at {lateValue:0.0}p/kWh (cheapest import of the horizon's last 8 h × discharge efficiency)";
                return lateValue;
            case TerminalMode.Learned or TerminalMode.LearnedConservative when history.Length >= MinimumHistorySlots:
                var learned = TerminalValuePolicy.Learn(history, import.First, horizonEnd, situation.Zone, battery, refillAtDischargeValue: rule.Mode == TerminalMode.LearnedConservative);
                reason = learned.Reason;
                return learned.PencePerKwh;
            default:
                // Median, and the learned rule with under a day of price history.
                var prices = slots.Select(s => s.ImportPence).Order().ToArray();
                var median = Math.Max(0, prices[prices.Length / 2] * battery.DischargeEfficiency);
                reason = rule.Mode == TerminalMode.Median
                    ? $"energy left at the horizon's end valued at {median:0.0}p/kWh (median import price of the horizon × discharge efficiency)"
                    : $"energy left at the horizon's end valued at {median:0.0}p/kWh (median known import price × discharge efficiency; under a day of price history)";
                return median;
        }
    }
}
