using System.Net;
using System.Net.Sockets;

namespace EdgeEnergy.Soak;

/// <summary>What the cable between the appliance and the inverter does.</summary>
internal enum LinkMode
{
    Up,
    /// <summary>Requests are swallowed: no reply ever comes (the appliance's request timeout fires).</summary>
    Timeouts,
    /// <summary>The next write request reaches the inverter, then the connection is reset before its reply (a cable cut
    /// mid-write); every connection after that is refused until the mode changes.</summary>
    CutMidWrite,
    /// <summary>Connections are reset as soon as they open (cable out).</summary>
    Down,
}

/// <summary>
/// A loopback Modbus TCP relay between the appliance and the inverter's server, frame by frame (MBAP header), that can
/// swallow requests, cut the cable in the middle of a write, or refuse the line.
/// </summary>
internal sealed class ModbusLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private readonly Task _accept;
    private volatile LinkMode _mode;
    private int _inFlight;
    private volatile bool _cut;

    public ModbusLink(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Requests forwarded whose reply has not come back yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Writes that reached the inverter and then lost their connection before the reply.</summary>
    public int WritesCut { get; private set; }

    public LinkMode Mode
    {
        get => _mode;
        set
        {
            _cut = false;
            _mode = value;
            if (value == LinkMode.Down)
            {
                ResetAll();
            }
        }
    }

    /// <summary>Resets every open connection (as a dying process's sockets are).</summary>
    public void ResetAll()
    {
        lock (_lock)
        {
            foreach (var c in _open)
            {
                Reset(c);
            }

            _open.Clear();
        }
    }

    private static void Reset(TcpClient c)
    {
        try
        {
            c.Client.LingerState = new LingerOption(true, 0);
            c.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (_mode is LinkMode.Down || (_mode is LinkMode.CutMidWrite && _cut))
            {
                Reset(client);
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Reset(client);
            return;
        }

        client.NoDelay = server.NoDelay = true;
        lock (_lock)
        {
            _open.Add(client);
            _open.Add(server);
        }

        var fromClient = client.GetStream();
        var toServer = server.GetStream();
        var header = new byte[7];
        var reply = new byte[300];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await fromClient.ReadExactlyAsync(header, _stop.Token);
                var length = (header[4] << 8) | header[5];
                var pdu = new byte[Math.Max(0, length - 1)];
                await fromClient.ReadExactlyAsync(pdu, _stop.Token);
                var mode = _mode;
                if (mode == LinkMode.Timeouts)
                {
                    continue; // swallowed: the appliance times out, reconnects and tries again
                }

                if (mode == LinkMode.Down || (mode == LinkMode.CutMidWrite && _cut))
                {
                    break;
                }

                var isWrite = pdu.Length > 0 && pdu[0] is 0x05 or 0x06 or 0x0F or 0x10;
                Interlocked.Increment(ref _inFlight);
                try
                {
                    await toServer.WriteAsync(header, _stop.Token);
                    await toServer.WriteAsync(pdu, _stop.Token);
                    await toServer.ReadExactlyAsync(reply.AsMemory(0, 7), _stop.Token);
                    var replyLength = (reply[4] << 8) | reply[5];
                    await toServer.ReadExactlyAsync(reply.AsMemory(7, replyLength - 1), _stop.Token);
                    if (isWrite && mode == LinkMode.CutMidWrite && !_cut)
                    {
                        _cut = true;
                        WritesCut++;
                        break; // the inverter took the write; its acknowledgement never arrives
                    }

                    await fromClient.WriteAsync(reply.AsMemory(0, 6 + replyLength), _stop.Token);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            Reset(client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ResetAll();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
