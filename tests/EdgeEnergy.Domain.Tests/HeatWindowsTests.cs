using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests;

/// <summary>The one function that lays a heater's daily local-time windows onto a horizon (service and backtest).</summary>
public class HeatWindowsTests
{
    private static ImmersionHeater Heater(string from, string to, double minKwh, double? maxKwh = null, double powerKw = 3) => new()
    {
        Id = "tank",
        PowerKw = powerKw,
        ValuePencePerKwh = 5,
        Windows = [new DailyImmersionWindow { FromLocal = TimeOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), ToLocal = TimeOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), MinKwh = minKwh, MaxKwh = maxKwh }],
    };

    private static ImmersionSpec Lay(ImmersionHeater heater, DateTimeOffset start, int slots, IReadOnlyDictionary<HeatWindowKey, double>? delivered = null) =>
        HeatWindows.Lay(heater, start, slots, 30, UkTime.Zone, delivered);

    [Fact]
    public void A_window_across_midnight_runs_from_its_evening_to_the_next_morning()
    {
        // 16:00 GMT; the window of 9 January (22:00–06:00) closed this morning; tonight's is slots 12–28.
        var spec = Lay(Heater("22:00", "06:00", 5, 8), new DateTimeOffset(2024, 1, 10, 16, 0, 0, TimeSpan.Zero), 48);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((12, 28), (window.FromSlot, window.ToSlot));
        Assert.Equal(5, window.MinKwh, 9);
        Assert.Equal(8, window.MaxKwh);
    }

    [Fact]
    public void On_the_spring_change_day_a_window_is_an_hour_short_and_its_minimum_is_what_the_element_can_deliver()
    {
        // 31 March 2024: 00:00 GMT → 06:00 BST is five hours (00:00Z–05:00Z), ten slots; 1 kW cannot give the 6 kWh asked.
        var spec = Lay(Heater("00:00", "06:00", 6, powerKw: 1), new DateTimeOffset(2024, 3, 30, 20, 0, 0, TimeSpan.Zero), 48);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((8, 18), (window.FromSlot, window.ToSlot));
        Assert.Equal(5, window.MinKwh, 9);
    }

    [Fact]
    public void On_the_autumn_change_day_a_window_is_an_hour_long()
    {
        // 27 October 2024: 00:00 BST (26th 23:00Z) → 06:00 GMT (06:00Z) is seven hours, fourteen slots.
        var spec = Lay(Heater("00:00", "06:00", 4), new DateTimeOffset(2024, 10, 26, 20, 0, 0, TimeSpan.Zero), 48);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((6, 20), (window.FromSlot, window.ToSlot));
    }

    [Fact]
    public void A_window_already_part_delivered_asks_only_for_the_rest()
    {
        // 10:00 GMT in a 00:00–18:00 window that has had 1 kWh: 2 more owed by 18:00, at most 5 more.
        var delivered = new Dictionary<HeatWindowKey, double> { [new HeatWindowKey("tank", 0, new DateOnly(2024, 1, 10))] = 1 };
        var spec = Lay(Heater("00:00", "18:00", 3, 6), new DateTimeOffset(2024, 1, 10, 10, 0, 0, TimeSpan.Zero), 16, delivered);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((0, 16), (window.FromSlot, window.ToSlot));
        Assert.Equal(2, window.MinKwh, 9);
        Assert.Equal(5, window.MaxKwh!.Value, 9);
    }

    [Fact]
    public void A_closed_window_asks_nothing_even_when_it_fell_short()
    {
        // 19:00 GMT: today's 00:00–18:00 window closed with 1 of its 3 kWh; only tomorrow's (from slot 10) is planned.
        var delivered = new Dictionary<HeatWindowKey, double> { [new HeatWindowKey("tank", 0, new DateOnly(2024, 1, 10))] = 1 };
        var spec = Lay(Heater("00:00", "18:00", 3, 6), new DateTimeOffset(2024, 1, 10, 19, 0, 0, TimeSpan.Zero), 48, delivered);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((10, 46), (window.FromSlot, window.ToSlot));
        Assert.Equal(3, window.MinKwh, 9);
    }

    [Fact]
    public void A_window_cut_by_the_horizon_owes_only_what_its_slots_past_the_horizon_cannot_deliver()
    {
        // 00:00–18:00 seen from 15:00 GMT with 5 slots (to 17:30): the 17:30 slot could still give 1.5 of the 3 kWh.
        var spec = Lay(Heater("00:00", "18:00", 3, 6), new DateTimeOffset(2024, 1, 10, 15, 0, 0, TimeSpan.Zero), 5);

        var window = Assert.Single(spec.Windows);
        Assert.Equal((0, 5), (window.FromSlot, window.ToSlot));
        Assert.Equal(1.5, window.MinKwh, 9);
    }
}
