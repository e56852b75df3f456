using EdgeEnergy.Control.Horizon;
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
    IReadOnlyDictionary<string, DateOnly>? ImmersionSatisfiedOn = null);

/// <summary>
/// Builds the plan problem for now, pure: the horizon runs from the current half hour for as long as prices are known
/// without a gap (at most the configured horizon). A missing rate never becomes 0p: the horizon ends before
/// it. Immersion windows end at each heater's ready-by time, their minimum scaled to the part of the day inside the
/// horizon. With <see cref="PlanningInputs.EstimateUnpublishedPrices"/>, the half hours after the last published one up
/// to 23:00 UK tomorrow (within the configured horizon) are added with prices from <see cref="PriceEstimator"/>, marked
/// <see cref="SlotInput.PricesEstimated"/>; the rates' history (up to 14 days before) is what it learns from. Unless a
/// value is configured, energy left at the horizon's end is valued by <see cref="TerminalValuePolicy"/> (or, with
/// less than a day of history, the horizon's median import price × discharge efficiency).
/// </summary>
public static class PlanProblemBuilder
{
    public const int SlotMinutes = 30;

    private const int HistorySlots = 14 * 48;

    public static PlanProblem? Build(PlanningInputs inputs, SiteOptions site, int maxHorizonHours, out string? whyNot) =>
        Build(inputs, site, maxHorizonHours, out whyNot, out _);

    /// <summary>As <see cref="Build(PlanningInputs, SiteOptions, int, out string?)"/>, also saying how energy left at the horizon's end was valued (for the plan's reason).</summary>
    public static PlanProblem? Build(PlanningInputs inputs, SiteOptions site, int maxHorizonHours, out string? whyNot, out string? terminalReason)
    {
        terminalReason = null;
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(site);
        var start = Floor(inputs.Now);
        var maxSlots = maxHorizonHours * 60 / SlotMinutes;
        var slots = new List<SlotInput>(maxSlots);
        for (var t = 0; t < maxSlots; t++)
        {
            var at = start.AddMinutes(t * SlotMinutes);
            if (!inputs.ImportRates.TryGetAt(at, out var import))
            {
                break;
            }

            double exportPence = 0; // no export tariff configured: exporting earns nothing, by contract
            if (inputs.ExportTariffConfigured)
            {
                if (!inputs.ExportRates.TryGetAt(at, out var export))
                {
                    break;
                }

                exportPence = export.Pence;
            }

            slots.Add(new SlotInput
            {
                ImportPence = import.Pence,
                ExportPence = exportPence,
                LoadKwh = LoadAt(inputs.LoadForecastKwh, t),
                PvKwh = PvAt(inputs.PvForecast, at),
            });
        }

        if (slots.Count == 0)
        {
            whyNot = $"no import price is known for {start:yyyy-MM-dd HH:mm} UTC";
            return null;
        }

        whyNot = null;
        var published = slots.Count;
        var knownImport = KnownHistory(inputs.ImportRates, start, published, out var historyStart);
        if (inputs.EstimateUnpublishedPrices && knownImport.Length >= 48)
        {
            var until = (int)Math.Min(maxSlots, (AgilePublication.EstimatedUntil(start, UkTime.Zone) - start).TotalMinutes / SlotMinutes);
            if (until > published)
            {
                var import = PriceEstimator.Estimate(knownImport, historyStart, UkTime.Zone, until - published);
                var export = new double[until - published];
                if (inputs.ExportTariffConfigured)
                {
                    var knownExport = KnownHistory(inputs.ExportRates, start, published, out var exportStart);
                    export = knownExport.Length > 0 ? PriceEstimator.Estimate(knownExport, exportStart, UkTime.Zone, until - published) : export;
                }

                for (var k = 0; k < import.Length; k++)
                {
                    var t = published + k;
                    slots.Add(new SlotInput
                    {
                        ImportPence = import[k],
                        ExportPence = export[k],
                        LoadKwh = LoadAt(inputs.LoadForecastKwh, t),
                        PvKwh = PvAt(inputs.PvForecast, start.AddMinutes(t * SlotMinutes)),
                        PricesEstimated = true,
                    });
                }
            }
        }

        double terminal;
        if (inputs.TerminalValuePencePerKwh is { } configured)
        {
            terminal = configured;
            terminalReason = $"energy left at the horizon's end valued at {configured:0.0}p/kWh (configured: Control:TerminalValuePencePerKwh)";
        }
        else if (knownImport.Length >= 48)
        {
            var learned = TerminalValuePolicy.Learn(knownImport, historyStart, knownImport.Length - published + slots.Count, UkTime.Zone, site.Battery(inputs.SocKwh));
            terminal = learned.PencePerKwh;
            terminalReason = learned.Reason;
        }
        else
        {
            terminal = TerminalValue(slots, site);
            terminalReason = $"energy left at the horizon's end valued at {terminal:0.0}p/kWh (median known import price × discharge efficiency; under a day of price history)";
        }

        return new PlanProblem
        {
            Start = start,
            SlotMinutes = SlotMinutes,
            Battery = site.Battery(inputs.SocKwh),
            Grid = site.Grid,
            TerminalValuePencePerKwh = terminal,
            Immersions = site.Immersions.Select(i => Immersion(i, start, slots.Count, SatisfiedToday(inputs, i.Id))).ToArray(),
            Slots = slots,
        };
    }

    /// <summary>
    /// The import (or export) prices known without a gap up to the last published half hour of the horizon, going back
    /// at most 14 days: what the estimator may learn from. <paramref name="first"/> is the first one's start.
    /// </summary>
    private static double[] KnownHistory(RateSeries rates, DateTimeOffset start, int published, out DateTimeOffset first)
    {
        var values = new List<double>(HistorySlots + published);
        first = start.AddMinutes(published * SlotMinutes);
        for (var back = 1; back <= HistorySlots + published; back++)
        {
            var at = start.AddMinutes((published - back) * SlotMinutes);
            if (!rates.TryGetAt(at, out var rate))
            {
                break;
            }

            values.Add(rate.Pence);
            first = at;
        }

        values.Reverse();
        return [.. values];
    }

    public static DateTimeOffset Floor(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute < 30 ? 0 : 30, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// A stored kWh at the horizon's end will, at best, displace an import later; a conservative value is what
    /// the cheaper half of the known prices costs, after the discharge loss (never negative).
    /// </summary>
    private static double TerminalValue(List<SlotInput> slots, SiteOptions site)
    {
        var prices = slots.Select(s => s.ImportPence).Order().ToArray();
        var median = prices[prices.Length / 2];
        return Math.Max(0, median * site.DischargeEfficiency);
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
