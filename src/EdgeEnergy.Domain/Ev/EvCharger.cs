namespace EdgeEnergy.Domain.Ev;

/// <summary>evcc's charge modes (its wire names: <c>off</c>, <c>now</c>, <c>minpv</c>, <c>pv</c>).</summary>
public enum EvChargeMode
{
    /// <summary>Not charging.</summary>
    Off,

    /// <summary>Charging at the loadpoint's maximum current, whatever the price or the sun.</summary>
    Now,

    /// <summary>Minimum current at least, more from solar surplus.</summary>
    MinPv,

    /// <summary>Solar surplus only (and evcc's own deadline plan, if one is set).</summary>
    Pv,
}

/// <summary>The wire names of <see cref="EvChargeMode"/>.</summary>
public static class EvChargeModes
{
    public static string ToWire(this EvChargeMode mode) => mode switch
    {
        EvChargeMode.Off => "off",
        EvChargeMode.Now => "now",
        EvChargeMode.MinPv => "minpv",
        _ => "pv",
    };

    public static bool TryParse(string? text, out EvChargeMode mode)
    {
        (var ok, mode) = text switch
        {
            "off" => (true, EvChargeMode.Off),
            "now" => (true, EvChargeMode.Now),
            "minpv" => (true, EvChargeMode.MinPv),
            "pv" => (true, EvChargeMode.Pv),
            _ => (false, EvChargeMode.Pv),
        };
        return ok;
    }
}

/// <summary>
/// What the car charger draws now, in W (≥ 0), as the charger controller last measured it: a part of the house load
/// the inverter meters. Null when there is no charger or no reading recent enough to stand for this minute.
/// </summary>
public interface ICarChargingMeter
{
    double? ChargingPowerW(DateTimeOffset now);
}

/// <summary>A deadline plan in the charger controller: the car at <see cref="SocPercent"/> by <see cref="TimeUtc"/>.</summary>
public sealed record EvDeadline(string Vehicle, int SocPercent, DateTimeOffset TimeUtc);

/// <summary>
/// One loadpoint and its car as the charger controller reports them. Power in W (drawn from the house, ≥ 0), state
/// of charge in %, energy in kWh, current in A. Null where the controller gives nothing.
/// </summary>
public sealed record EvChargerState
{
    /// <summary>A car is plugged in.</summary>
    public required bool Connected { get; init; }

    /// <summary>The car is drawing power.</summary>
    public bool Charging { get; init; }

    public double ChargePowerW { get; init; }

    /// <summary>The car's state of charge; null when the car (or a guest car) reports none.</summary>
    public double? VehicleSocPercent { get; init; }

    /// <summary>The controller's name of the car, or the configured one for a guest car; null when neither.</summary>
    public string? VehicleName { get; init; }

    /// <summary>The car's usable battery; null when unknown.</summary>
    public double? VehicleCapacityKwh { get; init; }

    /// <summary>The loadpoint's session limit (0: none).</summary>
    public double LimitSocPercent { get; init; }

    public EvChargeMode? Mode { get; init; }

    public double? MaxCurrentA { get; init; }

    /// <summary>The car's deadline plan in the controller, if one is set.</summary>
    public EvDeadline? Plan { get; init; }

    /// <summary>Set when the controller's site can command a home battery (EdgeEnergy's own, through a second master): what it saw.</summary>
    public string? BatteryControlWarning { get; init; }
}

/// <summary>Reads the loadpoint's state (one request).</summary>
public interface IEvChargerState
{
    /// <exception cref="EvChargerException">The controller is unreachable, refused, or has no such loadpoint.</exception>
    Task<EvChargerState> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Commands to the charger controller; each is sent once as asked and recorded in the audit log with <c>reason</c>.</summary>
public interface IEvChargerControl
{
    Task SetModeAsync(EvChargeMode mode, string reason, CancellationToken cancellationToken);

    /// <summary>The loadpoint's maximum current in A.</summary>
    Task SetMaxCurrentAsync(double amps, string reason, CancellationToken cancellationToken);

    /// <summary>The car's deadline plan: the controller charges by itself to reach it if we stop.</summary>
    Task SetDeadlineAsync(EvDeadline deadline, string reason, CancellationToken cancellationToken);
}

/// <summary>Why a call to the charger controller failed.</summary>
public enum EvChargerFault
{
    /// <summary>No answer (network, timeout, 5xx after retries).</summary>
    Unreachable,

    /// <summary>The configured loadpoint does not exist (404).</summary>
    UnknownLoadpoint,

    /// <summary>The controller answered but refused or answered something unreadable.</summary>
    Refused,
}

/// <summary>A failed call to the charger controller, with a message that names the setting to check.</summary>
public sealed class EvChargerException : Exception
{
    public EvChargerException()
    {
    }

    public EvChargerException(string message)
        : base(message)
    {
    }

    public EvChargerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EvChargerException(EvChargerFault fault, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Fault = fault;
    }

    public EvChargerFault Fault { get; } = EvChargerFault.Refused;
}
