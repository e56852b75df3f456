using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Planning;

/// <summary>
/// Measured house load and solar per half hour, from the stored telemetry: what the forecasters learn from. The house
/// load is the inverter's load less the car charger's measured draw where one was read: the plan places the car itself
/// (its need by its deadline), so a forecast that kept last week's charging would count the car twice.
/// </summary>
public static class MeasuredHistory
{
    /// <summary>
    /// kWh per slot over <paramref name="days"/> days before <paramref name="end"/>, from the mean power of the minutes
    /// stored in each slot (NaN: nothing stored in it). Slot 0 starts at <c>end − days</c>.
    /// </summary>
    public static async Task<(double[] LoadKwh, double[] PvKwh)> SlotsAsync(ITelemetryStore telemetry, DateTimeOffset end, int days, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        var from = end.AddDays(-days);
        var samples = await telemetry.GetAsync(from, end, cancellationToken);
        var length = days * SlotGrid.SlotsPerDay;
        double[] Slots(Func<TelemetrySample, double?> watts)
        {
            var sum = new double[length];
            var counts = new int[length];
            foreach (var s in samples)
            {
                var index = (int)((s.TimestampUtc - from).TotalMinutes / PlanProblemBuilder.SlotMinutes);
                if (watts(s) is { } w && double.IsFinite(w) && index >= 0 && index < length)
                {
                    sum[index] += w;
                    counts[index]++;
                }
            }

            // the mean power of the minutes stored, held for the slot
            return [.. sum.Select((w, i) => counts[i] > 0 ? Energy.Kwh(Math.Max(0, w / counts[i]), PlanProblemBuilder.SlotMinutes / 60.0) : double.NaN)];
        }

        return (Slots(HouseLoadW), Slots(s => s.PvPowerW));
    }

    /// <summary>The load without the car; a car reading above the load (the two meters' timing) leaves 0, not less.</summary>
    public static double? HouseLoadW(TelemetrySample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.LoadPowerW is { } load && sample.CarChargingW is { } car && double.IsFinite(car)
            ? Math.Max(0, load - Math.Max(0, car))
            : sample.LoadPowerW;
    }
}
