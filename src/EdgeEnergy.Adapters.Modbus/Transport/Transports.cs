using System.IO.Ports;
using System.Net.Sockets;
using EdgeEnergy.Domain.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>One physical connection that carries request PDUs to a unit and returns the matching reply PDU. Not
/// thread-safe: <see cref="ModbusBus"/> keeps exactly one exchange in flight.</summary>
public interface IModbusTransport : IAsyncDisposable
{
    bool IsConnected { get; }

    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends one request and returns the reply PDU (function code first) from <paramref name="unit"/>. Replies
    /// that do not belong to this request are discarded. Cancelling the token (the request timeout) throws
    /// <see cref="OperationCanceledException"/>; the caller then disconnects.</summary>
    Task<byte[]> ExchangeAsync(byte unit, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken);

    void Disconnect();

    /// <summary>Stale or foreign replies dropped so far.</summary>
    long DiscardedFrames { get; }
}

/// <summary>Modbus TCP: MBAP frames; replies are matched on transaction id and unit, anything else is dropped.</summary>
public sealed class TcpModbusTransport(string host, int port, ILogger logger) : IModbusTransport
{
    private Socket? _socket;
    private NetworkStream? _stream;
    private ushort _transactionId;
    private readonly byte[] _header = new byte[MbapCodec.HeaderLength];
    private long _discarded;

    public bool IsConnected => _stream is not null;

    public long DiscardedFrames => Interlocked.Read(ref _discarded);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        Disconnect();
        _socket = await Sockets.ConnectAsync(host, port, $"tcp://{host}:{port}", cancellationToken);
        _stream = new NetworkStream(_socket, ownsSocket: true);
    }

    public async Task<byte[]> ExchangeAsync(byte unit, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new ModbusTransportException($"tcp://{host}:{port} is not connected");
        var id = ++_transactionId;
        try
        {
            await stream.WriteAsync(MbapCodec.Encode(id, unit, requestPdu.Span), cancellationToken);
            while (true)
            {
                await stream.ReadExactlyAsync(_header, cancellationToken);
                var length = MbapCodec.DecodeHeader(_header, out var replyId, out var replyUnit);
                var pdu = new byte[length];
                await stream.ReadExactlyAsync(pdu, cancellationToken);
                if (replyId == id && replyUnit == unit)
                {
                    return pdu;
                }

                Interlocked.Increment(ref _discarded);
                logger.DiscardedFrame($"tcp://{host}:{port}", $"transaction {replyId} unit {replyUnit}, waiting for transaction {id} unit {unit}");
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Cancelled while the socket failed (a stop on a link that had just died): the contract says cancelling
            // throws OperationCanceledException, whatever the socket said.
            throw cancellationToken.IsCancellationRequested
                ? new OperationCanceledException($"tcp://{host}:{port}: cancelled ({e.Message})", e, cancellationToken)
                : new ModbusTransportException($"tcp://{host}:{port}: connection lost: {e.Message}", e);
        }
    }

    public void Disconnect()
    {
        _stream?.Dispose();
        _stream = null;
        _socket = null;
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Modbus RTU over a byte stream: a serial line, or a socket to an RS485-to-Ethernet adapter (RTU over TCP).
/// Frames are delimited by their function-code length and CRC; the 3.5-character silence is kept before each send.</summary>
/// <param name="endpoint">The RTU endpoint (serial line or RTU over TCP).</param>
/// <param name="timeProvider">Clock for the 3.5-character silence.</param>
/// <param name="logger">Where discarded frames are logged.</param>
/// <param name="openStream">Optional: opens the byte stream instead of the serial port or socket (a test or emulated line).</param>
/// <param name="metrics">Where a reply that arrives broken (bad CRC, impossible frame) is recorded, once per request.</param>
public sealed class RtuModbusTransport(ModbusEndpoint endpoint, TimeProvider timeProvider, ILogger logger, Func<Stream>? openStream = null, EdgeEnergyMetrics? metrics = null) : IModbusTransport
{
    private Stream? _stream;
    private Socket? _socket;
    private SerialPort? _serial;
    private readonly byte[] _buffer = new byte[1024];
    private long _lastActivity;
    private long _discarded;

    public bool IsConnected => _stream is not null;

    public long DiscardedFrames => Interlocked.Read(ref _discarded);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        Disconnect();
        if (openStream is not null)
        {
            _stream = openStream();
        }
        else if (endpoint.Kind == ModbusEndpointKind.RtuOverTcp)
        {
            _socket = await Sockets.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.ToString(), cancellationToken);
            _stream = new NetworkStream(_socket, ownsSocket: true);
        }
        else
        {
            var port = new SerialPort(endpoint.DevicePath, endpoint.BaudRate, endpoint.Parity, endpoint.DataBits, endpoint.StopBits)
            {
                Handshake = Handshake.None,
                ReadTimeout = SerialPort.InfiniteTimeout,
                WriteTimeout = SerialPort.InfiniteTimeout,
            };
            try
            {
                port.Open();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                port.Dispose();
                throw new ModbusTransportException($"cannot open {endpoint}: {e.Message}", e);
            }

            _serial = port;
            _stream = port.BaseStream;
        }

        _lastActivity = timeProvider.GetTimestamp();
    }

    private void DiscardInput()
    {
        if (_serial is not null)
        {
            _serial.DiscardInBuffer();
        }
        else if (_socket is { Available: > 0 } socket)
        {
            var scratch = new byte[socket.Available];
            socket.Receive(scratch);
            Interlocked.Increment(ref _discarded);
            logger.DiscardedFrame(endpoint.ToString(), $"{scratch.Length} stale bytes before a request");
        }
    }

    public async Task<byte[]> ExchangeAsync(byte unit, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new ModbusTransportException($"{endpoint} is not connected");
        var function = requestPdu.Span[0];
        // A cancelled read on a serial port may not return by itself; closing the port makes it.
        await using var unblock = cancellationToken.Register(static s => ((Stream)s!).Dispose(), stream);
        try
        {
            DiscardInput();
            if (endpoint.Kind == ModbusEndpointKind.RtuSerial)
            {
                await PreciseDelay.UntilAsync(PreciseDelay.After(timeProvider, _lastActivity, endpoint.SilentInterval), timeProvider, cancellationToken);
            }

            await stream.WriteAsync(RtuCodec.Encode(unit, requestPdu.Span), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            var filled = 0;
            var brokenReplyCounted = false;
            while (true)
            {
                var start = 0;
                while (start < filled)
                {
                    var window = _buffer.AsSpan(start, filled - start);
                    var status = RtuCodec.TryDecodeResponse(window, out var length);
                    if (status == RtuDecodeStatus.NeedMore)
                    {
                        break;
                    }

                    if (status == RtuDecodeStatus.Garbage)
                    {
                        // Where the reply should begin: count it once, as a CRC error when it was whole but its CRC
                        // failed, else as framing; the resync that follows skips a byte at a time.
                        if (!brokenReplyCounted && start == 0)
                        {
                            brokenReplyCounted = true;
                            metrics?.RecordModbusFrameError(function, RtuCodec.FailsCrc(window) ? "crc" : "framing");
                        }

                        start++;
                        continue;
                    }

                    if (window[0] == unit && (window[1] & 0x7F) == function)
                    {
                        _lastActivity = timeProvider.GetTimestamp();
                        return window.Slice(1, length - 3).ToArray();
                    }

                    Interlocked.Increment(ref _discarded);
                    logger.DiscardedFrame(endpoint.ToString(), $"unit {window[0]} function {window[1]}, waiting for unit {unit} function {function}");
                    start += length;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(_buffer, start, _buffer, 0, filled - start);
                    filled -= start;
                }

                if (filled == _buffer.Length)
                {
                    filled = 0;
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    throw new ModbusTransportException($"{endpoint}: the peer closed the connection");
                }

                filled += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ModbusTransportException($"{endpoint}: connection lost: {e.Message}", e);
        }
    }

    public void Disconnect()
    {
        try
        {
            _stream?.Dispose();
            _serial?.Dispose();
        }
        catch (IOException)
        {
            // closing a port whose device vanished: nothing left to release
        }

        _stream = null;
        _serial = null;
        _socket = null;
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        return ValueTask.CompletedTask;
    }
}

internal static class Sockets
{
    /// <summary>A connected TCP socket with Nagle off (small Modbus frames must not wait); failures become <see cref="ModbusTransportException"/>.</summary>
    public static async Task<Socket> ConnectAsync(string host, int port, string name, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ModbusTransportException($"cannot connect to {name}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
