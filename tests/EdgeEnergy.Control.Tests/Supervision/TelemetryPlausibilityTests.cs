using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Control.Tests.Supervision;

public class TelemetryPlausibilityTests
{
    private static readonly SiteOptions s_site = new() { GridMaxImportKw = 15, GridMaxExportKw = 3.68, BatteryMaxChargeKw = 3, BatteryMaxDischargeKw = 3 };

    private static InverterTelemetry Reading(double? soc = 55, double? grid = 1200, double? battery = -2500, double? pv = 3000, double? load = 700) =>
        new() { Family = "h1-g2", BatterySocPercent = soc, GridPowerW = grid, BatteryPowerW = battery, PvPowerW = pv, LoadPowerW = load };

    [Fact]
    public void A_plausible_reading_is_returned_as_it_is()
    {
        var reading = Reading(soc: 100, grid: -30_000, battery: 15_000, pv: 0, load: 0);

        var (cleaned, rejected) = TelemetryPlausibility.Clean(reading, s_site);

        Assert.Same(reading, cleaned);
        Assert.Empty(rejected);
    }

    [Theory]
    [InlineData(250.0, null, null, "state of charge 250 %")]
    [InlineData(-1.0, null, null, "state of charge -1 %")]
    [InlineData(null, -32767.0, null, "grid power -32767 W")]
    [InlineData(null, null, double.NaN, "battery power NaN W")]
    [InlineData(null, null, 16000.0, "battery power 16000 W")]
    public void An_implausible_value_becomes_unknown_and_is_named_while_the_others_stay(double? soc, double? grid, double? battery, string named)
    {
        var reading = Reading(soc: soc ?? 55, grid: grid ?? 1200, battery: battery ?? -2500);

        var (cleaned, rejected) = TelemetryPlausibility.Clean(reading, s_site);

        Assert.StartsWith(named, Assert.Single(rejected), StringComparison.Ordinal);
        Assert.Equal(soc is null ? 55 : null, cleaned.BatterySocPercent);
        Assert.Equal(grid is null ? 1200 : null, cleaned.GridPowerW);
        Assert.Equal(battery is null ? -2500 : null, cleaned.BatteryPowerW);
        Assert.Equal(3000, cleaned.PvPowerW);
        Assert.Equal(700, cleaned.LoadPowerW);
    }

    [Fact]
    public void Missing_values_stay_missing_and_are_not_rejections()
    {
        var (cleaned, rejected) = TelemetryPlausibility.Clean(Reading(soc: null, grid: null), s_site);

        Assert.Empty(rejected);
        Assert.Null(cleaned.BatterySocPercent);
    }
}
