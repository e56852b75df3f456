namespace EdgeEnergy.Adapters.Gpio.Tests;

public sealed class GpioRelayAddressTests
{
    private const string Key = "Site:Immersions:1:Relay";

    [Theory]
    [InlineData("gpio://17", 0, 17, false)]
    [InlineData("gpio://0", 0, 0, false)]
    [InlineData("gpio://27?active=low", 0, 27, true)]
    [InlineData("gpio://5?chip=4&active=high", 4, 5, false)]
    [InlineData("gpio://5?chip=gpiochip4", 4, 5, false)]
    public void Good_addresses_give_chip_pin_and_level(string address, int chip, int pin, bool activeLow) =>
        Assert.Equal(new GpioRelayAddress(chip, pin, activeLow), GpioRelayAddress.Parse(address, Key));

    [Theory]
    [InlineData("gpio://", "needs the BCM pin number")]
    [InlineData("gpio://?chip=0", "needs the BCM pin number")]
    [InlineData("gpio://-1", "pin '-1' must be a BCM GPIO number 0-255")]
    [InlineData("gpio://GPIO17", "pin 'GPIO17' must be a BCM GPIO number")]
    [InlineData("gpio://256", "pin '256' must be")]
    [InlineData("gpio://17?chip=-1", "chip '-1' must be 0-63")]
    [InlineData("gpio://17?active=inverted", "active 'inverted' must be high")]
    [InlineData("gpio://17?pull=up", "unknown parameter 'pull'")]
    [InlineData("gpio:17", "is not a GPIO relay address")]
    public void Bad_addresses_say_what_is_wrong_and_name_the_key(string address, string problem)
    {
        var e = Assert.Throws<FormatException>(() => GpioRelayAddress.Parse(address, Key));
        Assert.StartsWith(Key, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
