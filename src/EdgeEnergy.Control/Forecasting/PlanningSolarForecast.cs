using System.Globalization;
using EdgeEnergy.Domain.Forecasts;

namespace EdgeEnergy.Control.Forecasting;

/// <summary>Where the solar forecast a plan is made on came from.</summary>
public enum SolarForecastOrigin
{
    /// <summary>The forecast service (Solcast), calibrated to the roof when there is history to do it.</summary>
    Service,

    /// <summary>The home's own estimate from its measured solar.</summary>
    OwnEstimate,

    /// <summary>Nothing to go on: no solar is assumed.</summary>
    None,
}

/// <summary>The solar forecast a plan is made on, where it came from (<paramref name="Source"/> says it in words), and
/// what was wrong with a better one when the plan had to do without it (null when nothing was).</summary>
public sealed record SolarForecastChoice(IReadOnlyList<PvForecastPoint> Points, SolarForecastOrigin Origin, string Source, string? Problem);

/// <summary>
/// Chooses the solar forecast for the planner: the forecast service's (Solcast) when it is usable; else the home's own
/// estimate from its measured generation (<see cref="SolarForecaster"/>); else none (no solar known: the plan assumes
/// none and says so). A service forecast with a NaN, a negative value or an absurd one (more than five times the most
/// this roof has measured in a half hour, or above 25 kWh in a half hour when nothing is measured yet) is never planned
/// on: the whole forecast is set aside, with the slot and value named. Pure: values and times in, choice out.
/// </summary>
public static class PlanningSolarForecast
{
    /// <summary>A half hour's solar above this is absurd for any home (50 kW of panels) when the roof's own peak is unknown.</summary>
    public const double AbsurdSlotKwh = 25;

    private const int SlotMinutes = 30;

    /// <summary>
    /// <paramref name="measuredKwh"/>: measured solar per slot for the slots just before <paramref name="start"/>, the
    /// last entry ending at <paramref name="start"/>; NaN where nothing was measured. <paramref name="pastServiceKwh"/>,
    /// when given, is what the service forecast for those same slots (NaN where it forecast nothing): with a day of both,
    /// the service's forecast is calibrated to the roof (<see cref="SolarCalibration"/>).
    /// </summary>
    public static SolarForecastChoice Choose(
        DateTimeOffset start, int slots, IReadOnlyList<PvForecastPoint> service, ReadOnlySpan<double> measuredKwh, ReadOnlySpan<double> pastServiceKwh = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var measuredSlots = 0;
        var peak = 0.0;
        foreach (var v in measuredKwh)
        {
            if (double.IsFinite(v))
            {
                measuredSlots++;
                peak = Math.Max(peak, v);
            }
        }

        string? problem = null;
        if (service.Count > 0)
        {
            problem = Unusable(service, measuredSlots >= SlotGrid.SlotsPerDay && peak > 0 ? 5 * peak : AbsurdSlotKwh);
            if (problem is null)
            {
                return Calibrated(start, service, measuredKwh, pastServiceKwh);
            }
        }

        if (measuredSlots < SlotGrid.SlotsPerDay)
        {
            return new SolarForecastChoice([], SolarForecastOrigin.None, $"none: no usable forecast service and only {measuredSlots} half hours of measured solar (a day is needed)", problem);
        }

        var forecast = new double[slots];
        new SolarForecaster().Forecast(measuredKwh, measuredKwh.Length, forecast);
        var points = forecast.Select((kwh, i) => new PvForecastPoint(start.AddMinutes(i * SlotMinutes), start.AddMinutes((i + 1) * SlotMinutes), kwh, kwh, kwh)).ToList();
        return new SolarForecastChoice(points, SolarForecastOrigin.OwnEstimate, "own estimate from measured solar", problem);
    }

    /// <summary>The service's points scaled by the roof's factor for their time of day, once a day has both a forecast
    /// and a measurement; as they came before that.</summary>
    private static SolarForecastChoice Calibrated(DateTimeOffset start, IReadOnlyList<PvForecastPoint> service, ReadOnlySpan<double> measuredKwh, ReadOnlySpan<double> pastServiceKwh)
    {
        var paired = 0;
        for (var i = 0; i < pastServiceKwh.Length && i < measuredKwh.Length; i++)
        {
            paired += double.IsFinite(pastServiceKwh[i]) && double.IsFinite(measuredKwh[i]) ? 1 : 0;
        }

        if (pastServiceKwh.Length != measuredKwh.Length || paired < SlotGrid.SlotsPerDay)
        {
            return new SolarForecastChoice(service, SolarForecastOrigin.Service, "forecast service (p50)", null);
        }

        // Slot i of the past series starts at start − (n − i) half hours; a point's phase is counted the same way.
        var factors = SolarCalibration.Factors(pastServiceKwh, measuredKwh, measuredKwh.Length);
        var n = measuredKwh.Length;
        double Factor(DateTimeOffset t) =>
            factors[(((n + (int)Math.Floor((t - start).TotalMinutes / SlotMinutes)) % SlotGrid.SlotsPerDay) + SlotGrid.SlotsPerDay) % SlotGrid.SlotsPerDay];
        var scaled = service.Select(p =>
        {
            var f = Factor(p.StartUtc);
            return p with { P10Kwh = p.P10Kwh * f, P50Kwh = p.P50Kwh * f, P90Kwh = p.P90Kwh * f };
        }).ToList();
        var noon = new DateTimeOffset(start.UtcDateTime.Date.AddHours(12), TimeSpan.Zero);
        return new SolarForecastChoice(scaled, SolarForecastOrigin.Service, string.Create(CultureInfo.InvariantCulture,
            $"forecast service (p50), calibrated to {paired} measured half hours (×{Factor(noon):0.00} at 12:00 UTC)"), null);
    }

    private static string? Unusable(IReadOnlyList<PvForecastPoint> service, double maxSlotKwh)
    {
        foreach (var p in service)
        {
            var hours = (p.EndUtc - p.StartUtc).TotalHours;
            var perHalfHour = hours > 0 ? p.P50Kwh * 0.5 / hours : double.NaN;
            var bad = !double.IsFinite(p.P50Kwh) ? "is not a number"
                : p.P50Kwh < 0 ? "is negative"
                : !(perHalfHour <= maxSlotKwh) ? string.Create(CultureInfo.InvariantCulture, $"is absurd (above {maxSlotKwh:0.##} kWh a half hour)")
                : null;
            if (bad is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"the forecast service's p50 for {p.StartUtc:yyyy-MM-dd HH:mm} UTC ({p.P50Kwh} kWh) {bad}; planning without it");
            }
        }

        return null;
    }
}
