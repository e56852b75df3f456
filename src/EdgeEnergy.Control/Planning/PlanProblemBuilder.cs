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
    double? TerminalValuePencePerKwh);

/// <summary>
/// Builds the plan problem for now, pure: the horizon runs from the current half hour for as long as prices are known
/// without a gap (at most the configured horizon). A missing rate never becomes 0p: the horizon ends before
/// it. Immersion windows end at each heater's ready-by time, their minimum scaled to the part of the day inside the
/// horizon.
/// </summary>
public static class PlanProblemBuilder
{
    public const int SlotMinutes = 30;

    public static PlanProblem? Build(PlanningInputs inputs, SiteOptions site, int maxHorizonHours, out string? whyNot)
    {
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
                LoadKwh = t < inputs.LoadForecastKwh.Count ? Math.Max(0, inputs.LoadForecastKwh[t]) : inputs.LoadForecastKwh.Count > 0 ? inputs.LoadForecastKwh[^1] : 0,
                PvKwh = PvAt(inputs.PvForecast, at),
            });
        }

        if (slots.Count == 0)
        {
            whyNot = $"no import price is known for {start:yyyy-MM-dd HH:mm} UTC";
            return null;
        }

        whyNot = null;
        var terminal = inputs.TerminalValuePencePerKwh ?? TerminalValue(slots, site);
        return new PlanProblem
        {
            Start = start,
            SlotMinutes = SlotMinutes,
            Battery = site.Battery(inputs.SocKwh),
            Grid = site.Grid,
            TerminalValuePencePerKwh = terminal,
            Immersions = site.Immersions.Select(i => Immersion(i, start, slots.Count)).ToArray(),
            Slots = slots,
        };
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

    private static ImmersionSpec Immersion(ImmersionOptions heater, DateTimeOffset start, int slotCount)
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

        return new ImmersionSpec { Id = heater.Id, PowerKw = heater.PowerKw, ValuePencePerKwh = heater.ValuePencePerKwh, Windows = windows };
    }
}
