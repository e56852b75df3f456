using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;

namespace EdgeEnergy.Adapters.Modbus.Tests.Peers;

/// <summary>mbpoll (Debian, on libmodbus) against our simulator: TCP on loopback, RTU through a socat pty pair.</summary>
public partial class MbpollTests
{
    [GeneratedRegex(@"^\[(\d+)\]:\s+(-?\d+)", RegexOptions.Multiline)]
    private static partial Regex ValueLine();

    private static Dictionary<int, long> Values(string stdout) =>
        ValueLine().Matches(stdout).ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    private static async Task<Dictionary<int, long>> Poll(params string[] args)
    {
        var (code, stdout, stderr) = await Tools.RunAsync(Tools.Require("mbpoll", "mbpoll"), args);
        Assert.True(code == 0 && stderr.Length == 0, $"mbpoll {string.Join(' ', args)} exit {code}: {stderr}");
        return Values(stdout);
    }

    private static (SimulatedFoxEss Simulator, ModbusTcpServer Server) Serve(string family, double soc = 63)
    {
        var sim = new SimulatedFoxEss(FoxRegisterMap.Embedded[family], TimeProvider.System, new SimulatedFoxEssOptions { InitialSocPercent = soc, PvW = _ => 0, LoadW = _ => 400 });
        var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = sim }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        return (sim, server);
    }

    [Fact]
    public async Task Mbpoll_reads_the_model_telemetry_and_settings_over_tcp()
    {
        var (_, server) = Serve("h1-rs485");
        await using var served = server;
        var port = server.LocalEndpoint.Port.ToString(CultureInfo.InvariantCulture);
        var model = await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "30000", "-c", "8", "-0", "-1", "127.0.0.1");
        Assert.Equal("H1-5.0-E", new string(model.OrderBy(kv => kv.Key).Select(kv => (char)kv.Value).ToArray()));
        var input = await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "3", "-r", "11036", "-c", "1", "-0", "-1", "127.0.0.1");
        Assert.Equal(63, input[11036]);
        var battery = await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "3", "-r", "11008", "-0", "-1", "127.0.0.1");
        Assert.Equal(400, battery[11008]); // raw +ve = discharging: the battery covers the 400 W load
    }

    [Fact]
    public async Task Mbpoll_writes_settings_and_32_bit_remote_power_and_gets_fox_exceptions()
    {
        var (sim, server) = Serve("h3");
        await using var served = server;
        var port = server.LocalEndpoint.Port.ToString(CultureInfo.InvariantCulture);
        await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "41011", "-0", "127.0.0.1", "30");
        Assert.Equal((ushort)30, sim.Peek(RegisterSpace.Holding, 41011));
        await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "44001", "-0", "127.0.0.1", "600");
        await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4:int", "-B", "-r", "44002", "-0", "127.0.0.1", "--", "-2500");
        await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "44000", "-0", "127.0.0.1", "1");
        Assert.True(sim.RemoteControlActive);
        Assert.Equal(-2500, sim.BatteryPowerW); // no PV: the battery charges at the commanded 2.5 kW
        var power = await Poll("-m", "tcp", "-p", port, "-a", "247", "-t", "4:int", "-B", "-r", "44002", "-0", "-1", "127.0.0.1");
        Assert.Equal(-2500, power[44002]);

        var (_, _, stderr) = await Tools.RunAsync(Tools.Require("mbpoll", "mbpoll"), "-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "41001", "-0", "-1", "127.0.0.1");
        Assert.Contains("Illegal data address", stderr);
        (_, _, stderr) = await Tools.RunAsync(Tools.Require("mbpoll", "mbpoll"), "-m", "tcp", "-p", port, "-a", "247", "-t", "4", "-r", "41000", "-0", "127.0.0.1", "9");
        Assert.Contains("Illegal data value", stderr);
    }

    [Fact]
    public async Task Mbpoll_reads_and_writes_the_simulator_over_rtu_through_a_socat_pty_pair()
    {
        using var pty = new PtyPair();
        var sim = new SimulatedFoxEss(FoxRegisterMap.Embedded["h1-rs485"], TimeProvider.System, new SimulatedFoxEssOptions { InitialSocPercent = 71 });
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = sim });
        await using var server = ModbusRtuServer.OpenSerial(core, ModbusEndpoint.Parse($"rtu://{pty.Server}?baud=9600"));
        var soc = await Poll("-m", "rtu", "-b", "9600", "-P", "none", "-a", "247", "-t", "3", "-r", "11036", "-0", "-1", pty.Client);
        Assert.Equal(71, soc[11036]);
        await Poll("-m", "rtu", "-b", "9600", "-P", "none", "-a", "247", "-t", "4", "-r", "41011", "-0", pty.Client, "25");
        Assert.Equal((ushort)25, sim.Peek(RegisterSpace.Input, 41011));
        // Another unit on the line gets silence (RS485), and the simulator keeps serving afterwards.
        var (_, _, stderr) = await Tools.RunAsync(Tools.Require("mbpoll", "mbpoll"), "-m", "rtu", "-b", "9600", "-P", "none", "-a", "3", "-t", "3", "-r", "11036", "-0", "-1", "-o", "0.3", pty.Client);
        Assert.Contains("timed out", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(71, (await Poll("-m", "rtu", "-b", "9600", "-P", "none", "-a", "247", "-t", "3", "-r", "11036", "-0", "-1", pty.Client))[11036]);
    }
}
