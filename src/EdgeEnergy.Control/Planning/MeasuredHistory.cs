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

    /// <summary>
    /// Grid import per half hour in [<paramref name="from"/>, <paramref name="to"/>), kWh by the half hour's UTC start,
    /// from the mean of the stored minutes' import (grid power above 0; export counts as 0). Half hours with no stored
    /// grid power are absent. What the Saving Session baseline is computed from.
    /// </summary>
    public static async Task<IReadOnlyDictionary<DateTimeOffset, double>> ImportKwhBySlotAsync(ITelemetryStore telemetry, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        var slot = TimeSpan.FromMinutes(PlanProblemBuilder.SlotMinutes);
        var sums = new Dictionary<DateTimeOffset, (double Watts, int Count)>();
        foreach (var s in await telemetry.GetAsync(from, to, cancellationToken))
        {
            if (s.GridPowerW is { } w && double.IsFinite(w))
            {
                var start = new DateTimeOffset(s.TimestampUtc.UtcTicks - (s.TimestampUtc.UtcTicks % slot.Ticks), TimeSpan.Zero);
                var (watts, count) = sums.GetValueOrDefault(start);
                sums[start] = (watts + Math.Max(0, w), count + 1);
            }
        }

        return sums.ToDictionary(kv => kv.Key, kv => Energy.Kwh(kv.Value.Watts / kv.Value.Count, slot.TotalHours));
    }
}
