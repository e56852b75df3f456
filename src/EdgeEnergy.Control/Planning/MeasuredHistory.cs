using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Planning;

/// <summary>Measured load and solar per half hour, from the stored telemetry: what the forecasters learn from.</summary>
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

        return (Slots(s => s.LoadPowerW), Slots(s => s.PvPowerW));
    }
}
