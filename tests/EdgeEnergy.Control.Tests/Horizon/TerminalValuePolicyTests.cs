using EdgeEnergy.Control.Horizon;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control.Tests.Horizon;

public class TerminalValuePolicyTests
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly DateTimeOffset s_start = new(2024, 1, 8, 0, 0, 0, TimeSpan.Zero);

    private static BatterySpec Battery(double efficiency) => new()
    {
        CapacityKwh = 9.5, SocKwh = 5, MinSocKwh = 0.95, MaxSocKwh = 9.5, MaxChargeKw = 3, MaxDischargeKw = 3,
        ChargeEfficiency = efficiency, DischargeEfficiency = efficiency,
    };

    /// <summary>A week of days: <paramref name="night"/> p from 00:00 to 06:00, <paramref name="peak"/> p 16:00–19:00, <paramref name="day"/> p otherwise.</summary>
    private static double[] Week(double night, double day, double peak) =>
        [.. Enumerable.Range(0, 48 * 7).Select(i => (i % 48 / 2) switch { < 6 => night, >= 16 and < 19 => peak, _ => day })];

    [Fact]
    public void Lower_efficiency_makes_stored_energy_worth_less_when_prices_are_flat()
    {
        var capped = Week(34, 35, 35); // the 35p cap of early 2022: refilling is dear, a stored kWh saves only what it displaces
        var good = TerminalValuePolicy.Learn(capped, s_start, capped.Length, s_london, Battery(0.95));
        var poor = TerminalValuePolicy.Learn(capped, s_start, capped.Length, s_london, Battery(0.8));

        Assert.True(poor.PencePerKwh < good.PencePerKwh);
        Assert.Equal(35 * 0.8, poor.PencePerKwh, 1);
    }

    [Fact]
    public void With_a_wide_spread_it_is_the_cost_of_refilling_at_night_not_the_peak_price()
    {
        var winter = Week(10, 25, 45);
        var value = TerminalValuePolicy.Learn(winter, s_start, winter.Length, s_london, Battery(0.95));

        Assert.Equal(10 / 0.95, value.PencePerKwh, 6);
        Assert.True(value.UsePence > value.RefillPence);
        Assert.Contains("10.5p/kWh", value.Reason);
    }

    [Fact]
    public void The_season_shape_matters_not_only_the_mean_level()
    {
        // Equal mean price: a winter shape (cheap nights, dear peaks) against a flat summer one.
        var winter = Week(10, 22.5, 45);
        var flatMean = winter.Average();
        var summer = Week(flatMean, flatMean, flatMean);
        var w = TerminalValuePolicy.Learn(winter, s_start, winter.Length, s_london, Battery(0.9)).PencePerKwh;
        var s = TerminalValuePolicy.Learn(summer, s_start, summer.Length, s_london, Battery(0.9)).PencePerKwh;

        Assert.True(s > w + 5, $"summer {s:0.0}p vs winter {w:0.0}p");
    }

    [Fact]
    public void Known_prices_beyond_the_horizon_are_used_as_they_are()
    {
        var prices = Week(10, 25, 45);
        var end = 48 * 5; // the horizon ends two days before the last known price
        prices[end + 3] = -5; // a plunge just after the horizon: refilling then is paid for
        var value = TerminalValuePolicy.Learn(prices, s_start, end, s_london, Battery(0.95));

        Assert.True(value.RefillPence < 10 / 0.95);
    }

    [Fact]
    public void It_is_never_negative()
    {
        var negative = Week(-10, -5, -2);
        Assert.Equal(0, TerminalValuePolicy.Learn(negative, s_start, negative.Length, s_london, Battery(0.9)).PencePerKwh);
    }
}
