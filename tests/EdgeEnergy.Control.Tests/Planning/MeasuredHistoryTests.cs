using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Control.Tests.Planning;

/// <summary>The load the forecasters learn from is the house's: the car charger's measured draw is taken out of it.</summary>
public sealed class MeasuredHistoryTests
{
    private static readonly DateTimeOffset s_end = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_from = s_end.AddDays(-1);

    [Fact]
    public async Task The_cars_measured_charging_is_taken_out_of_each_minute_before_the_slot_mean()
    {
        var samples = new List<TelemetrySample>();
        // Slot 0: the car charging at 7 kW in every minute of an 8 kW load: the house used 1 kW, 0.5 kWh.
        samples.AddRange(Minutes(0, 30, load: 8000, car: 7000));
        // Slot 1: 10 minutes of 7.5 kW with the car at 7 kW, then 20 minutes without a charger reading at 600 W:
        // (10 · 500 + 20 · 600) / 30 = 566.67 W for half an hour.
        samples.AddRange(Minutes(30, 10, load: 7500, car: 7000));
        samples.AddRange(Minutes(40, 20, load: 600, car: null));
        // Slot 2: the charger read above the load (the two meters' timing) leaves 0, never a negative house.
        samples.AddRange(Minutes(60, 30, load: 6900, car: 7000));

        var (load, _) = await MeasuredHistory.SlotsAsync(new Store(samples), s_end, days: 1, CancellationToken.None);

        Assert.Equal(0.5, load[0], 9);
        Assert.Equal(566.6666666 / 2000, load[1], 6);
        Assert.Equal(0, load[2], 9);
        Assert.True(double.IsNaN(load[3])); // nothing stored
    }

    private static IEnumerable<TelemetrySample> Minutes(int first, int count, double load, double? car) =>
        Enumerable.Range(first, count).Select(m => new TelemetrySample(s_from.AddMinutes(m), 50, 0, load, load, 0, car));

    private sealed class Store(List<TelemetrySample> samples) : ITelemetryStore
    {
        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TelemetrySample>>([.. samples.Where(s => s.TimestampUtc >= fromUtc && s.TimestampUtc < toUtc)]);
    }
}
