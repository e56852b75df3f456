using System.Globalization;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Modbus.Tests.Peers;

/// <summary>Our client against a Modbus server we did not write (libmodbus, compiled by the fixture) holding known raw values.</summary>
public class LibmodbusServerTests
{
    private static string Line(char kind, int address, int value) => string.Create(CultureInfo.InvariantCulture, $"{kind} {address} {value}");

    private static IEnumerable<string> Model(string model, bool charPerRegister) =>
        FoxModel.Encode(model, charPerRegister).Select((v, i) => Line('h', 30000 + i, v));

    private static ModbusBus Bus(int port) =>
        ModbusBus.Create(ModbusEndpoint.Parse($"tcp://127.0.0.1:{port}"), new ModbusBusOptions { InterRequestGap = TimeSpan.Zero, Retries = 0 }, TimeProvider.System);

    [Fact]
    public async Task Every_function_code_round_trips_with_libmodbus()
    {
        using var server = await LibmodbusTcpServer.StartAsync([Line('h', 100, 0xBEEF), Line('h', 101, 7), Line('i', 200, 4242), Line('c', 10, 1), Line('c', 12, 1)]);
        await using var bus = Bus(server.Port);
        var client = new ModbusClient(bus, 247);
        Assert.Equal(new ushort[] { 0xBEEF, 7 }, await client.ReadHoldingRegistersAsync(100, 2, default));
        Assert.Equal(new ushort[] { 4242 }, await client.ReadInputRegistersAsync(200, 1, default));
        Assert.Equal(new[] { true, false, true, false }, await client.ReadCoilsAsync(10, 4, default));
        await client.WriteSingleCoilAsync(11, true, default);
        await client.WriteMultipleCoilsAsync(20, [true, true, false, true, false, false, false, false, true], default);
        Assert.Equal(new[] { true, true, true, false }, await client.ReadCoilsAsync(10, 4, default));
        Assert.Equal(new[] { true, true, false, true, false, false, false, false, true }, await client.ReadCoilsAsync(20, 9, default));
        await client.WriteSingleRegisterAsync(300, 0xFFFF, default);
        await client.WriteMultipleRegistersAsync(301, [1, 2, 3], default);
        Assert.Equal(new ushort[] { 0xFFFF, 1, 2, 3 }, await client.ReadHoldingRegistersAsync(300, 4, default));
        var e = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(65535, 1, default));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Equal(ModbusFunction.ReadHoldingRegisters, e.Function);
        Assert.Equal(65535, e.Address);
    }

    public static TheoryData<string> Families() => [.. FoxRegisterMap.Embedded.Families.Keys];

    /// <summary>Raw values per family as the notes describe its registers, and what `fox read` must report.</summary>
    private static (IEnumerable<string> Raw, Action<InverterTelemetry> Check) Case(string family) => family switch
    {
        "h1-rs485" => (Model("H1-5.0-E", true).Concat([
                Line('i', 11036, 63), Line('i', 11008, -1500), Line('i', 11021, -2300), Line('i', 11023, 1800), Line('i', 11002, 850), Line('i', 11005, 420),
                Line('i', 11034, 512), Line('i', 11038, 231), Line('i', 11056, 2), Line('i', 41000, 0), Line('i', 41011, 15), Line('i', 11081, 1), Line('i', 11082, 2),
                Line('i', 41001, 1), Line('i', 41002, (23 << 8) | 30), Line('i', 41003, (5 << 8) | 30)]),
            t =>
            {
                Assert.Equal((63, -1500, 2300, 1800, 1270, 850, 420), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW, t.Pv1PowerW, t.Pv2PowerW));
                Assert.Equal((51.2, 23.1, "on-grid", "self-use", 15), (t.BatteryVoltageV, t.BatteryTemperatureC, t.InverterState, t.WorkMode, t.MinSocOnGridPercent));
                Assert.Equal(6553.8, t.GridImportEnergyTotalKwh);
                Assert.Equal(new ChargePeriod(true, new TimeOnly(23, 30), new TimeOnly(5, 30)), t.ChargePeriods![0]);
                Assert.Equal(new RemoteControlState(false, 0, 0), t.RemoteControl);
            }),
        "h1-lan" => (Model("H1-5.0-E", true).Concat([
                Line('h', 31024, 80), Line('h', 31022, 2000), Line('h', 31014, 1500), Line('h', 31016, 700), Line('h', 31002, 300), Line('h', 31005, 200),
                Line('h', 31020, 530), Line('h', 31023, -52), Line('h', 31027, 3), Line('h', 44000, 1), Line('h', 44001, 60), Line('h', 44002, -3000)]),
            t =>
            {
                Assert.Equal((80, 2000, -1500, 700, 500), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW));
                Assert.Equal((53.0, -5.2, "off-grid"), (t.BatteryVoltageV, t.BatteryTemperatureC, t.InverterState));
                Assert.Null(t.WorkMode);
                Assert.Null(t.MinSocOnGridPercent);
                Assert.Equal(new RemoteControlState(true, 60, -3000), t.RemoteControl);
            }),
        "h1-g2" => (Model("H1-6.0-E-G2", false).Concat([
                Line('h', 31024, 45), Line('h', 31022, -800), Line('h', 31014, -100), Line('h', 31016, 900), Line('h', 39279, 0x1234), Line('h', 39280, 1100),
                Line('h', 31020, 520), Line('h', 41000, 4), Line('h', 41011, 20), Line('h', 39063, 4), Line('h', 44002, 500), Line('h', 39071, 315)]),
            t =>
            {
                Assert.Equal((45, -800, 100, 900, 1100), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW));
                Assert.Equal((52.0, "peak-shaving", 20, "on-grid", 3.15), (t.BatteryVoltageV, t.WorkMode, t.MinSocOnGridPercent, t.InverterState, t.Pv1CurrentA));
                Assert.Equal(500, t.RemoteControl!.ActivePowerW);
            }),
        "kh" => (Model("KH10", false).Concat([
                Line('h', 31024, 55), Line('h', 31022, 1200), Line('h', 39168, -1), Line('h', 39169, -700), Line('h', 31016, 1500),
                Line('h', 39280, 2000), Line('h', 39282, 1000), Line('h', 31027, 3), Line('h', 41000, 1), Line('h', 41011, 12), Line('h', 44002, -2000)]),
            t =>
            {
                Assert.Equal((55, 1200, 700, 1500, 3000), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW));
                Assert.Equal(("on-grid", "feed-in-first", 12), (t.InverterState, t.WorkMode, t.MinSocOnGridPercent));
                Assert.Equal(-2000, t.RemoteControl!.ActivePowerW);
            }),
        "h3" => (Model(" H3-10.0-E", true).Concat([
                Line('h', 31038, 70), Line('h', 31036, -4000), Line('h', 31026, 100), Line('h', 31027, -50), Line('h', 31028, 200),
                Line('h', 31029, 400), Line('h', 31030, 500), Line('h', 31031, 600), Line('h', 31002, 3000), Line('h', 31005, 2500), Line('h', 31034, 3000),
                Line('h', 31037, 185), Line('h', 31041, 2), Line('h', 41000, 2), Line('h', 41011, 10), Line('h', 44000, 1), Line('h', 44001, 120),
                Line('h', 44002, -1), Line('h', 44003, -5000)]),
            t =>
            {
                Assert.Equal((70, -4000, -250, 1500, 5500), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW));
                Assert.Equal((300.0, 18.5, "2", "back-up", 10), (t.BatteryVoltageV, t.BatteryTemperatureC, t.InverterState, t.WorkMode, t.MinSocOnGridPercent));
                Assert.Equal(new RemoteControlState(true, 120, -5000), t.RemoteControl);
            }),
        _ => (Model("H3-Pro-15.0", false).Concat([
                Line('h', 37612, 88), Line('h', 39237, 0), Line('h', 39238, 3000), Line('h', 38814, -1), Line('h', 38815, -12345), Line('h', 39225, 0), Line('h', 39226, 4321),
                Line('h', 39280, 2500), Line('h', 39282, 1500), Line('h', 37609, 3105), Line('h', 37611, -35), Line('h', 49203, 1), Line('h', 46611, 25),
                Line('h', 46001, 1), Line('h', 46002, 90), Line('h', 46003, -1), Line('h', 46004, -2000), Line('h', 39063, 0x40), Line('h', 39617, 1), Line('h', 39618, 0)]),
            t =>
            {
                Assert.Equal((88, 3000, 1234.5, 4321, 4000), (t.BatterySocPercent, t.BatteryPowerW, t.GridPowerW, t.LoadPowerW, t.PvPowerW));
                Assert.Equal((310.5, -3.5, "self-use", 25, "fault"), (t.BatteryVoltageV, t.BatteryTemperatureC, t.WorkMode, t.MinSocOnGridPercent, t.InverterState));
                Assert.Equal(655.36, t.GridImportEnergyTotalKwh);
                Assert.Equal(new RemoteControlState(true, 90, -2000), t.RemoteControl);
            }),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Known_raw_values_decode_exactly_per_family(string family)
    {
        var (raw, check) = Case(family);
        using var server = await LibmodbusTcpServer.StartAsync(raw);
        await using var bus = Bus(server.Port);
        await using var inverter = await FoxEssInverter.OpenAsync(new ModbusClient(bus, 247), ModbusEndpointKind.Tcp, new FoxEssOptions { Family = family }, TimeProvider.System, null, default);
        var t = await inverter.ReadTelemetryAsync(default);
        Assert.Equal(family, t.Family);
        check(t);
    }

    [Theory]
    [InlineData("h1-rs485")] // libmodbus answers input 11000, so a gen-1 H1 on tcp:// is taken as an RS485 adapter
    [InlineData("h1-g2")]
    [InlineData("kh")]
    [InlineData("h3")]
    [InlineData("h3-pro")]
    public async Task The_family_is_detected_from_the_model_string(string family)
    {
        var (raw, check) = Case(family);
        using var server = await LibmodbusTcpServer.StartAsync(raw);
        await using var bus = Bus(server.Port);
        await using var inverter = await FoxEssInverter.OpenAsync(new ModbusClient(bus, 247), ModbusEndpointKind.Tcp, new FoxEssOptions(), TimeProvider.System, null, default);
        Assert.Equal(family, inverter.Family.Key);
        check(await inverter.ReadTelemetryAsync(default));
    }

    [Fact]
    public async Task Our_serial_rtu_client_reads_libmodbus_over_a_socat_pty_pair()
    {
        using var pty = new PtyPair();
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, Case("h1-rs485").Raw);
        var server = Tools.Start(await FixtureServerBinary.PathAsync, "rtu", pty.Server, "9600", "247", file);
        try
        {
            Assert.Equal("ready", await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            var endpoint = ModbusEndpoint.Parse($"rtu://{pty.Client}?baud=9600&parity=none&stop=1");
            await using var bus = new ModbusBus(new RtuModbusTransport(endpoint, TimeProvider.System, NullLogger.Instance), new ModbusBusOptions { InterRequestGap = TimeSpan.FromMilliseconds(5) }, TimeProvider.System);
            await using var inverter = await FoxEssInverter.OpenAsync(new ModbusClient(bus, 247), endpoint.Kind, new FoxEssOptions(), TimeProvider.System, null, default);
            Assert.Equal("h1-rs485", inverter.Family.Key);
            Case("h1-rs485").Check(await inverter.ReadTelemetryAsync(default));
            var e = await Assert.ThrowsAsync<ModbusDeviceException>(() => new ModbusClient(bus, 247).ReadInputRegistersAsync(65535, 1, default));
            Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        }
        finally
        {
            Tools.Stop(server);
            File.Delete(file);
        }
    }
}
