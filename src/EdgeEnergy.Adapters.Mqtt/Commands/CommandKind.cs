namespace EdgeEnergy.Adapters.Mqtt.Commands;

/// <summary>What a command topic does; bound to entities by wire name in their definition.</summary>
internal enum CommandKind
{
    OverrideMode,
    OverrideDuration,
    ReserveSoc,
    ImmersionEnabled,
    ImmersionBoost,
    Replan,
    ControlMode,
    EvDeparture,
    EvTargetSoc,
    EvChargeNow,
}

internal static class CommandKinds
{
    public static readonly IReadOnlyDictionary<string, CommandKind> ByName = new Dictionary<string, CommandKind>(StringComparer.Ordinal)
    {
        ["override_mode"] = CommandKind.OverrideMode,
        ["override_duration"] = CommandKind.OverrideDuration,
        ["reserve_soc"] = CommandKind.ReserveSoc,
        ["immersion_enabled"] = CommandKind.ImmersionEnabled,
        ["immersion_boost"] = CommandKind.ImmersionBoost,
        ["replan"] = CommandKind.Replan,
        ["control_mode"] = CommandKind.ControlMode,
        ["ev_departure"] = CommandKind.EvDeparture,
        ["ev_target_soc"] = CommandKind.EvTargetSoc,
        ["ev_charge_now"] = CommandKind.EvChargeNow,
    };
}
