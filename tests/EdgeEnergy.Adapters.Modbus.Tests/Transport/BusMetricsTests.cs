using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Tests.Peers;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Testing.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

/// <summary>What the bus records in <see cref="EdgeEnergyMetrics"/>, against real peers on loopback.</summary>
public sealed class BusMetricsTests : IDisposable
{
    private static readonly ModbusBusOptions s_once = new() { InterRequestGap = TimeSpan.Zero, Retries = 0, RequestTimeout = TimeSpan.FromSeconds(3) };

    /// <summary>For requests that are meant to get no reply.</summary>
    private static readonly ModbusBusOptions s_shortTimeout = s_once with { RequestTimeout = TimeSpan.FromMilliseconds(300) };
    private readonly MetricsRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    private static (string, string) Function(int code) => ("function", code.ToString(CultureInfo.InvariantCulture));

    private double Requests(int function) => _recorder.Sum(EdgeEnergyMetrics.ModbusRequests.Name, Function(function));

    private double Timeouts(int function) => _recorder.Sum(EdgeEnergyMetrics.ModbusTimeouts.Name, Function(function));

    private double FrameErrors(int function, string kind) => _recorder.Sum(EdgeEnergyMetrics.ModbusFrameErrors.Name, Function(function), ("kind", kind));

    /// <summary>A peer on loopback that accepts one connection and runs <paramref name="serve"/> on it.</summary>
    private static (int Port, Task Served) Peer(Func<Socket, Task> serve)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var served = Task.Run(async () =>
        {
            using (listener)
            {
                using var socket = await listener.AcceptSocketAsync();
                await serve(socket);
            }
        });
        return (((IPEndPoint)listener.LocalEndpoint).Port, served);
    }

    /// <summary>Reads until the client closes the connection (the bus is disposed).</summary>
    private static async Task UntilClosed(Socket socket)
    {
        var scratch = new byte[256];
        while (await socket.ReceiveAsync(scratch) > 0)
        {
        }
    }

    private ModbusBus Bus(string endpoint, ModbusBusOptions? options = null) =>
        ModbusBus.Create(ModbusEndpoint.Parse(endpoint), options ?? s_once, TimeProvider.System, metrics: _recorder.Metrics);

    [Fact]
    public async Task Replies_are_counted_and_timed_by_function_code()
    {
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [1] = new MemoryBank() }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        await using var bus = Bus($"tcp://127.0.0.1:{server.LocalEndpoint.Port}");
        var client = new ModbusClient(bus, 1);
        await client.WriteSingleRegisterAsync(10, 42, CancellationToken.None);
        await client.ReadHoldingRegistersAsync(10, 1, CancellationToken.None);
        await client.ReadHoldingRegistersAsync(10, 2, CancellationToken.None);

        Assert.Equal((2, 1), (Requests(3), Requests(6)));
        Assert.Equal(2, _recorder.Count(EdgeEnergyMetrics.ModbusRequestDuration.Name, Function(3)));
        var seconds = _recorder.Sum(EdgeEnergyMetrics.ModbusRequestDuration.Name, Function(3));
        Assert.InRange(seconds, 1e-6, 5);
        Assert.Equal(0, _recorder.Sum(EdgeEnergyMetrics.ModbusTimeouts.Name) + _recorder.Sum(EdgeEnergyMetrics.ModbusExceptions.Name) + _recorder.Sum(EdgeEnergyMetrics.ModbusFrameErrors.Name));
    }

    [Fact]
    public async Task Exception_replies_are_counted_by_exception_code()
    {
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [1] = new MemoryBank() }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        await using var bus = Bus($"tcp://127.0.0.1:{server.LocalEndpoint.Port}");
        await Assert.ThrowsAsync<ModbusDeviceException>(() => new ModbusClient(bus, 1).ReadHoldingRegistersAsync(MemoryBank.Size, 1, CancellationToken.None));
        await Assert.ThrowsAsync<ModbusDeviceException>(() => new ModbusClient(bus, 9).ReadHoldingRegistersAsync(0, 1, CancellationToken.None));

        Assert.Equal(1, _recorder.Sum(EdgeEnergyMetrics.ModbusExceptions.Name, Function(3), ("code", "2")));  // illegal data address
        Assert.Equal(1, _recorder.Sum(EdgeEnergyMetrics.ModbusExceptions.Name, Function(3), ("code", "11"))); // gateway: unit 9 not there
        Assert.Equal(2, Requests(3));
        Assert.Equal(0, Timeouts(3));
    }

    [Fact]
    public async Task A_unit_that_stays_silent_times_out_once_per_attempt()
    {
        var (port, _) = Peer(async socket =>
        {
            await using var rtu = new ModbusRtuServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [17] = new MemoryBank() }), new NetworkStream(socket));
            await Task.Delay(TimeSpan.FromSeconds(3));
        });
        await using var bus = Bus($"rtu-over-tcp://127.0.0.1:{port}", s_shortTimeout with { Retries = 1, RetryBackoff = TimeSpan.FromMilliseconds(10) });

        await Assert.ThrowsAsync<ModbusTimeoutException>(() => new ModbusClient(bus, 9).ReadInputRegistersAsync(0, 1, CancellationToken.None));
        Assert.Equal((2, 2), (Timeouts(4), Requests(4)));
        Assert.Equal(0, _recorder.Count(EdgeEnergyMetrics.ModbusRequestDuration.Name, Function(4)));
    }

    [Fact]
    public async Task An_rtu_reply_with_a_bad_crc_is_one_crc_error_and_then_a_timeout()
    {
        var (port, peer) = Peer(async socket =>
        {
            var request = new byte[8];
            await socket.ReceiveAsync(request);
            var reply = RtuCodec.Encode(request[0], [0x03, 0x02, 0x00, 0x2A]);
            reply[^1] ^= 0xFF;
            await socket.SendAsync(reply);
            await UntilClosed(socket);
        });
        var bus = Bus($"rtu-over-tcp://127.0.0.1:{port}", s_shortTimeout);

        await Assert.ThrowsAsync<ModbusTimeoutException>(() => new ModbusClient(bus, 5).ReadHoldingRegistersAsync(0, 1, CancellationToken.None));
        await bus.DisposeAsync();
        await peer;
        Assert.Equal(1, FrameErrors(3, "crc"));
        Assert.Equal(0, FrameErrors(3, "framing"));
        Assert.Equal(1, Timeouts(3));
    }

    [Fact]
    public async Task A_reply_whose_byte_count_does_not_match_is_a_framing_error()
    {
        var (port, peer) = Peer(async socket =>
        {
            var request = new byte[12];
            await socket.ReceiveAsync(request);
            var transaction = (ushort)((request[0] << 8) | request[1]);
            await socket.SendAsync(MbapCodec.Encode(transaction, request[6], [0x03, 0x04, 0x00, 0x01, 0x00, 0x02])); // 2 registers for a read of 1
            await UntilClosed(socket);
        });
        var bus = Bus($"tcp://127.0.0.1:{port}");

        await Assert.ThrowsAsync<ModbusProtocolException>(() => new ModbusClient(bus, 1).ReadHoldingRegistersAsync(0, 1, CancellationToken.None));
        await bus.DisposeAsync();
        await peer;
        Assert.Equal(1, FrameErrors(3, "framing"));
        Assert.Equal(1, Requests(3));
        Assert.Equal(0, Timeouts(3));
    }

    [Fact]
    public async Task Fox_writes_are_recorded_as_volatile_or_persistent_as_the_inverter_counts_them()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        await using var site = SimulatorOnTcp.Start("h1-g2", time, metrics: _recorder.Metrics);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-g2", PersistentWriteBudgetPerDay = 1 }, time);
        await inverter.SetMinSocOnGridAsync(20, CancellationToken.None);
        await inverter.SetMinSocOnGridAsync(20, CancellationToken.None);
        await inverter.SetMinSocOnGridAsync(30, CancellationToken.None);
        await inverter.ApplyAsync(InverterCommand.ForceCharge(3000, 10), CancellationToken.None);

        double Writes(string writeClass) => _recorder.Sum(EdgeEnergyMetrics.InverterWrites.Name, ("class", writeClass));
        Assert.Equal((1, 1, 1), (Writes("persistent"), Writes("persistent-unchanged"), Writes("persistent-refused")));
        Assert.Equal(inverter.Writes.Volatile, Writes("volatile"));
        Assert.True(inverter.Writes.Volatile >= 3, $"{inverter.Writes.Volatile} volatile writes for a force charge");
        Assert.True(Requests(16) + Requests(6) >= 4, "the writes went over the bus as FC06/FC16");
    }
}
