using System.Buffers.Binary;
using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Adapters.Modbus.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Simulation;

/// <summary>What a server unit holds. Each call returns null on success or the exception code to reply with.</summary>
public interface IModbusRegisterBank
{
    ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values);
    ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite);
    ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values);
    ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values);
}

/// <summary>Decodes any request PDU and answers it from the unit's bank: reply PDU, exception PDU, or null (no such unit).</summary>
public sealed class ModbusServerCore(IReadOnlyDictionary<byte, IModbusRegisterBank> units)
{
    private readonly Lock _lock = new();

    public bool HasUnit(byte unit) => units.ContainsKey(unit);

    public byte[]? Handle(byte unit, ReadOnlySpan<byte> pdu)
    {
        if (!units.TryGetValue(unit, out var bank))
        {
            return null;
        }

        if (pdu.Length == 0)
        {
            return Exception(0, ModbusExceptionCode.IllegalFunction);
        }

        var function = pdu[0];
        lock (_lock)
        {
            return function switch
            {
                0x03 or 0x04 => ReadRegisters(bank, (ModbusFunction)function, pdu),
                0x01 or 0x02 => ReadBits(bank, (ModbusFunction)function, pdu),
                0x05 => WriteSingleCoil(bank, pdu),
                0x06 => WriteSingleRegister(bank, pdu),
                0x0F => WriteMultipleCoils(bank, pdu),
                0x10 => WriteMultipleRegisters(bank, pdu),
                _ => Exception(function, ModbusExceptionCode.IllegalFunction),
            };
        }
    }

    private static byte[] Exception(byte function, ModbusExceptionCode code) => [(byte)(function | 0x80), (byte)code];

    private static byte[] ReadRegisters(IModbusRegisterBank bank, ModbusFunction function, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length != 5)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (count is < 1 or > ModbusRequest.MaxReadRegisters)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataValue);
        }

        if (address + count > 65536)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataAddress);
        }

        var values = new ushort[count];
        if (bank.ReadRegisters(function, address, values) is { } error)
        {
            return Exception((byte)function, error);
        }

        var reply = new byte[2 + (2 * count)];
        reply[0] = (byte)function;
        reply[1] = (byte)(2 * count);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2 + (2 * i)), values[i]);
        }

        return reply;
    }

    private static byte[] ReadBits(IModbusRegisterBank bank, ModbusFunction function, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length != 5)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (count is < 1 or > ModbusRequest.MaxReadBits)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataValue);
        }

        if (address + count > 65536)
        {
            return Exception((byte)function, ModbusExceptionCode.IllegalDataAddress);
        }

        var values = new bool[count];
        if (bank.ReadBits(function, address, values) is { } error)
        {
            return Exception((byte)function, error);
        }

        var reply = new byte[2 + ((count + 7) / 8)];
        reply[0] = (byte)function;
        reply[1] = (byte)((count + 7) / 8);
        for (var i = 0; i < count; i++)
        {
            if (values[i])
            {
                reply[2 + (i / 8)] |= (byte)(1 << (i % 8));
            }
        }

        return reply;
    }

    private static byte[] WriteSingleCoil(IModbusRegisterBank bank, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length != 5)
        {
            return Exception(0x05, ModbusExceptionCode.IllegalDataValue);
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (value is not (0xFF00 or 0x0000))
        {
            return Exception(0x05, ModbusExceptionCode.IllegalDataValue);
        }

        var error = bank.WriteBits(BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]), [value == 0xFF00]);
        return error is { } e ? Exception(0x05, e) : pdu.ToArray();
    }

    private static byte[] WriteSingleRegister(IModbusRegisterBank bank, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length != 5)
        {
            return Exception(0x06, ModbusExceptionCode.IllegalDataValue);
        }

        var error = bank.WriteRegisters(BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]), [BinaryPrimitives.ReadUInt16BigEndian(pdu[3..])], singleWrite: true);
        return error is { } e ? Exception(0x06, e) : pdu.ToArray();
    }

    private static byte[] WriteMultipleCoils(IModbusRegisterBank bank, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 6)
        {
            return Exception(0x0F, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (count is < 1 or > ModbusRequest.MaxWriteBits || pdu[5] != (count + 7) / 8 || pdu.Length != 6 + pdu[5])
        {
            return Exception(0x0F, ModbusExceptionCode.IllegalDataValue);
        }

        if (address + count > 65536)
        {
            return Exception(0x0F, ModbusExceptionCode.IllegalDataAddress);
        }

        var bits = new bool[count];
        for (var i = 0; i < count; i++)
        {
            bits[i] = (pdu[6 + (i / 8)] & (1 << (i % 8))) != 0;
        }

        var error = bank.WriteBits(address, bits);
        return error is { } e ? Exception(0x0F, e) : pdu[..5].ToArray();
    }

    private static byte[] WriteMultipleRegisters(IModbusRegisterBank bank, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 6)
        {
            return Exception(0x10, ModbusExceptionCode.IllegalDataValue);
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (count is < 1 or > ModbusRequest.MaxWriteRegisters || pdu[5] != 2 * count || pdu.Length != 6 + pdu[5])
        {
            return Exception(0x10, ModbusExceptionCode.IllegalDataValue);
        }

        if (address + count > 65536)
        {
            return Exception(0x10, ModbusExceptionCode.IllegalDataAddress);
        }

        var values = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(6 + (2 * i))..]);
        }

        var error = bank.WriteRegisters(address, values, singleWrite: false);
        return error is { } e ? Exception(0x10, e) : pdu[..5].ToArray();
    }
}

/// <summary>One request as it arrived on the wire: when, for which unit, and its PDU (function code first).</summary>
public sealed record ModbusFrame(DateTimeOffset ReceivedUtc, byte Unit, byte[] Pdu)
{
    /// <summary>The function code.</summary>
    public byte Function => Pdu.Length > 0 ? Pdu[0] : (byte)0;

    /// <summary>A write of any kind: 05, 06, 15 or 16.</summary>
    public bool IsWrite => Function is 0x05 or 0x06 or 0x0F or 0x10;

    public override string ToString() => $"unit {Unit} FC{Function:D2} {Convert.ToHexString(Pdu)}";
}

/// <summary>Every request frame a server received, in arrival order (thread-safe): what a client actually sent.</summary>
/// <param name="timeProvider">Stamps each frame (default: the system clock).</param>
public sealed class ModbusFrameRecorder(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly List<ModbusFrame> _frames = [];

    public IReadOnlyList<ModbusFrame> Frames
    {
        get
        {
            lock (_lock)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>The frames of function codes 05, 06, 15 and 16.</summary>
    public IReadOnlyList<ModbusFrame> Writes => [.. Frames.Where(f => f.IsWrite)];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _frames.Count;
            }
        }
    }

    /// <summary>Records a request to <paramref name="unit"/> (the PDU is copied).</summary>
    public void Record(byte unit, ReadOnlySpan<byte> pdu)
    {
        var frame = new ModbusFrame(_time.GetUtcNow(), unit, pdu.ToArray());
        lock (_lock)
        {
            _frames.Add(frame);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _frames.Clear();
        }
    }
}

/// <summary>A Modbus TCP server: many clients at once, each answered in order. A malformed header drops that client;
/// a client vanishing mid-request never disturbs the others. A unit we do not serve gets exception 0x0B. With a
/// <see cref="ModbusFrameRecorder"/>, every request frame is recorded before it is answered.</summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly ModbusServerCore _core;
    private readonly ModbusFrameRecorder? _recorder;
    private readonly TcpListener _listener;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    public ModbusTcpServer(ModbusServerCore core, IPEndPoint endpoint, ILogger? logger = null, ModbusFrameRecorder? recorder = null)
    {
        _core = core;
        _recorder = recorder;
        _listener = new TcpListener(endpoint);
        _logger = logger ?? NullLogger.Instance;
    }

    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var name = client.Client.RemoteEndPoint?.ToString() ?? "?";
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var header = new byte[MbapCodec.HeaderLength];
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(header, cancellationToken);
                    var length = MbapCodec.DecodeHeader(header, out var transactionId, out var unit);
                    var pdu = new byte[length];
                    await stream.ReadExactlyAsync(pdu, cancellationToken);
                    _recorder?.Record(unit, pdu);
                    var reply = _core.Handle(unit, pdu) ?? [(byte)((pdu.Length > 0 ? pdu[0] : 0) | 0x80), (byte)ModbusExceptionCode.GatewayTargetFailedToRespond];
                    await stream.WriteAsync(MbapCodec.Encode(transactionId, unit, reply), cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or ModbusProtocolException or OperationCanceledException or ObjectDisposedException)
            {
                _logger.ClientDropped(name, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _listener.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A Modbus RTU server on a stream (a serial port, or the server end of a socat pty pair). Frames are found
/// by length and CRC; anything else is skipped a byte at a time. A unit we do not serve gets silence, as on RS485.</summary>
public sealed class ModbusRtuServer : IAsyncDisposable
{
    private readonly ModbusServerCore _core;
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ModbusRtuServer(ModbusServerCore core, Stream stream, IDisposable? owner = null)
    {
        _core = core;
        _stream = stream;
        _owner = owner;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Opens a serial device (e.g. a pty from socat) as an RTU server.</summary>
    public static ModbusRtuServer OpenSerial(ModbusServerCore core, ModbusEndpoint endpoint)
    {
        var port = new SerialPort(endpoint.DevicePath, endpoint.BaudRate, endpoint.Parity, endpoint.DataBits, endpoint.StopBits) { Handshake = Handshake.None };
        port.Open();
        return new ModbusRtuServer(core, port.BaseStream, port);
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        var filled = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var start = 0;
                while (start < filled)
                {
                    var window = buffer.AsSpan(start, filled - start);
                    var status = RtuCodec.TryDecodeRequest(window, out var length);
                    if (status == RtuDecodeStatus.NeedMore)
                    {
                        break;
                    }

                    if (status == RtuDecodeStatus.Garbage)
                    {
                        start++;
                        continue;
                    }

                    var unit = window[0];
                    var reply = unit == 0 ? null : _core.Handle(unit, window.Slice(1, length - 3));
                    start += length;
                    if (reply is not null)
                    {
                        await _stream.WriteAsync(RtuCodec.Encode(unit, reply), cancellationToken);
                        await _stream.FlushAsync(cancellationToken);
                    }
                }

                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                if (filled == buffer.Length)
                {
                    filled = 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // port closed or server stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _owner?.Dispose();
        await _stream.DisposeAsync();
        await _loop;
        _stop.Dispose();
    }
}
