using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

/// <summary>The bus against scripted servers on real loopback sockets.</summary>
public class BusTests
{
    /// <summary>A TCP server whose replies a test scripts: gets each MBAP request, returns the bytes to send back.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<int, byte[], byte[]?> _script;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public ScriptedServer(Func<int, byte[], byte[]?> script, bool closeAfterEachReply = false)
        {
            _script = script;
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Socket socket;
                    try
                    {
                        socket = await _listener.AcceptSocketAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref Connections);
                    _ = Task.Run(async () =>
                    {
                        using var s = socket;
                        var stream = new NetworkStream(s);
                        var header = new byte[7];
                        try
                        {
                            while (true)
                            {
                                await stream.ReadExactlyAsync(header, _stop.Token);
                                var body = new byte[((header[4] << 8) | header[5]) - 1];
                                await stream.ReadExactlyAsync(body, _stop.Token);
                                var reply = _script(Interlocked.Increment(ref _requests), [.. header, .. body]);
                                if (reply is not null)
                                {
                                    await stream.WriteAsync(reply, _stop.Token);
                                }

                                if (closeAfterEachReply)
                                {
                                    return;
                                }
                            }
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException)
                        {
                        }
                    });
                }
            });
        }

        public int Connections;
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _listener.Dispose();
        }
    }

    private static byte[] Reply(byte[] request, ushort transactionId, byte unit, params ushort[] registers)
    {
        var pdu = new byte[2 + (2 * registers.Length)];
        pdu[0] = request[7];
        pdu[1] = (byte)(2 * registers.Length);
        for (var i = 0; i < registers.Length; i++)
        {
            pdu[2 + (2 * i)] = (byte)(registers[i] >> 8);
            pdu[3 + (2 * i)] = (byte)registers[i];
        }

        return MbapCodec.Encode(transactionId, unit, pdu);
    }

    private static ushort Tid(byte[] request) => (ushort)((request[0] << 8) | request[1]);

    private static ModbusBus Bus(int port, ModbusBusOptions options, TimeProvider? time = null) =>
        new(new TcpModbusTransport("127.0.0.1", port, NullLogger.Instance), options, time ?? TimeProvider.System);

    [Fact]
    public async Task Stale_transaction_ids_and_foreign_units_are_discarded()
    {
        await using var server = new ScriptedServer((_, req) =>
        [
            .. Reply(req, (ushort)(Tid(req) - 1), req[6], 111),   // a late reply to an earlier request
            .. Reply(req, Tid(req), (byte)(req[6] + 1), 222),     // right transaction, another unit
            .. Reply(req, Tid(req), req[6], 333),                 // ours
        ]);
        await using var bus = Bus(server.Port, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero });
        var values = await new ModbusClient(bus, 9).ReadHoldingRegistersAsync(100, 1, CancellationToken.None);
        Assert.Equal(new ushort[] { 333 }, values);
        Assert.Equal(2, bus.Transport.DiscardedFrames);
    }

    [Fact]
    public async Task Exactly_one_request_is_in_flight_across_units_on_one_bus()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        await using var server = new ScriptedServer((_, req) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref inFlight);
            return Reply(req, Tid(req), req[6], req[6]); // each unit answers its own id
        });
        await using var bus = Bus(server.Port, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero });
        var unit1 = new ModbusClient(bus, 1);
        var unit2 = new ModbusClient(bus, 2);
        var reads = Enumerable.Range(0, 40).Select(async i =>
        {
            var client = i % 2 == 0 ? unit1 : unit2;
            var value = await client.ReadInputRegistersAsync(0, 1, CancellationToken.None);
            Assert.Equal(client.Unit, value[0]);
        });
        await Task.WhenAll(reads);
        Assert.Equal(1, maxInFlight);
        Assert.Equal(1, server.Connections);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task The_gap_between_requests_is_kept()
    {
        var arrivals = new List<DateTime>();
        await using var server = new ScriptedServer((_, req) =>
        {
            lock (arrivals)
            {
                arrivals.Add(DateTime.UtcNow);
            }

            return Reply(req, Tid(req), req[6], 1);
        });
        await using var bus = Bus(server.Port, new ModbusBusOptions { InterRequestGap = TimeSpan.FromMilliseconds(40) });
        var client = new ModbusClient(bus, 1);
        for (var i = 0; i < 3; i++)
        {
            await client.ReadHoldingRegistersAsync(0, 1, CancellationToken.None);
        }

        // Without the gap, requests arrive well under a millisecond apart. The bound leaves room for OS timer
        // granularity (timers may fire a few ms early against the wall clock on a loaded machine), not for a missing gap.
        Assert.All(arrivals.Zip(arrivals.Skip(1)), p => Assert.True((p.Second - p.First).TotalMilliseconds >= 30, $"gap {(p.Second - p.First).TotalMilliseconds} ms"));
    }

    [Fact]
    public async Task A_silent_device_times_out_after_bounded_retries_with_backoff_and_reconnects_each_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var server = new ScriptedServer((_, _) => null);
        var options = new ModbusBusOptions { RequestTimeout = TimeSpan.FromSeconds(1), Retries = 2, RetryBackoff = TimeSpan.FromMilliseconds(200), InterRequestGap = TimeSpan.Zero };
        await using var bus = Bus(server.Port, options, time);
        var start = time.GetUtcNow();
        var read = new ModbusClient(bus, 1).ReadHoldingRegistersAsync(0, 1, CancellationToken.None);
        var guard = DateTime.UtcNow.AddSeconds(20);
        while (!read.IsCompleted && DateTime.UtcNow < guard)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(2);
        }

        var e = await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
        Assert.Contains("within 1000 ms", e.Message);
        Assert.Equal(3, server.Connections);                  // first attempt + 2 retries, each on a fresh connection
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromMilliseconds(3000 + 200 + 400)); // 3 timeouts + backoff 200, 400
    }

    [Fact]
    public async Task Exception_replies_are_not_retried()
    {
        var requests = 0;
        await using var server = new ScriptedServer((_, req) =>
        {
            Interlocked.Increment(ref requests);
            return MbapCodec.Encode(Tid(req), req[6], [(byte)(req[7] | 0x80), 0x02]);
        });
        await using var bus = Bus(server.Port, new ModbusBusOptions { Retries = 3, InterRequestGap = TimeSpan.Zero });
        var e = await Assert.ThrowsAsync<ModbusDeviceException>(() => new ModbusClient(bus, 5).ReadInputRegistersAsync(11096, 2, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task A_dropped_connection_is_reopened_on_the_next_attempt()
    {
        await using var server = new ScriptedServer((_, req) => Reply(req, Tid(req), req[6], 42), closeAfterEachReply: true);
        await using var bus = Bus(server.Port, new ModbusBusOptions { Retries = 1, InterRequestGap = TimeSpan.Zero, RetryBackoff = TimeSpan.FromMilliseconds(1) });
        var client = new ModbusClient(bus, 1);
        Assert.Equal(42, (await client.ReadHoldingRegistersAsync(0, 1, CancellationToken.None))[0]);
        Assert.Equal(42, (await client.ReadHoldingRegistersAsync(0, 1, CancellationToken.None))[0]);
        Assert.True(server.Connections >= 2);
    }

    [Fact]
    public async Task Settle_time_is_waited_after_connecting()
    {
        await using var server = new ScriptedServer((_, req) => Reply(req, Tid(req), req[6], 7));
        await using var bus = Bus(server.Port, new ModbusBusOptions { SettleAfterConnect = TimeSpan.FromMilliseconds(300) });
        var started = DateTime.UtcNow;
        await new ModbusClient(bus, 1).ReadHoldingRegistersAsync(0, 1, CancellationToken.None);
        Assert.True((DateTime.UtcNow - started).TotalMilliseconds >= 290);
    }

    [Fact]
    public async Task Rtu_over_tcp_resynchronises_after_line_noise_and_foreign_frames()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverTask = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var request = new byte[8];
            await socket.ReceiveAsync(request);
            byte[] noise = [0x00, 0xFF, 0x13];
            var foreign = RtuCodec.Encode(3, [0x03, 0x02, 0x00, 0x09]);
            var ours = RtuCodec.Encode(request[0], [0x03, 0x04, 0x01, 0x02, 0x03, 0x04]);
            await socket.SendAsync((byte[])[.. noise, .. foreign, .. ours]);
            await Task.Delay(200);
        });
        var endpoint = ModbusEndpoint.Parse($"rtu-over-tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        await using var bus = ModbusBus.Create(endpoint, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero }, TimeProvider.System);
        var values = await new ModbusClient(bus, 247).ReadHoldingRegistersAsync(31000, 2, CancellationToken.None);
        Assert.Equal(new ushort[] { 0x0102, 0x0304 }, values);
        Assert.Equal(1, bus.Transport.DiscardedFrames);
        await serverTask;
    }

    [Fact]
    public async Task All_function_codes_round_trip_through_our_rtu_server_on_an_emulated_line()
    {
        var bank = new MemoryBank();
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [17] = bank });
        var line = new EmulatedSerialLine(115200, 10, TimeProvider.System);
        await using var server = new ModbusRtuServer(core, line.B);
        var endpoint = ModbusEndpoint.Parse("rtu:///emulated?baud=115200");
        await using var bus = new ModbusBus(new RtuModbusTransport(endpoint, TimeProvider.System, NullLogger.Instance, () => line.A), new ModbusBusOptions { InterRequestGap = TimeSpan.Zero }, TimeProvider.System);
        var client = new ModbusClient(bus, 17);
        await client.WriteSingleRegisterAsync(10, 0xBEEF, CancellationToken.None);
        await client.WriteMultipleRegistersAsync(11, [1, 2, 3], CancellationToken.None);
        Assert.Equal(new ushort[] { 0xBEEF, 1, 2, 3 }, await client.ReadHoldingRegistersAsync(10, 4, CancellationToken.None));
        Assert.Equal(new ushort[] { 0xBEEF, 1 }, await client.ReadInputRegistersAsync(10, 2, CancellationToken.None));
        await client.WriteSingleCoilAsync(3, true, CancellationToken.None);
        await client.WriteMultipleCoilsAsync(5, [true, false, true], CancellationToken.None);
        Assert.Equal(new[] { false, false, false, true, false, true, false, true }, await client.ReadCoilsAsync(0, 8, CancellationToken.None));
        var e = await Assert.ThrowsAsync<ModbusDeviceException>(() => client.ReadHoldingRegistersAsync(MemoryBank.Size, 1, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.Code);
    }
}

/// <summary>A plain in-memory bank: registers and coils 0..999; input registers mirror the holding registers.</summary>
internal sealed class MemoryBank : IModbusRegisterBank
{
    public const int Size = 1000;
    public ushort[] Registers { get; } = new ushort[Size];
    public bool[] Coils { get; } = new bool[Size];

    public ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values)
    {
        if (address + values.Length > Size)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        Registers.AsSpan(address, values.Length).CopyTo(values);
        return null;
    }

    public ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite)
    {
        if (address + values.Length > Size)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        values.CopyTo(Registers.AsSpan(address));
        return null;
    }

    public ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values)
    {
        if (address + values.Length > Size)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        Coils.AsSpan(address, values.Length).CopyTo(values);
        return null;
    }

    public ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values)
    {
        if (address + values.Length > Size)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        values.CopyTo(Coils.AsSpan(address));
        return null;
    }
}
