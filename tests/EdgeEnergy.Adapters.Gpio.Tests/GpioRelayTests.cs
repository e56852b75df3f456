using System.Device.Gpio;
using EdgeEnergy.Testing.Gpio;

namespace EdgeEnergy.Adapters.Gpio.Tests;

/// <summary>The relay against a GPIO chip at the driver boundary: levels driven, read back, released, and refused.</summary>
public sealed class GpioRelayTests : IDisposable
{
    private const string Key = "Site:Immersions:0:Relay";
    private readonly RecordingGpioDriver _chip = new();

    public void Dispose() => _chip.Dispose();

    private GpioRelay Open(string address) => new(new GpioController(_chip), GpioRelayAddress.Parse(address, Key), Key);

    [Fact]
    public void The_line_is_requested_as_an_output_already_off_and_never_high_on_the_way()
    {
        using var relay = Open("gpio://17");
        Assert.Equal(["open 17", "mode 17 Output low"], _chip.Calls);
        Assert.Equal(PinMode.Output, _chip.ModeOf(17));
    }

    [Fact]
    public async Task Active_high_drives_high_for_on_and_low_for_off_and_reads_back()
    {
        using var relay = Open("gpio://17");
        await relay.SetAsync(true, CancellationToken.None);
        Assert.Equal(PinValue.High, _chip.LastDriven(17));
        Assert.True(await relay.GetAsync(CancellationToken.None));
        await relay.SetAsync(false, CancellationToken.None);
        Assert.Equal(PinValue.Low, _chip.LastDriven(17));
        Assert.False(await relay.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Active_low_inverts_every_level_including_the_safe_one()
    {
        using (var relay = Open("gpio://22?active=low"))
        {
            Assert.Equal(["open 22", "mode 22 Output high"], _chip.Calls);
            Assert.False(await relay.GetAsync(CancellationToken.None));
            await relay.SetAsync(true, CancellationToken.None);
            Assert.Equal(PinValue.Low, _chip.LastDriven(22));
            Assert.True(await relay.GetAsync(CancellationToken.None));
        }

        Assert.Equal(["write 22 high", "close 22", "dispose"], _chip.Calls.TakeLast(3));
    }

    [Fact]
    public async Task Dispose_drives_an_energised_relay_off_before_releasing_the_line_and_the_chip()
    {
        var relay = Open("gpio://17");
        await relay.SetAsync(true, CancellationToken.None);
        relay.Dispose();
        relay.Dispose();
        Assert.Equal(["open 17", "mode 17 Output low", "write 17 high", "write 17 low", "close 17", "dispose"], _chip.Calls);
        Assert.False(_chip.IsOpen(17));
        Assert.True(_chip.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => relay.SetAsync(true, CancellationToken.None));
    }

    [Fact]
    public async Task A_line_that_does_not_hold_the_level_driven_is_an_error_naming_the_key()
    {
        _chip.Stuck[17] = PinValue.Low;
        using var relay = Open("gpio://17");
        var e = await Assert.ThrowsAsync<GpioRelayException>(() => relay.SetAsync(true, CancellationToken.None));
        Assert.Equal($"{Key}: GPIO17 on gpiochip0 (active high) reads low after being driven high: is another program or a short holding the line?", e.Message);
        Assert.False(await relay.GetAsync(CancellationToken.None));
    }

    [Fact]
    public void A_line_held_by_another_program_is_not_available_naming_the_key()
    {
        _chip.Busy.Add(17);
        var e = Assert.Throws<GpioRelayException>(() => Open("gpio://17"));
        Assert.StartsWith($"{Key}: GPIO17 on gpiochip0 (active high) is not available", e.Message);
        Assert.Contains("Device or resource busy", e.Message);
        Assert.DoesNotContain(_chip.Calls, c => c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pin_beyond_the_chip_is_refused_with_its_line_range()
    {
        var e = Assert.Throws<GpioRelayException>(() => Open("gpio://60"));
        Assert.Equal($"{Key}: pin 60 is not on gpiochip0, which has lines 0-53 (wrong chip=? a Pi 5 on a kernel before 6.6.45 has its header on chip=4)", e.Message);
        Assert.Empty(_chip.Calls);
    }
}
