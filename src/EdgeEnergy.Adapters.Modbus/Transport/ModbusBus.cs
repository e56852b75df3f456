using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>Timing of one bus. Fox wants ~30 ms between requests and ~1 s of quiet after a TCP connect.</summary>
public sealed record ModbusBusOptions
{
    /// <summary>How long one attempt may wait for its reply.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Extra attempts after the first for timeouts, broken connections and busy replies (never for other exception replies).</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Wait before retry n is RetryBackoff·2^(n−1), capped at 8·RetryBackoff.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Quiet time between the end of one reply and the next request.</summary>
    public TimeSpan InterRequestGap { get; init; } = TimeSpan.FromMilliseconds(30);
    /// <summary>Quiet time after a connection opens before the first request.</summary>
    public TimeSpan SettleAfterConnect { get; init; } = TimeSpan.Zero;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fox's recommended timing for an endpoint: 30 ms gaps; 1 s settle after opening a Modbus TCP connection.</summary>
    public static ModbusBusOptions FoxDefaults(ModbusEndpoint endpoint) => new()
    {
        SettleAfterConnect = endpoint.Kind == ModbusEndpointKind.Tcp ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
    };
}

/// <summary>One physical bus: exactly one request in flight, shared by every unit id on it. Adds the per-request
/// timeout, bounded retries with backoff, reconnects, the gap between requests and the settle time after connecting,
/// all on the injected <see cref="TimeProvider"/>. Every attempt is recorded in the <see cref="EdgeEnergyMetrics"/> it is
/// given: round-trip time and count by function code, timeouts, exception replies by code, broken frames. Every write
/// (function codes 05, 06, 15 and 16) passes the <see cref="WriteGate"/> first, whatever driver sends it: in shadow mode
/// it is refused with <see cref="WriteRefusedException"/> before it is queued, so no write frame reaches the wire.</summary>
public sealed class ModbusBus : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IModbusTransport _transport;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly EdgeEnergyMetrics? _metrics;
    private readonly WriteGate? _writeGate;
    private long _lastReplyTimestamp;
    private bool _hasSent;

    /// <param name="transport">The connection (owned: disposed with the bus).</param>
    /// <param name="options">Timing.</param>
    /// <param name="timeProvider">Clock for timeouts, gaps and backoff.</param>
    /// <param name="logger">Where retries and connects are logged.</param>
    /// <param name="name">The bus in messages (its endpoint).</param>
    /// <param name="metrics">Where requests are recorded; null records nothing (CLI tools).</param>
    /// <param name="writeGate">The gate every write passes (the service's mode); null lets every write through (CLI tools).</param>
    public ModbusBus(IModbusTransport transport, ModbusBusOptions options, TimeProvider timeProvider, ILogger? logger = null, string? name = null, EdgeEnergyMetrics? metrics = null, WriteGate? writeGate = null)
    {
        _writeGate = writeGate;
        _transport = transport;
        Options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        Name = name ?? "modbus";
        _metrics = metrics;
    }

    public ModbusBusOptions Options { get; }
    public string Name { get; }
    public IModbusTransport Transport => _transport;

    /// <summary>Where this bus records its requests (and devices on it their writes); null when nothing is recorded.</summary>
    public EdgeEnergyMetrics? Metrics => _metrics;

    /// <summary>Builds the transport an endpoint needs.</summary>
    public static ModbusBus Create(ModbusEndpoint endpoint, ModbusBusOptions options, TimeProvider timeProvider, ILogger? logger = null, EdgeEnergyMetrics? metrics = null, WriteGate? writeGate = null)
    {
        var log = logger ?? NullLogger.Instance;
        IModbusTransport transport = endpoint.Kind == ModbusEndpointKind.Tcp
            ? new TcpModbusTransport(endpoint.Host, endpoint.Port, log)
            : new RtuModbusTransport(endpoint, timeProvider, log, metrics: metrics);
        return new ModbusBus(transport, options, timeProvider, log, endpoint.ToString(), metrics, writeGate);
    }

    /// <summary>The gate writes pass on this bus; null when every write passes.</summary>
    public WriteGate? WriteGate => _writeGate;

    /// <summary>Sends a request to a unit and returns its checked reply.</summary>
    /// <exception cref="WriteRefusedException">A write in shadow mode: nothing was sent.</exception>
    public async Task<ModbusReply> ExecuteAsync(byte unit, ModbusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsWrite)
        {
            _writeGate?.Check($"{Name} unit {unit}: {request}");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            ModbusException? last = null;
            for (var attempt = 0; attempt <= Options.Retries; attempt++)
            {
                if (attempt > 0)
                {
                    var backoff = Options.RetryBackoff * Math.Min(8, 1 << (attempt - 1));
                    _logger.Retrying(Name, unit, request.ToString(), attempt, backoff.TotalMilliseconds, last!.Message);
                    await Task.Delay(backoff, _timeProvider, cancellationToken);
                }

                try
                {
                    return await AttemptAsync(unit, request, cancellationToken);
                }
                catch (ModbusDeviceException e) when (e.Code is ModbusExceptionCode.ServerDeviceBusy or ModbusExceptionCode.Acknowledge)
                {
                    last = e;
                }
                catch (ModbusDeviceException)
                {
                    throw;
                }
                catch (ModbusException e)
                {
                    last = e;
                    _transport.Disconnect();
                }
            }

            throw last!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ModbusReply> AttemptAsync(byte unit, ModbusRequest request, CancellationToken cancellationToken)
    {
        if (!_transport.IsConnected)
        {
            using (var connectTimeout = new CancellationTokenSource(Options.ConnectTimeout, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, cancellationToken))
            {
                try
                {
                    await _transport.ConnectAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ModbusTimeoutException($"{Name}: connect timed out after {Options.ConnectTimeout.TotalMilliseconds:0} ms");
                }
            }

            _logger.Connected(Name);
            if (Options.SettleAfterConnect > TimeSpan.Zero)
            {
                await Task.Delay(Options.SettleAfterConnect, _timeProvider, cancellationToken);
            }
        }
        else if (_hasSent && Options.InterRequestGap > TimeSpan.Zero)
        {
            var idle = _timeProvider.GetElapsedTime(_lastReplyTimestamp);
            if (idle < Options.InterRequestGap)
            {
                await Task.Delay(Options.InterRequestGap - idle, _timeProvider, cancellationToken);
            }
        }

        var function = (byte)request.Function;
        var sent = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, _timeProvider);
        using var linkedTimeout = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        byte[] pdu;
        try
        {
            pdu = await _transport.ExchangeAsync(unit, request.Pdu, linkedTimeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics?.RecordModbusTimeout(function);
            throw new ModbusTimeoutException($"{Name}: no reply from unit {unit} to {request} within {Options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        catch (ModbusProtocolException)
        {
            _metrics?.RecordModbusReply(function, _timeProvider.GetElapsedTime(sent));
            _metrics?.RecordModbusFrameError(function, "framing");
            throw;
        }
        finally
        {
            _hasSent = true;
            _lastReplyTimestamp = _timeProvider.GetTimestamp();
        }

        var elapsed = _timeProvider.GetElapsedTime(sent);
        var error = request.TryParseReply(unit, pdu, out var reply);
        switch (error)
        {
            case null:
                _metrics?.RecordModbusReply(function, elapsed);
                return reply!;
            case ModbusDeviceException device:
                _metrics?.RecordModbusReply(function, elapsed, (byte)device.Code);
                throw device;
            default:
                _metrics?.RecordModbusReply(function, elapsed);
                _metrics?.RecordModbusFrameError(function, "framing");
                throw error;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await _transport.DisposeAsync();
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }
}

/// <summary>Typed access to one unit on a shared bus.</summary>
public sealed class ModbusClient(ModbusBus bus, byte unit)
{
    public byte Unit => unit;
    public ModbusBus Bus => bus;

    public async Task<ushort[]> ReadHoldingRegistersAsync(ushort address, int count, CancellationToken cancellationToken) =>
        (await bus.ExecuteAsync(unit, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, address, count), cancellationToken)).Registers!;

    public async Task<ushort[]> ReadInputRegistersAsync(ushort address, int count, CancellationToken cancellationToken) =>
        (await bus.ExecuteAsync(unit, ModbusRequest.Read(ModbusFunction.ReadInputRegisters, address, count), cancellationToken)).Registers!;

    public async Task<bool[]> ReadCoilsAsync(ushort address, int count, CancellationToken cancellationToken) =>
        (await bus.ExecuteAsync(unit, ModbusRequest.Read(ModbusFunction.ReadCoils, address, count), cancellationToken)).Bits!;

    public async Task<bool[]> ReadDiscreteInputsAsync(ushort address, int count, CancellationToken cancellationToken) =>
        (await bus.ExecuteAsync(unit, ModbusRequest.Read(ModbusFunction.ReadDiscreteInputs, address, count), cancellationToken)).Bits!;

    public Task WriteSingleCoilAsync(ushort address, bool on, CancellationToken cancellationToken) =>
        bus.ExecuteAsync(unit, ModbusRequest.WriteSingleCoil(address, on), cancellationToken);

    public Task WriteSingleRegisterAsync(ushort address, ushort value, CancellationToken cancellationToken) =>
        bus.ExecuteAsync(unit, ModbusRequest.WriteSingleRegister(address, value), cancellationToken);

    public Task WriteMultipleRegistersAsync(ushort address, ushort[] values, CancellationToken cancellationToken) =>
        bus.ExecuteAsync(unit, ModbusRequest.WriteMultipleRegisters(address, values), cancellationToken);

    public Task WriteMultipleCoilsAsync(ushort address, bool[] values, CancellationToken cancellationToken) =>
        bus.ExecuteAsync(unit, ModbusRequest.WriteMultipleCoils(address, values), cancellationToken);
}

/// <summary>One shared connection per physical bus (evcc's rule): every client of the same endpoint gets the same
/// <see cref="ModbusBus"/>; mixing RTU and TCP framing on one host:port is refused. Reference-counted.</summary>
/// <param name="timeProvider">Clock of every bus.</param>
/// <param name="loggerFactory">Logging of every bus.</param>
/// <param name="metrics">Where every bus records its requests (the host's <see cref="EdgeEnergyMetrics"/>).</param>
/// <param name="writeGate">The gate every write on every bus passes (the service's mode); null: every write passes (CLI tools).</param>
public sealed class ModbusBusRegistry(TimeProvider timeProvider, ILoggerFactory? loggerFactory = null, EdgeEnergyMetrics? metrics = null, WriteGate? writeGate = null)
{
    private readonly Dictionary<string, (ModbusEndpoint Endpoint, ModbusBus Bus, int References)> _buses = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ModbusBusLease Acquire(ModbusEndpoint endpoint, ModbusBusOptions options)
    {
        lock (_lock)
        {
            if (_buses.TryGetValue(endpoint.BusKey, out var entry))
            {
                if (entry.Endpoint.Kind != endpoint.Kind)
                {
                    throw new InvalidOperationException($"{endpoint} and {entry.Endpoint} are the same bus with different framing; use one");
                }

                _buses[endpoint.BusKey] = entry with { References = entry.References + 1 };
                return new ModbusBusLease(this, endpoint.BusKey, entry.Bus);
            }

            var bus = ModbusBus.Create(endpoint, options, timeProvider, loggerFactory?.CreateLogger("EdgeEnergy.Modbus"), metrics, writeGate);
            _buses[endpoint.BusKey] = (endpoint, bus, 1);
            return new ModbusBusLease(this, endpoint.BusKey, bus);
        }
    }

    internal async ValueTask ReleaseAsync(string key)
    {
        ModbusBus? toDispose = null;
        lock (_lock)
        {
            if (_buses.TryGetValue(key, out var entry))
            {
                if (entry.References <= 1)
                {
                    _buses.Remove(key);
                    toDispose = entry.Bus;
                }
                else
                {
                    _buses[key] = entry with { References = entry.References - 1 };
                }
            }
        }

        if (toDispose is not null)
        {
            await toDispose.DisposeAsync();
        }
    }
}

/// <summary>A reference to a shared bus; disposing the last lease closes the connection.</summary>
public sealed class ModbusBusLease(ModbusBusRegistry registry, string key, ModbusBus bus) : IAsyncDisposable
{
    private int _disposed;

    public ModbusBus Bus => bus;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? registry.ReleaseAsync(key) : ValueTask.CompletedTask;
}
