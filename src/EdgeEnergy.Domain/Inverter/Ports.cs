namespace EdgeEnergy.Domain.Inverter;

/// <summary>Reads one telemetry snapshot. Signs as stated on <see cref="InverterTelemetry"/> (battery W + = discharging, grid W + = importing).</summary>
public interface IInverterTelemetrySource
{
    Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Drives the battery with an <see cref="Control.InverterCommand"/> (powers in W, magnitudes ≥ 0; the command kind gives
/// the direction; the reserve in % of capacity). Force commands are held by the inverter's own watchdog: when the
/// caller stops (process dies), the inverter returns to its work mode by itself within the remote-control timeout.
/// </summary>
public interface IBatteryModeController
{
    Task ApplyAsync(Control.InverterCommand command, CancellationToken cancellationToken);
}

/// <summary>What writing the inverter's own fallback schedule did.</summary>
public enum NativeScheduleOutcome
{
    /// <summary>Written (or already held, so nothing needed writing).</summary>
    InForce,
    /// <summary>The family has no native charge periods.</summary>
    NotSupported,
    /// <summary>The daily budget of persistent writes is used up; tried again later.</summary>
    BudgetExhausted,
}

/// <summary>
/// The inverter's own schedule, kept in its persistent settings so it works with no controller at all: one charge
/// period (local inverter time) and the minimum SoC on grid (%). Written only when it differs from what the
/// inverter holds, within the daily budget of persistent writes.
/// </summary>
public interface INativeScheduleWriter
{
    Task<NativeScheduleOutcome> WriteAsync(ChargePeriod period, double minSocOnGridPercent, CancellationToken cancellationToken);
}

/// <summary>A switched output such as a Modbus coil on a relay board: true = energised/closed.</summary>
public interface ISwitchedOutput
{
    Task SetAsync(bool energised, CancellationToken cancellationToken);
    Task<bool> GetAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The inverter's own settings as they were before EdgeEnergy's first write (read at that write and stored), so that
/// leaving active mode can hand the inverter back as the household had it. A member is null where the family has no
/// such register. SoC in %, charge periods in local inverter time.
/// </summary>
public sealed record InverterBaseline(
    DateTimeOffset ReadAtUtc,
    string? WorkMode,
    double? MinSocPercent,
    double? MinSocOnGridPercent,
    IReadOnlyList<ChargePeriod>? ChargePeriods,
    bool? RemoteControlEnabled);

/// <summary>
/// Hands the inverter back when EdgeEnergy stops being in charge (active → shadow): remote control off and the settings of
/// the stored <see cref="InverterBaseline"/> written back, or self-use where no baseline is known. The caller opens the
/// write gate for this flow only (<see cref="Control.WriteGate.HandBack"/>); these are the last writes before it closes.
/// </summary>
public interface IInverterHandBack
{
    /// <summary>Returns what was done, for the audit log and the log (e.g. <c>remote control off; work mode self-use</c>).</summary>
    Task<string> HandBackAsync(CancellationToken cancellationToken);
}
