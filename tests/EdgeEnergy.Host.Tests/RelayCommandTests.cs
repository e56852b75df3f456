using System.Net;
using System.Text.Json;
using EdgeEnergy.Simulation;
using EdgeEnergy.Host.Tests.Supervision;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests;

/// <summary><c>edgeenergy relay check</c> as a process: a relay board on loopback Modbus TCP, and the refusals.</summary>
public sealed class RelayCommandTests
{
    [Fact]
    public async Task A_coil_is_switched_on_held_and_off_with_each_step_read_back_from_the_board()
    {
        var board = new ImmersionRelayTests.CoilBank();
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [2] = board }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        var relay = $"modbus://127.0.0.1:{server.LocalEndpoint.Port}?unit=2&coil=5";

        var result = await CliRunner.RunAsync(["relay", "check", relay, "--on-seconds", "0.2"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(relay, json.RootElement.GetProperty("relay").GetString());
        var steps = json.RootElement.GetProperty("steps").EnumerateArray()
            .Select(s => (s.GetProperty("step").GetString(), s.GetProperty("readBack").GetBoolean()))
            .ToArray();
        Assert.Equal([("opened", false), ("on", true), ("off", false)], steps);
        Assert.DoesNotContain(true, board.Coils);
    }

    [Theory]
    [InlineData("gpio://-1", "RELAY 'gpio://-1': pin '-1' must be a BCM GPIO number 0-255")]
    [InlineData("homeassistant://switch.immersion", "RELAY 'homeassistant://switch.immersion' is not a relay address")]
    [InlineData("modbus://127.0.0.1:502?coil=1", "RELAY 'modbus://127.0.0.1:502?coil=1' needs both unit= and coil=")]
    public async Task A_bad_address_is_exit_2_saying_what_is_wrong(string relay, string message)
    {
        var result = await CliRunner.RunAsync(["relay", "check", relay]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("edgeenergy relay check: " + message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gpio_chip_this_machine_lacks_is_exit_1_saying_so()
    {
        var result = await CliRunner.RunAsync(["relay", "check", "gpio://17?chip=63", "--on-seconds", "0"]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("edgeenergy relay check: RELAY: /dev/gpiochip63 does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }
}
