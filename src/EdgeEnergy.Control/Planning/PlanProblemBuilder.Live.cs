using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Planning;

/// <summary>The values a plan problem is built from, gathered by the planning cycle.</summary>
public sealed record PlanningInputs(
    DateTimeOffset Now,
    double SocKwh,
    RateSeries ImportRates,
    RateSeries ExportRates,
    bool ExportTariffConfigured,
    IReadOnlyList<PvForecastPoint> PvForecast,
    IReadOnlyList<double> LoadForecastKwh,
    double? TerminalValuePencePerKwh,
    bool EstimateUnpublishedPrices = false,
    IReadOnlyDictionary<string, DateOnly>? ImmersionSatisfiedOn = null)
{
    /// <summary>
    /// What each heater window has delivered so far (kWh, by window; from the relays' on-time, kept across restarts):
    /// taken off the window's minimum and maximum. Absent: nothing delivered.
    /// </summary>
    public IReadOnlyDictionary<HeatWindowKey, double>? ImmersionDelivered { get; init; }

    /// <summary>How the import tariff's prices become known (from <c>Octopus:ImportProduct</c>).</summary>
    public TariffKnowledge ImportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>How the export tariff's prices become known (from <c>Octopus:ExportProduct</c>).</summary>
    public TariffKnowledge ExportTariff { get; init; } = TariffKnowledge.Agile;
}

/// <summary>
/// The service's way in: the stored rates, the forecast points and the site's heaters turned into the builder's arrays.
/// Each heater is laid onto the horizon by <see cref="HeatWindows.Lay"/>, as in the backtest, with what its window in
/// progress has already delivered; a heater whose thermostat opened today gets nothing more until UK midnight.
/// </summary>
public static partial class PlanProblemBuilder
{
    public static PlanProblem? Build(PlanningInputs inputs, SiteOptions site, int maxHorizonHours, out string? whyNot) =>
        Build(inputs, site, maxHorizonHours, out whyNot, out _);

    /// <summary>As <see cref="Build(PlanningInputs, SiteOptions, int, out string?)"/>, also saying how energy left at the horizon's end was valued (for the plan's reason).</summary>
    public static PlanProblem? Build(PlanningInputs inputs, SiteOptions site, int maxHorizonHours, out string? whyNot, out string? terminalReason)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(site);
        terminalReason = null;
        var start = Floor(inputs.Now);
        var maxSlots = maxHorizonHours * 60 / SlotMinutes;
        var known = new KnownPrices(Run(inputs.ImportRates, start, maxSlots), inputs.ExportTariffConfigured ? Run(inputs.ExportRates, start, maxSlots) : null)
        {
            ImportTariff = inputs.ImportTariff,
            ExportTariff = inputs.ExportTariff,
        };
        var horizon = Horizon(start, known, maxSlots, inputs.EstimateUnpublishedPrices, UkTime.Zone);
        if (horizon.Count == 0)
        {
            whyNot = known.Import.End <= start
                ? $"no import price is known for {start:yyyy-MM-dd HH:mm} UTC"
                : $"no export price is known for {start:yyyy-MM-dd HH:mm} UTC (an export tariff is configured)";
            return null;
        }

        whyNot = null;
        var load = new double[horizon.Count];
        var pv = new double[horizon.Count];
        for (var t = 0; t < horizon.Count; t++)
        {
            load[t] = LoadAt(inputs.LoadForecastKwh, t);
            pv[t] = PvAt(inputs.PvForecast, start.AddMinutes(t * SlotMinutes));
        }

        var built = Build(horizon, known, new PlanSituation
        {
            Start = start,
            Battery = site.Battery(inputs.SocKwh),
            Grid = site.Grid,
            LoadKwh = load,
            PvKwh = pv,
            Immersions = [.. site.Immersions.Select(i => Immersion(i, start, horizon.Count, SatisfiedToday(inputs, i.Id), inputs.ImmersionDelivered))],
            Terminal = inputs.TerminalValuePencePerKwh is { } fixedValue ? TerminalValueRule.Fixed(fixedValue) : TerminalValueRule.Learned,
            Zone = UkTime.Zone,
        });
        terminalReason = built.TerminalReason;
        return built.Problem;
    }

    /// <summary>
    /// The rates known without a gap around <paramref name="start"/>: forward up to <paramref name="maxSlots"/> half
    /// hours (where the horizon's published part ends), back up to <see cref="PriceMemorySlots"/> (what the estimator
    /// and the terminal value learn from). Empty, at <paramref name="start"/>, when the start's own rate is missing.
    /// </summary>
    private static PriceRun Run(RateSeries rates, DateTimeOffset start, int maxSlots)
    {
        var ahead = new List<double>();
        while (ahead.Count < maxSlots && rates.TryGetAt(start.AddMinutes(ahead.Count * SlotMinutes), out var rate))
        {
            ahead.Add(rate.Pence);
        }

        if (ahead.Count == 0)
        {
            return new PriceRun(start, ReadOnlyMemory<double>.Empty);
        }

        var back = new List<double>();
        while (back.Count < PriceMemorySlots && rates.TryGetAt(start.AddMinutes(-(back.Count + 1) * SlotMinutes), out var rate))
        {
            back.Add(rate.Pence);
        }

        back.Reverse();
        return new PriceRun(start.AddMinutes(-back.Count * SlotMinutes), back.Concat(ahead).ToArray());
    }

    private static double LoadAt(IReadOnlyList<double> forecast, int slot) =>
        slot < forecast.Count ? Math.Max(0, forecast[slot]) : forecast.Count > 0 ? Math.Max(0, forecast[^1]) : 0;

    private static double PvAt(IReadOnlyList<PvForecastPoint> points, DateTimeOffset slotStart)
    {
        var end = slotStart.AddMinutes(SlotMinutes);
        var kwh = 0.0;
        foreach (var p in points)
        {
            var overlap = (Min(p.EndUtc, end) - Max(p.StartUtc, slotStart)).TotalMinutes;
            var length = (p.EndUtc - p.StartUtc).TotalMinutes;
            if (overlap > 0 && length > 0)
            {
                kwh += p.P50Kwh * overlap / length;
            }
        }

        return Math.Max(0, kwh);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static bool SatisfiedToday(PlanningInputs inputs, string id) =>
        inputs.ImmersionSatisfiedOn is { } days && days.TryGetValue(id, out var day) && day == DateOnly.FromDateTime(UkTime.ToLocal(inputs.Now).DateTime);
    // satisfiedToday: the thermostat opened today (the tank is hot), so nothing more until UK midnight, and the window
    // in progress has had its minimum (a live signal the backtest has no equivalent of).
    private static ImmersionSpec Immersion(ImmersionOptions heater, DateTimeOffset start, int slotCount, bool satisfiedToday, IReadOnlyDictionary<HeatWindowKey, double>? delivered)
    {
        var spec = HeatWindows.Lay(heater.Heater(), start, slotCount, SlotMinutes, UkTime.Zone, delivered);
        if (!satisfiedToday || spec.Windows.Count == 0)
        {
            return spec;
        }

        var windows = spec.Windows.ToList();
        var midnight = UkTime.ToUtc(DateOnly.FromDateTime(UkTime.ToLocal(start).DateTime).AddDays(1), TimeOnly.MinValue);
        var untilMidnight = Math.Clamp((int)Math.Ceiling((midnight - start).TotalMinutes / SlotMinutes), 1, slotCount);
        windows[0] = windows[0] with { MinKwh = 0 };
        windows.Add(new ImmersionWindow { FromSlot = 0, ToSlot = untilMidnight, MinKwh = 0, MaxKwh = 0 });
        return spec with { Windows = windows };
    }
}
