namespace EdgeEnergy.Domain.Inverter;

/// <summary>
/// One telemetry snapshot of a hybrid inverter with its battery, in EdgeEnergy's single sign convention, which every
/// adapter applies whatever the device's raw sign:
/// <list type="bullet">
/// <item><description>battery power in W: <b>+ = discharging</b> (energy leaves the battery), − = charging;</description></item>
/// <item><description>grid power in W: <b>+ = importing</b> from the grid, − = exporting;</description></item>
/// <item><description>load power in W: + = the house consumes; PV power in W: + = generating (never negative);</description></item>
/// <item><description>remote-control active power in W: <b>+ = the inverter discharges/exports</b>, − = it charges/imports.</description></item>
/// </list>
/// Units are in the member names. A member is null when the device family has no such register.
/// </summary>
public sealed record InverterTelemetry
{
    /// <summary>Family key (e.g. <c>h1-rs485</c>) of the register map used.</summary>
    public required string Family { get; init; }
    /// <summary>Model string as the inverter reports it.</summary>
    public string? Model { get; init; }
    public double? BatterySocPercent { get; init; }
    /// <summary>W, + = discharging.</summary>
    public double? BatteryPowerW { get; init; }
    /// <summary>W, + = importing.</summary>
    public double? GridPowerW { get; init; }
    /// <summary>W consumed by the house.</summary>
    public double? LoadPowerW { get; init; }
    /// <summary>W, sum of the strings.</summary>
    public double? PvPowerW { get; init; }
    public double? Pv1PowerW { get; init; }
    public double? Pv2PowerW { get; init; }
    public double? Pv3PowerW { get; init; }
    public double? Pv4PowerW { get; init; }
    public double? Pv1VoltageV { get; init; }
    public double? Pv1CurrentA { get; init; }
    public double? Pv2VoltageV { get; init; }
    public double? Pv2CurrentA { get; init; }
    public double? BatteryVoltageV { get; init; }
    /// <summary>A as the device reports it (sign not documented by Fox).</summary>
    public double? BatteryCurrentA { get; init; }
    public double? BatteryTemperatureC { get; init; }
    public double? InverterTemperatureC { get; init; }
    public double? GridVoltageV { get; init; }
    public double? GridFrequencyHz { get; init; }
    /// <summary><c>waiting</c>, <c>checking</c>, <c>on-grid</c>, <c>off-grid</c>, <c>fault</c>, … or the raw code as a string.</summary>
    public string? InverterState { get; init; }
    /// <summary>Non-zero fault/alarm words, as <c>"ADDRESS:0xHHHH"</c>; empty when none are set.</summary>
    public IReadOnlyList<string>? FaultCodes { get; init; }
    /// <summary><c>self-use</c>, <c>feed-in-first</c>, <c>back-up</c>, <c>peak-shaving</c> or the raw number as a string.</summary>
    public string? WorkMode { get; init; }
    public double? MinSocPercent { get; init; }
    public double? MaxSocPercent { get; init; }
    public double? MinSocOnGridPercent { get; init; }
    public double? MaxChargeCurrentA { get; init; }
    public double? MaxDischargeCurrentA { get; init; }
    public double? PvEnergyTotalKwh { get; init; }
    public double? BatteryChargeEnergyTotalKwh { get; init; }
    public double? BatteryDischargeEnergyTotalKwh { get; init; }
    public double? GridExportEnergyTotalKwh { get; init; }
    public double? GridImportEnergyTotalKwh { get; init; }
    public double? LoadEnergyTotalKwh { get; init; }
    /// <summary>Charge periods where the family has them (null otherwise).</summary>
    public IReadOnlyList<ChargePeriod>? ChargePeriods { get; init; }
    /// <summary>The remote-control block as read back (null where the family has none).</summary>
    public RemoteControlState? RemoteControl { get; init; }
}

/// <summary>Remote control as the inverter holds it. <see cref="ActivePowerW"/>: + = discharging/exporting.</summary>
public sealed record RemoteControlState(bool Enabled, int TimeoutSeconds, double ActivePowerW);

/// <summary>A native charge period, local inverter time. <see cref="ChargeFromGrid"/> false = the period only blocks discharge (a hold).</summary>
public sealed record ChargePeriod(bool ChargeFromGrid, TimeOnly Start, TimeOnly End)
{
    /// <summary>A period is active when start and end are not both 00:00.</summary>
    public bool Active => Start != TimeOnly.MinValue || End != TimeOnly.MinValue;
}

/// <summary>The inverter's own persistent work mode (what it does when nobody commands it).</summary>
public enum InverterWorkMode
{
    SelfUse,
    FeedInFirst,
    BackUp,
    PeakShaving,
}
