using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Domain.Tests;

public class EnergyUnitsTests
{
    [Theory]
    [InlineData(3000, 0.5, 1.5)]    // 3 kW for a half-hour slot
    [InlineData(-1280, 0.25, -0.32)] // sign kept: charging power is negative energy out
    [InlineData(0, 0.5, 0)]
    public void A_power_held_for_some_hours_is_that_many_kWh_and_back(double watts, double hours, double kwh)
    {
        Assert.Equal(kwh, Energy.Kwh(watts, hours), 12);
        Assert.Equal(watts, Energy.Watts(kwh, hours), 9);
    }
}
