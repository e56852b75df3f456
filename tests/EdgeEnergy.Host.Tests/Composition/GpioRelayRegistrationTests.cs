using System.Device.Gpio;
using EdgeEnergy.Adapters.Gpio;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Gpio;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Composition;

/// <summary><c>gpio://</c> relays through the composition: opened off at start, switched by the loop's switcher, off
/// again when the host stops; bad addresses stop the start naming the key.</summary>
public sealed class GpioRelayRegistrationTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);
    private readonly RecordingGpioChips _chips = new();

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<SiteOptions>().Bind(builder.Configuration.GetSection(SiteOptions.SectionName));
        builder.Services.AddOptions<ControlOptions>().Bind(builder.Configuration.GetSection(ControlOptions.SectionName));
        builder.Services.AddSingleton<IAuditLog, InMemoryAuditLog>();
        builder.Services.AddSingleton<IGpioChipOpener>(new ChipsOpener(_chips));
        builder.Services.AddImmersionRelays(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task A_gpio_relay_is_opened_off_switched_by_the_loop_and_off_again_when_the_host_stops()
    {
        var host = Build(new()
        {
            ["Site:Immersions:0:Id"] = "tank",
            ["Site:Immersions:0:Relay"] = "gpio://17?active=low",
            ["Site:Immersions:1:Id"] = "spa",
            ["Site:Immersions:1:Relay"] = "gpio://27",
        });
        await host.StartAsync();
        var switcher = host.Services.GetRequiredService<ImmersionSwitcher>();
        var chip = _chips[0];
        Assert.Equal(["open 17", "mode 17 Output high", "open 27", "mode 27 Output low"], chip.Calls);

        switcher.Boost("tank", s_now.AddHours(1));
        await switcher.StepAsync(s_now, null, false, 400, CancellationToken.None);
        Assert.Equal(PinValue.Low, chip.LastDriven(17)); // active low: on
        Assert.Equal(PinValue.Low, chip.LastDriven(27)); // off
        Assert.True(switcher.IsOn("tank"));

        await host.StopAsync();
        host.Dispose();
        Assert.Equal(["write 17 high", "close 17", "write 27 low", "close 27", "dispose"], chip.Calls.TakeLast(5));
        Assert.Equal(1, _chips.Opened);
    }

    [Theory]
    [InlineData("gpio://", "Site:Immersions:0:Relay 'gpio://' needs the BCM pin number after gpio://")]
    [InlineData("gpio://?active=low", "Site:Immersions:0:Relay 'gpio://?active=low' needs the BCM pin number after gpio://")]
    [InlineData("gpio://-4", "Site:Immersions:0:Relay 'gpio://-4': pin '-4' must be a BCM GPIO number 0-255")]
    [InlineData("gpio://17?active=on", "Site:Immersions:0:Relay 'gpio://17?active=on': active 'on' must be high")]
    public async Task A_bad_gpio_address_stops_the_start_naming_the_key(string relay, string expected)
    {
        using var host = Build(new() { ["Site:Immersions:0:Id"] = "tank", ["Site:Immersions:0:Relay"] = relay });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(e.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.Equal(0, _chips.Opened);
    }

    [Fact]
    public async Task Two_heaters_on_one_line_stop_the_start()
    {
        using var host = Build(new()
        {
            ["Site:Immersions:0:Id"] = "tank",
            ["Site:Immersions:0:Relay"] = "gpio://17",
            ["Site:Immersions:1:Id"] = "spa",
            ["Site:Immersions:1:Relay"] = "gpio://17?chip=0&active=low",
        });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Site:Immersions:1:Relay 'gpio://17?chip=0&active=low': GPIO17 on gpiochip0 (active low) is already the relay of Site:Immersions:0:Relay", e.Failures);
    }

    [Fact]
    public async Task A_line_another_program_holds_fails_naming_the_key()
    {
        _chips[0].Busy.Add(17);
        using var host = Build(new() { ["Site:Immersions:0:Id"] = "tank", ["Site:Immersions:0:Relay"] = "gpio://17" });
        await host.StartAsync();
        var e = Assert.Throws<GpioRelayException>(() => host.Services.GetRequiredService<ImmersionSwitcher>());
        Assert.StartsWith("Site:Immersions:0:Relay: GPIO17 on gpiochip0 (active high) is not available", e.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task In_shadow_mode_no_gpio_line_is_requested_or_driven_at_start_on_a_switch_or_at_stop()
    {
        var host = Build(new()
        {
            ["Control:Mode"] = "shadow",
            ["Site:Immersions:0:Id"] = "tank",
            ["Site:Immersions:0:Relay"] = "gpio://17?active=low",
        });
        await host.StartAsync();
        var switcher = host.Services.GetRequiredService<ImmersionSwitcher>();

        // Even a switch asked of the relay directly (the control loop does not ask in shadow) is refused below it.
        switcher.Boost("tank", s_now.AddHours(1));
        await switcher.StepAsync(s_now, null, false, 400, CancellationToken.None);
        Assert.False(switcher.IsOn("tank"));
        var audit = Assert.Single(((InMemoryAuditLog)host.Services.GetRequiredService<IAuditLog>()).Entries);
        Assert.StartsWith("shadow mode: Site:Immersions:0:Relay: switching GPIO17", audit.Outcome, StringComparison.Ordinal);

        await host.StopAsync();
        host.Dispose();
        IReadOnlyList<string> calls = _chips.Opened == 0 ? [] : _chips[0].Calls;
        Assert.DoesNotContain(calls, c => c.StartsWith("open", StringComparison.Ordinal) || c.StartsWith("mode", StringComparison.Ordinal) || c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Active_to_shadow_switches_a_heating_relay_off_as_the_last_write_then_refuses_to_switch_it()
    {
        var host = Build(new()
        {
            ["Control:Mode"] = "active",
            ["Site:Immersions:0:Id"] = "tank",
            ["Site:Immersions:0:Relay"] = "gpio://17",
        });
        await host.StartAsync();
        var switcher = host.Services.GetRequiredService<ImmersionSwitcher>();
        switcher.Boost("tank", s_now.AddHours(1));
        await switcher.StepAsync(s_now, null, false, 400, CancellationToken.None);
        var chip = _chips[0];
        Assert.Equal(PinValue.High, chip.LastDriven(17));

        var said = await host.Services.GetRequiredService<global::EdgeEnergy.Host.Appliance.ControlModeService>().RequestAsync(Domain.Control.ControlMode.Shadow, "mqtt", CancellationToken.None);
        Assert.StartsWith("shadow: nothing is written from now on; handed back: immersion tank off: ok", said, StringComparison.Ordinal);
        Assert.Equal(PinValue.Low, chip.LastDriven(17));
        var writes = chip.Calls.Count(c => c.StartsWith("write", StringComparison.Ordinal));

        // The gate is closed: a boost asked of the switcher is refused below it, and stopping drives nothing.
        switcher.Boost("tank", s_now.AddHours(1));
        await switcher.StepAsync(s_now.AddMinutes(1), null, false, 400, CancellationToken.None);
        await host.StopAsync();
        host.Dispose();
        Assert.Equal(writes, chip.Calls.Count(c => c.StartsWith("write", StringComparison.Ordinal)));
        Assert.Equal(PinValue.Low, chip.LastDriven(17));
    }

    [Fact]
    public async Task The_service_will_not_start_on_a_gpio_chip_this_machine_lacks_and_says_which_key()
    {
        var data = Directory.CreateTempSubdirectory("edgeenergy-gpio-run-").FullName;
        try
        {
            var result = await CliRunner.RunAsync(["run"], timeout: TimeSpan.FromSeconds(90), environment: new Dictionary<string, string>
            {
                ["EDGEENERGY__Storage__Path"] = Path.Combine(data, "edgeenergy.db"),
                ["EDGEENERGY__Http__Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
                ["EDGEENERGY__Inverter__Endpoint"] = $"tcp://127.0.0.1:{FreeTcpPort.Next()}",
                ["EDGEENERGY__Inverter__Family"] = "h1-g2",
                ["EDGEENERGY__Mqtt__EmbeddedBroker"] = "true",
                ["EDGEENERGY__Mqtt__EmbeddedBrokerPort"] = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["EDGEENERGY__Site__Immersions__0__Id"] = "tank",
                ["EDGEENERGY__Site__Immersions__0__Relay"] = "gpio://17?chip=63",
            });
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("edgeenergy: cannot start: Site:Immersions:0:Relay: /dev/gpiochip63 does not exist", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed class ChipsOpener(RecordingGpioChips chips) : IGpioChipOpener
    {
        public GpioDriver Open(int chip, string key) => chips[chip];
    }
}
