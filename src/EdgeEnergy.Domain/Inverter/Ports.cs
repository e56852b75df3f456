namespace EdgeEnergy.Domain.Inverter;

/// <summary>Reads one telemetry snapshot. Signs as stated on <see cref="InverterTelemetry"/> (battery W + = discharging, grid W + = importing).</summary>
public interface IInverterTelemetrySource
{
    Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Drives the battery. Powers in W are magnitudes (≥ 0); the command kind gives the direction. Force commands are
/// held by the inverter's own watchdog: when the caller stops (process dies), the inverter returns to its work mode
/// by itself within the remote-control timeout.
/// </summary>
public interface IBatteryModeController
{
    Task ApplyAsync(BatteryCommand command, CancellationToken cancellationToken);
}

/// <summary>What the battery should do.</summary>
public enum BatteryCommandKind
{
    /// <summary>Charge at <see cref="BatteryCommand.PowerW"/> (from the grid if need be).</summary>
    ForceCharge,
    /// <summary>Discharge/export at <see cref="BatteryCommand.PowerW"/>.</summary>
    ForceDischarge,
    /// <summary>Neither charge nor discharge from the grid (inverter AC setpoint 0 W).</summary>
    Hold,
    /// <summary>The inverter's own self-use, keeping <see cref="BatteryCommand.ReserveSocPercent"/> as the on-grid floor.</summary>
    SelfUse,
}

/// <summary>A battery command. <paramref name="PowerW"/> in W, ≥ 0; <paramref name="ReserveSocPercent"/> in % (self-use only).</summary>
public sealed record BatteryCommand(BatteryCommandKind Kind, double PowerW = 0, double? ReserveSocPercent = null)
{
    public static BatteryCommand Charge(double powerW) => new(BatteryCommandKind.ForceCharge, powerW);
    public static BatteryCommand Discharge(double powerW) => new(BatteryCommandKind.ForceDischarge, powerW);
    public static BatteryCommand Hold() => new(BatteryCommandKind.Hold);
    public static BatteryCommand SelfUse(double? reserveSocPercent = null) => new(BatteryCommandKind.SelfUse, 0, reserveSocPercent);
}

/// <summary>A switched output such as a Modbus coil on a relay board: true = energised/closed.</summary>
public interface ISwitchedOutput
{
    Task SetAsync(bool energised, CancellationToken cancellationToken);
    Task<bool> GetAsync(CancellationToken cancellationToken);
}
