using System.Device.Gpio;
using EdgeEnergy.Testing.Gpio;

namespace EdgeEnergy.Adapters.Gpio.Tests;

/// <summary>Opening chips: the device node checked first (wrong chip, permissions), libgpiod failures translated; and the
/// bank that shares one chip between relays and switches them all off on stop.</summary>
public sealed class GpioChipTests : IDisposable
{
    private const string Key = "Site:Immersions:0:Relay";
    private readonly string _dev = Directory.CreateTempSubdirectory("edgeenergy-dev-").FullName;

    public void Dispose() => Directory.Delete(_dev, recursive: true);

    private void Node(string name) => File.WriteAllBytes(Path.Combine(_dev, name), []);

    [Fact]
    public void A_wrong_chip_is_refused_listing_the_chips_there_are()
    {
        Node("gpiochip0");
        Node("gpiochip1");
        var e = Assert.Throws<GpioRelayException>(() => new LibGpiodChipOpener(_dev, _ => throw new InvalidOperationException("not reached")).Open(4, Key));
        Assert.StartsWith($"{Key}: {_dev}/gpiochip4 does not exist (wrong chip=?); this machine has gpiochip0, gpiochip1.", e.Message);
    }

    [Fact]
    public void A_machine_without_gpio_says_so()
    {
        var e = Assert.Throws<GpioRelayException>(() => new LibGpiodChipOpener(_dev).Open(0, Key));
        Assert.Contains("there is no GPIO chip here at all", e.Message);
        Assert.StartsWith(Key, e.Message);
    }

    [Fact]
    public void The_chip_number_reaches_the_driver_once_the_node_opens()
    {
        Node("gpiochip4");
        var asked = -1;
        using var driver = new LibGpiodChipOpener(_dev, chip => { asked = chip; return new RecordingGpioDriver(); }).Open(4, Key);
        Assert.Equal(4, asked);
    }

    [Fact]
    public void A_pi_5_soc_chip_is_refused_because_it_is_not_the_header()
    {
        Node("gpiochip0");
        var soc = new RecordingGpioDriver(32, "gpio-brcmstb@107d508500");
        var e = Assert.Throws<GpioRelayException>(() => new LibGpiodChipOpener(_dev, _ => soc).Open(0, Key));
        Assert.StartsWith($"{Key}: gpiochip0 is 'gpio-brcmstb@107d508500', the Raspberry Pi 5's SoC GPIOs, not the 40-pin header", e.Message);
        Assert.True(soc.Disposed);
    }

    [Fact]
    public void Permission_denied_names_the_node_the_key_and_the_gpio_group()
    {
        Node("gpiochip0");
        var e = Assert.Throws<GpioRelayException>(() => new LibGpiodChipOpener(_dev, _ => throw new UnauthorizedAccessException("Access to the path is denied.")).Open(0, Key));
        Assert.Equal($"{Key}: permission denied on {_dev}/gpiochip0: the service user needs the gpio group (systemd: SupplementaryGroups=gpio; balenaOS: run the container as root)", e.Message);
    }

    [Fact]
    public void Missing_libgpiod_says_which_package_to_install()
    {
        Node("gpiochip0");
        var e = Assert.Throws<GpioRelayException>(() => new LibGpiodChipOpener(_dev, _ => throw new DllNotFoundException("libgpiod.so.3")).Open(0, Key));
        Assert.Contains("libgpiod is not installed", e.Message);
        Assert.Contains("apt install libgpiod3", e.Message);
    }

    [Fact]
    public async Task The_bank_shares_one_chip_refuses_a_pin_twice_and_switches_everything_off_on_dispose()
    {
        var chips = new RecordingGpioChips();
        var opened = new List<int>();
        var bank = new GpioRelayBank(new Opener((chip, _) => { opened.Add(chip); return chips[chip]; }));
        var tank = bank.Open(GpioRelayAddress.Parse("gpio://17", "Site:Immersions:0:Relay"), "Site:Immersions:0:Relay");
        var spa = bank.Open(GpioRelayAddress.Parse("gpio://27?active=low", "Site:Immersions:1:Relay"), "Site:Immersions:1:Relay");
        Assert.Equal([0], opened);

        var e = Assert.Throws<GpioRelayException>(() => bank.Open(GpioRelayAddress.Parse("gpio://17?active=low", "Site:Immersions:2:Relay"), "Site:Immersions:2:Relay"));
        Assert.Equal("Site:Immersions:2:Relay: GPIO17 on gpiochip0 (active low) is already the relay of Site:Immersions:0:Relay", e.Message);

        await tank.SetAsync(true, CancellationToken.None);
        await spa.SetAsync(true, CancellationToken.None);
        Assert.Equal((PinValue.High, PinValue.Low), (chips[0].LastDriven(17), chips[0].LastDriven(27)));

        bank.Dispose();
        Assert.Equal((PinValue.Low, PinValue.High), (chips[0].LastDriven(17), chips[0].LastDriven(27)));
        Assert.False(chips[0].IsOpen(17) || chips[0].IsOpen(27));
        Assert.True(chips[0].Disposed);
    }

    private sealed class Opener(Func<int, string, GpioDriver> open) : IGpioChipOpener
    {
        public GpioDriver Open(int chip, string key) => open(chip, key);
    }
}
