namespace EdgeEnergy.Domain.State;

/// <summary>
/// Where readers (MQTT, REST API, dashboard) get the latest <see cref="ApplianceState"/>. Units and signs as
/// documented on <see cref="ApplianceState"/> (W with battery + = discharging, grid + = importing; kWh; %; pence).
/// </summary>
public interface IApplianceStateSource
{
    /// <summary>The latest snapshot; never null (<see cref="ApplianceState.Empty"/> before the first update).</summary>
    ApplianceState Current { get; }
}
