using System.Net;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Simulation;

namespace EdgeEnergy.Adapters.Modbus.Tests.Transport;

/// <summary>
/// The write gate on the bus, against a Modbus TCP server on loopback that records every request frame it receives:
/// in shadow mode no write of any function code (05, 06, 15, 16) reaches the wire, reads still do; in active mode the
/// same writes arrive byte for byte; a hand-back scope lets only its own flow's writes through.
/// </summary>
public sealed class WriteGateTests : IAsyncDisposable
{
    private const byte Unit = 7;

    /// <summary>Coils and holding registers, all zero at start.</summary>
    private sealed class Bank : IModbusRegisterBank
    {
        public ushort[] Registers { get; } = new ushort[100];

        public bool[] Coils { get; } = new bool[100];

        public ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values)
        {
            Registers.AsSpan(address, values.Length).CopyTo(values);
            return null;
        }

        public ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite)
        {
            values.CopyTo(Registers.AsSpan(address));
            return null;
        }

        public ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values)
        {
            Coils.AsSpan(address, values.Length).CopyTo(values);
            return null;
        }

        public ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values)
        {
            values.CopyTo(Coils.AsSpan(address));
            return null;
        }
    }

    private readonly Bank _bank = new();
    private readonly ModbusFrameRecorder _frames = new();
    private readonly ModbusTcpServer _server;

    public WriteGateTests()
    {
        _server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [Unit] = _bank }), new IPEndPoint(IPAddress.Loopback, 0), recorder: _frames);
        _server.Start();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private ModbusBus Bus(WriteGate gate) => ModbusBus.Create(
        ModbusEndpoint.Parse($"tcp://127.0.0.1:{_server.LocalEndpoint.Port}"), new ModbusBusOptions { Retries = 0 }, TimeProvider.System, writeGate: gate);

    /// <summary>Each write function code, with the PDU it must put on the wire when the gate is open.</summary>
    public static TheoryData<byte, string> Writes => new()
    {
        { 0x05, "05000AFF00" },
        { 0x06, "06000B1234" },
        { 0x0F, "0F000C000301" + "05" },
        { 0x10, "10000D0002" + "04" + "00010002" },
    };

    private static Task Write(ModbusClient client, byte function) => function switch
    {
        0x05 => client.WriteSingleCoilAsync(10, true, CancellationToken.None),
        0x06 => client.WriteSingleRegisterAsync(11, 0x1234, CancellationToken.None),
        0x0F => client.WriteMultipleCoilsAsync(12, [true, false, true], CancellationToken.None),
        _ => client.WriteMultipleRegistersAsync(13, [1, 2], CancellationToken.None),
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task In_shadow_mode_a_write_is_refused_before_any_byte_is_sent_and_reads_still_go_out(byte function, string pduWhenOpen)
    {
        var gate = new WriteGate(ControlMode.Shadow);
        await using var bus = Bus(gate);
        var client = new ModbusClient(bus, Unit);

        var refused = await Assert.ThrowsAsync<WriteRefusedException>(() => Write(client, function));
        Assert.StartsWith("shadow mode: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"FC{function:D2}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, gate.Refused);

        // The same bus still reads: the frame that reaches the server is the read, and only the read.
        Assert.Equal([0], await client.ReadHoldingRegistersAsync(11, 1, CancellationToken.None));
        var frame = Assert.Single(_frames.Frames);
        Assert.Equal(0x03, frame.Function);
        Assert.Empty(_frames.Writes);
        Assert.DoesNotContain(true, _bank.Coils);
        Assert.All(_bank.Registers, r => Assert.Equal(0, r));

        // Opened (active), the very same call puts exactly the expected PDU on the wire.
        gate.Set(ControlMode.Active);
        await Write(client, function);
        var written = Assert.Single(_frames.Writes);
        Assert.Equal(pduWhenOpen, Convert.ToHexString(written.Pdu));
        Assert.Equal(Unit, written.Unit);
    }

    [Fact]
    public async Task A_hand_back_scope_lets_its_own_writes_through_and_no_one_else_s()
    {
        var gate = new WriteGate(ControlMode.Shadow);
        await using var bus = Bus(gate);
        var client = new ModbusClient(bus, Unit);
        using var otherMayWrite = new SemaphoreSlim(0);
        using var otherDone = new SemaphoreSlim(0);
        Exception? otherError = null;

        // A flow that did not open the scope (e.g. the control loop) tries to write while the hand-back is running.
        var other = Task.Run(async () =>
        {
            await otherMayWrite.WaitAsync();
            try
            {
                await client.WriteSingleRegisterAsync(20, 99, CancellationToken.None);
            }
            catch (WriteRefusedException e)
            {
                otherError = e;
            }

            otherDone.Release();
        });

        using (gate.HandBack())
        {
            await client.WriteSingleRegisterAsync(21, 7, CancellationToken.None);
            otherMayWrite.Release();
            await otherDone.WaitAsync();
            await client.WriteMultipleRegistersAsync(22, [8, 9], CancellationToken.None);
        }

        await other;
        await Assert.ThrowsAsync<WriteRefusedException>(() => client.WriteSingleRegisterAsync(23, 1, CancellationToken.None));

        Assert.IsType<WriteRefusedException>(otherError);
        Assert.Equal(["06001500" + "07", "1000160002" + "04" + "00080009"], _frames.Writes.Select(f => Convert.ToHexString(f.Pdu)));
        Assert.Equal(0, _bank.Registers[20]);
        Assert.Equal(2, gate.Refused);
    }
}
