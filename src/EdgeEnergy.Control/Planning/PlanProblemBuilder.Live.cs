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
    /// <summary>How the import tariff's prices become known (from <c>Octopus:ImportProduct</c>).</summary>
    public TariffKnowledge ImportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>How the export tariff's prices become known (from <c>Octopus:ExportProduct</c>).</summary>
    public TariffKnowledge ExportTariff { get; init; } = TariffKnowledge.Agile;
}

/// <summary>
/// The service's way in: the stored rates, the forecast points and the site's heaters (ready-by time, daily minimum and
/// maximum) turned into the builder's arrays. Immersion windows end at each heater's ready-by time, their minimum
/// scaled to the part of the day inside the horizon; a heater whose thermostat opened today gets nothing more until
/// UK midnight.
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
            Immersions = [.. site.Immersions.Select(i => Immersion(i, start, horizon.Count, SatisfiedToday(inputs, i.Id)))],
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
    // in progress has had its minimum.
    private static ImmersionSpec Immersion(ImmersionOptions heater, DateTimeOffset start, int slotCount, bool satisfiedToday)
    {
        var readyBy = TimeOnly.ParseExact(heater.ReadyBy, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var windows = new List<ImmersionWindow>();
        var from = 0;
        var day = DateOnly.FromDateTime(UkTime.ToLocal(start).DateTime).AddDays(-1);
        for (var d = 0; d < 4 && from < slotCount; d++, day = day.AddDays(1))
        {
            var dueUtc = UkTime.ToUtc(day, readyBy);
            var to = (int)Math.Ceiling((dueUtc - start).TotalMinutes / SlotMinutes);
            if (to <= from)
            {
                continue;
            }

            to = Math.Min(to, slotCount);
            var fraction = Math.Min(1.0, (to - from) * SlotMinutes / (24.0 * 60));
            var deliverable = heater.PowerKw * SlotMinutes / 60.0 * (to - from);
            windows.Add(new ImmersionWindow
            {
                FromSlot = from,
                ToSlot = to,
                // Only a whole day's window must deliver the minimum; a window cut by the horizon's end may, not must.
                MinKwh = to == slotCount && (dueUtc - start).TotalMinutes / SlotMinutes > slotCount ? 0 : Math.Min(deliverable, heater.DailyMinKwh * fraction),
                MaxKwh = Math.Max(heater.DailyMinKwh * fraction, heater.DailyMaxKwh * fraction),
            });
            from = to;
        }

        if (satisfiedToday && windows.Count > 0)
        {
            var midnight = UkTime.ToUtc(DateOnly.FromDateTime(UkTime.ToLocal(start).DateTime).AddDays(1), TimeOnly.MinValue);
            var untilMidnight = Math.Clamp((int)Math.Ceiling((midnight - start).TotalMinutes / SlotMinutes), 1, slotCount);
            windows[0] = windows[0] with { MinKwh = 0 };
            windows.Add(new ImmersionWindow { FromSlot = 0, ToSlot = untilMidnight, MinKwh = 0, MaxKwh = 0 });
        }

        return new ImmersionSpec { Id = heater.Id, PowerKw = heater.PowerKw, ValuePencePerKwh = heater.ValuePencePerKwh, Windows = windows };
    }
}
