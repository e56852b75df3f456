using System.Globalization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.HomeAssistant;

/// <summary>
/// The battery through Home Assistant (e.g. the foxess_modbus integration), used by the control loop when its own
/// Modbus link is down. Telemetry: the <c>HomeAssistant:Entities</c> sensors, signed as the domain wants them (battery
/// W + = discharging, grid W + = importing), in W or kW as their <c>unit_of_measurement</c> says; the SoC must be
/// available, the rest may be missing. Commands: the reserve to the min-SoC number, the power (W) to the charge or
/// discharge number, then the work-mode select to the option configured in <c>HomeAssistant:WorkModes</c> — power
/// first, so the new mode never runs at an old power. A self-use discharge cap is not sent (the integration has none).
/// </summary>
public sealed class HomeAssistantBattery(IEntityStateReader states, IEntityServiceCaller services, IOptions<HomeAssistantOptions> options)
    : IInverterTelemetrySource, IBatteryModeController
{
    /// <summary>The family name telemetry from this path carries.</summary>
    public const string Family = "home-assistant";

    private readonly HomeAssistantOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public async Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken)
    {
        var e = _options.Entities;
        var soc = await ReadAsync(e.BatterySoc, cancellationToken)
            ?? throw new HomeAutomationException($"HomeAssistant:Entities:BatterySoc ({e.BatterySoc ?? "not set"}) gives no state of charge");
        if (soc.Value is not { } socPercent || socPercent is < 0 or > 100)
        {
            throw new HomeAutomationException($"{soc.EntityId} is '{soc.RawState}', not a state of charge in 0-100%");
        }

        return new InverterTelemetry
        {
            Family = Family,
            BatterySocPercent = socPercent,
            BatteryPowerW = Watts(await ReadAsync(e.BatteryPower, cancellationToken)),
            GridPowerW = Watts(await ReadAsync(e.GridPower, cancellationToken)),
            LoadPowerW = Watts(await ReadAsync(e.LoadPower, cancellationToken)),
            PvPowerW = Watts(await ReadAsync(e.PvPower, cancellationToken)),
        };
    }

    public async Task ApplyAsync(InverterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var e = _options.Entities;
        var select = e.WorkModeSelect ?? throw new HomeAutomationException("HomeAssistant:Entities:WorkModeSelect is not set, so no command can be sent through Home Assistant");
        if (!string.IsNullOrWhiteSpace(e.MinSocNumber))
        {
            await SetNumberAsync(e.MinSocNumber, Math.Round(command.ReserveSocPercent), cancellationToken);
        }

        var modes = _options.WorkModes;
        string option;
        switch (command.Kind)
        {
            case InverterCommandKind.ForceCharge:
                await SetNumberAsync(Require(e.ChargePowerNumber, nameof(e.ChargePowerNumber), "force charge"), Math.Round(command.PowerW ?? 0), cancellationToken);
                option = modes.ForceCharge;
                break;
            case InverterCommandKind.ForceDischarge:
                await SetNumberAsync(Require(e.DischargePowerNumber, nameof(e.DischargePowerNumber), "force discharge"), Math.Round(command.PowerW ?? 0), cancellationToken);
                option = modes.ForceDischarge;
                break;
            case InverterCommandKind.Hold:
                option = modes.Hold;
                break;
            default:
                option = modes.SelfUse;
                break;
        }

        await services.CallServiceAsync(Domain(select), "select_option", new Dictionary<string, object> { ["entity_id"] = select, ["option"] = option }, cancellationToken);
    }

    private async Task<EntityReading?> ReadAsync(string? entityId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(entityId))
        {
            return null;
        }

        var reading = await states.ReadAsync(entityId, cancellationToken);
        return reading.Available ? reading : null;
    }

    private static double? Watts(EntityReading? reading)
    {
        if (reading?.Value is not { } value)
        {
            return null;
        }

        return reading.Unit switch
        {
            null or "" or "W" => value,
            "kW" => value * 1000,
            _ => throw new HomeAutomationException($"{reading.EntityId} is in '{reading.Unit}', not W or kW"),
        };
    }

    private Task SetNumberAsync(string entityId, double value, CancellationToken cancellationToken) =>
        services.CallServiceAsync(Domain(entityId), "set_value", new Dictionary<string, object> { ["entity_id"] = entityId, ["value"] = value }, cancellationToken);

    private static string Require(string? entityId, string key, string what) =>
        string.IsNullOrWhiteSpace(entityId)
            ? throw new HomeAutomationException($"HomeAssistant:Entities:{key} is not set, so {what} cannot be sent through Home Assistant")
            : entityId;

    // number.x → number, input_number.x → input_number: the service lives in the entity's own domain.
    private static string Domain(string entityId) => entityId[..entityId.IndexOf('.', StringComparison.Ordinal)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Home Assistant battery via {_options.Entities.WorkModeSelect}");
}
