using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control.Policy;

/// <summary>
/// Site limits no command may exceed, whatever its source: the reserve state of charge (percent of capacity),
/// the inverter's charge and discharge power and the export agreement (G98/G99), all in W.
/// </summary>
public sealed record HardLimits
{
    public required double ReserveSocPercent { get; init; }
    public required double MaxChargeW { get; init; }
    public required double MaxDischargeW { get; init; }
    public required double MaxExportW { get; init; }

    /// <summary>Limits from a site's battery and grid: reserve = the battery's minimum state of charge.</summary>
    public static HardLimits For(BatterySpec battery, GridSpec grid)
    {
        ArgumentNullException.ThrowIfNull(battery);
        ArgumentNullException.ThrowIfNull(grid);
        return new HardLimits
        {
            ReserveSocPercent = battery.MinSocKwh / battery.CapacityKwh * 100.0,
            MaxChargeW = battery.MaxChargeKw * 1000.0,
            MaxDischargeW = battery.MaxDischargeKw * 1000.0,
            MaxExportW = grid.MaxExportKw * 1000.0,
        };
    }

    /// <summary>
    /// The command made safe: power clamped to [0, limit] (a forced discharge also to the export limit, since the
    /// house may use none of it), reserve raised to at least <see cref="ReserveSocPercent"/> and at most 100.
    /// Non-finite power becomes 0.
    /// </summary>
    public InverterCommand Apply(InverterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reserve = Math.Clamp(double.IsFinite(command.ReserveSocPercent) ? command.ReserveSocPercent : 100, ReserveSocPercent, 100);
        static double Clamp(double? w, double max) => w is { } v && double.IsFinite(v) ? Math.Clamp(v, 0, max) : 0;
        return command.Kind switch
        {
            InverterCommandKind.ForceCharge => command with { PowerW = Clamp(command.PowerW, MaxChargeW), ReserveSocPercent = reserve },
            InverterCommandKind.ForceDischarge => command with
            {
                PowerW = Clamp(command.PowerW, Math.Min(MaxDischargeW, MaxExportW)), ReserveSocPercent = reserve,
            },
            InverterCommandKind.SelfUse => command with
            {
                PowerW = command.PowerW is null ? null : Clamp(command.PowerW, MaxDischargeW), ReserveSocPercent = reserve,
            },
            _ => command with { PowerW = 0, ReserveSocPercent = reserve },
        };
    }

    /// <summary>
    /// <see cref="Apply(InverterCommand)"/>, and a forced discharge with the battery at or below the reserve
    /// (<paramref name="socPercent"/>, when measured) becomes a hold: the one rule the service and the backtest apply to
    /// every command before anti-flapping.
    /// </summary>
    public InverterCommand Apply(InverterCommand command, double? socPercent)
    {
        var limited = Apply(command);
        return limited.Kind == InverterCommandKind.ForceDischarge && socPercent is { } soc && soc <= limited.ReserveSocPercent
            ? InverterCommand.Hold(limited.ReserveSocPercent)
            : limited;
    }
}
