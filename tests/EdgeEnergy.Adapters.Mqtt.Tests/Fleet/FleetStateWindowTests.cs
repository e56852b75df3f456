using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

public sealed class FleetStateWindowTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static ApplianceSnapshot Reading(double gridW, double socPercent, bool fallback = false) => new()
    {
        Telemetry = new LiveTelemetry { MeasuredAtUtc = s_t0, BatterySocPercent = socPercent, BatteryPowerW = -gridW / 2, PvPowerW = 0, GridPowerW = gridW, LoadPowerW = 400 },
        Fallback = fallback ? new FallbackState(true, "prices stale", s_t0) : FallbackState.Inactive,
    };

    [Fact]
    public void A_window_is_the_mean_of_its_samples_and_comes_out_when_the_next_window_starts()
    {
        var window = new FleetStateWindow(TimeSpan.FromMinutes(5), "boot1");

        Assert.Null(window.Add(Reading(1000, 50), s_t0.AddSeconds(10)));
        Assert.Null(window.Add(Reading(2000, 60, fallback: true), s_t0.AddMinutes(2)));
        Assert.Null(window.Add(Reading(3000, 70), s_t0.AddMinutes(4).AddSeconds(59)));
        var done = window.Add(Reading(9999, 99), s_t0.AddMinutes(5));

        Assert.NotNull(done);
        Assert.Equal(1, done.Sequence);
        Assert.Equal("boot1", done.Boot);
        Assert.Equal(s_t0, done.StartUtc); // windows start on multiples of the length
        Assert.Equal(s_t0.AddMinutes(5), done.EndUtc);
        Assert.Equal(3, done.Samples);
        Assert.Equal(2000, done.GridPowerW);
        Assert.Equal(-1000, done.BatteryPowerW);
        Assert.Equal(60, done.BatterySocPercent);
        Assert.True(done.Fallback);
        Assert.Contains("\"seq\":1", done.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sequence_numbers_follow_each_other_and_a_window_without_readings_says_so()
    {
        var window = new FleetStateWindow(TimeSpan.FromSeconds(10), "b");
        window.Add(Reading(100, 10), s_t0.AddSeconds(1));
        var first = window.Add(ApplianceSnapshot.Empty, s_t0.AddSeconds(11));
        var second = window.Add(Reading(100, 10), s_t0.AddSeconds(21));

        Assert.Equal(1, first!.Sequence);
        Assert.Equal(2, second!.Sequence);
        Assert.Equal(0, second.Samples);
        Assert.Null(second.GridPowerW);
        Assert.Equal(3, window.NextSequence);
    }
}
