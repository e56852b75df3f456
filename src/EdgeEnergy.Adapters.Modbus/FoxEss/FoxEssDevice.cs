using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Modbus.FoxEss;

/// <summary>The configured Fox inverter as the service sees it: opens on first use (model read, family detection) on
/// the shared bus of its endpoint, and retries opening on the next call after a failure.</summary>
public sealed class FoxEssDevice(IOptions<FoxEssOptions> options, ModbusBusRegistry buses, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    : IInverterTelemetrySource, IBatteryModeController, IAsyncDisposable
{
    private readonly SemaphoreSlim _open = new(1, 1);
    private ModbusBusLease? _lease;
    private FoxEssInverter? _inverter;

    /// <summary>The inverter once opened (write counters, budget, family); null before.</summary>
    public FoxEssInverter? Inverter => _inverter;

    public async Task<FoxEssInverter> GetAsync(CancellationToken cancellationToken)
    {
        if (_inverter is { } ready)
        {
            return ready;
        }

        await _open.WaitAsync(cancellationToken);
        try
        {
            if (_inverter is null)
            {
                var o = options.Value;
                var endpoint = ModbusEndpoint.Parse(o.Endpoint);
                _lease ??= buses.Acquire(endpoint, o.ToBusOptions(endpoint));
                _inverter = await FoxEssInverter.OpenAsync(
                    new ModbusClient(_lease.Bus, (byte)o.Unit), endpoint.Kind, o, timeProvider, loggerFactory.CreateLogger("EdgeEnergy.FoxEss"), cancellationToken);
            }

            return _inverter;
        }
        finally
        {
            _open.Release();
        }
    }

    public async Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken) =>
        await (await GetAsync(cancellationToken)).ReadTelemetryAsync(cancellationToken);

    public async Task ApplyAsync(BatteryCommand command, CancellationToken cancellationToken) =>
        await (await GetAsync(cancellationToken)).ApplyAsync(command, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_inverter is not null)
        {
            await _inverter.DisposeAsync();
        }

        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }

        _open.Dispose();
    }
}
