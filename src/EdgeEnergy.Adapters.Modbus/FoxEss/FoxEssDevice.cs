using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Modbus.FoxEss;

/// <summary>The configured Fox inverter as the service sees it: opens on first use (model read, family detection) on
/// the shared bus of its endpoint, and retries opening on the next call after a failure. With a settings store, the
/// inverter's own settings are read and stored (<see cref="BaselineKey"/>) before EdgeEnergy's first write, so that
/// <see cref="HandBackAsync"/> can give them back.</summary>
public sealed class FoxEssDevice(IOptions<FoxEssOptions> options, ModbusBusRegistry buses, TimeProvider timeProvider, ILoggerFactory loggerFactory, ISettingsStore? settings = null)
    : IInverterTelemetrySource, IBatteryModeController, INativeScheduleWriter, IInverterHandBack, IAsyncDisposable
{
    /// <summary>The settings-store key of the <see cref="InverterBaseline"/> (JSON; empty once handed back).</summary>
    public const string BaselineKey = "inverter.baseline";

    private readonly SemaphoreSlim _open = new(1, 1);
    private readonly SemaphoreSlim _baselineLock = new(1, 1);
    private bool _baselineStored;
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

    public async Task ApplyAsync(InverterCommand command, CancellationToken cancellationToken)
    {
        var inverter = await GetAsync(cancellationToken);
        await StoreBaselineAsync(inverter, cancellationToken);
        await inverter.ApplyAsync(command, cancellationToken);
    }

    /// <summary>Before the first write that can pass the gate: reads the inverter's own settings and stores them, unless a
    /// baseline is stored already (from an earlier run that wrote and did not hand back).</summary>
    private async Task StoreBaselineAsync(FoxEssInverter inverter, CancellationToken cancellationToken)
    {
        if (_baselineStored || settings is null || _lease?.Bus.WriteGate is { IsOpen: false })
        {
            return;
        }

        await _baselineLock.WaitAsync(cancellationToken);
        try
        {
            if (_baselineStored)
            {
                return;
            }

            if (await settings.GetAsync(BaselineKey, cancellationToken) is not { Length: > 0 })
            {
                var t = await inverter.ReadTelemetryAsync(cancellationToken);
                var baseline = new InverterBaseline(timeProvider.GetUtcNow(), t.WorkMode, t.MinSocPercent, t.MinSocOnGridPercent, t.ChargePeriods, t.RemoteControl?.Enabled);
                await settings.SetAsync(BaselineKey, JsonSerializer.Serialize(baseline, FoxEssJsonContext.Default.InverterBaseline), cancellationToken);
            }

            _baselineStored = true;
        }
        finally
        {
            _baselineLock.Release();
        }
    }

    /// <summary>The stored baseline; null when none is stored (nothing written since the last hand-back) or it is unreadable.</summary>
    public async Task<InverterBaseline?> GetBaselineAsync(CancellationToken cancellationToken)
    {
        if (settings is null || await settings.GetAsync(BaselineKey, cancellationToken) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, FoxEssJsonContext.Default.InverterBaseline);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Hands the inverter back to its stored baseline (or self-use), then forgets the baseline: the next first
    /// write reads the settings again. Call with the write gate open for this flow.</summary>
    public async Task<string> HandBackAsync(CancellationToken cancellationToken)
    {
        var inverter = await GetAsync(cancellationToken);
        var baseline = await GetBaselineAsync(cancellationToken);
        var done = await inverter.HandBackAsync(baseline, cancellationToken);
        if (settings is not null)
        {
            await settings.SetAsync(BaselineKey, "", cancellationToken);
        }

        _baselineStored = false;
        return baseline is null ? $"{done} (no settings known from before EdgeEnergy's first write)" : done;
    }

    /// <summary>Charge period 1 = <paramref name="period"/>, period 2 cleared, min SoC on grid; read before write.</summary>
    public async Task<NativeScheduleOutcome> WriteAsync(ChargePeriod period, double minSocOnGridPercent, CancellationToken cancellationToken)
    {
        var inverter = await GetAsync(cancellationToken);
        if (inverter.Family.Field("chargePeriod").Count() != 6)
        {
            return NativeScheduleOutcome.NotSupported;
        }

        await StoreBaselineAsync(inverter, cancellationToken);
        var periods = await inverter.SetChargePeriodsAsync([period, new ChargePeriod(false, TimeOnly.MinValue, TimeOnly.MinValue)], cancellationToken);
        var floor = await inverter.SetMinSocOnGridAsync(minSocOnGridPercent, cancellationToken);
        return periods == PersistentWriteResult.RefusedBudget || floor == PersistentWriteResult.RefusedBudget
            ? NativeScheduleOutcome.BudgetExhausted
            : NativeScheduleOutcome.InForce;
    }

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
        _baselineLock.Dispose();
    }
}

/// <summary>Compile-time JSON metadata for what the Fox adapter keeps in the settings store (camelCase, as stored).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(InverterBaseline))]
internal sealed partial class FoxEssJsonContext : JsonSerializerContext;
