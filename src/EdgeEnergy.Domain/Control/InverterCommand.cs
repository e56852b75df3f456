using System.Text.Json.Serialization;

namespace EdgeEnergy.Domain.Control;

/// <summary>What the inverter is told to do for a while.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InverterCommandKind>))]
public enum InverterCommandKind
{
    /// <summary>The inverter's own self-use: the battery covers the deficit (down to the reserve, at most
    /// <see cref="InverterCommand.PowerW"/> when set) and absorbs the solar surplus.</summary>
    [JsonStringEnumMemberName("self-use")] SelfUse,
    /// <summary>Charge at <see cref="InverterCommand.PowerW"/> from solar first, then the grid.</summary>
    [JsonStringEnumMemberName("force-charge")] ForceCharge,
    /// <summary>Discharge at <see cref="InverterCommand.PowerW"/> whatever the load; what the house does not use is exported.</summary>
    [JsonStringEnumMemberName("force-discharge")] ForceDischarge,
    /// <summary>Battery idle: the house runs on solar and the grid.</summary>
    [JsonStringEnumMemberName("hold")] Hold,
}

/// <summary>
/// One command to the inverter, whatever its source (plan, rules, fallback, a person). Power in W, always ≥ 0: the
/// direction comes from <see cref="Kind"/>. For <see cref="InverterCommandKind.SelfUse"/> a power is the most the
/// battery may discharge (null: the inverter's limit). <see cref="ReserveSocPercent"/> is the state of charge
/// (percent of capacity) the battery never discharges below.
/// </summary>
public sealed record InverterCommand(InverterCommandKind Kind, double? PowerW, double ReserveSocPercent)
{
    public static InverterCommand SelfUse(double reserveSocPercent, double? maxDischargeW = null) =>
        new(InverterCommandKind.SelfUse, maxDischargeW, reserveSocPercent);

    public static InverterCommand ForceCharge(double powerW, double reserveSocPercent) =>
        new(InverterCommandKind.ForceCharge, powerW, reserveSocPercent);

    public static InverterCommand ForceDischarge(double powerW, double reserveSocPercent) =>
        new(InverterCommandKind.ForceDischarge, powerW, reserveSocPercent);

    public static InverterCommand Hold(double reserveSocPercent) => new(InverterCommandKind.Hold, 0, reserveSocPercent);
}
