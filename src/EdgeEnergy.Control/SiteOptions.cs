using System.ComponentModel.DataAnnotations;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control;

/// <summary>The installation: battery, grid connection and immersion heaters (configuration section <c>Site</c>).</summary>
public sealed class SiteOptions
{
    public const string SectionName = "Site";

    /// <summary>The home's name in fleet topics and metrics; empty: the machine id (<see cref="SiteIdentity"/>).</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Site:Id must be 1-64 of A-Z a-z 0-9 . _ - (it names the home in fleet topics and metrics)")]
    public string? Id { get; set; }

    [Range(0.1, 1000)] public double BatteryCapacityKwh { get; set; } = 9.5;
    /// <summary>The battery's own floor, % of capacity (the inverter's min SoC).</summary>
    [Range(0, 100)] public double BatteryMinSocPercent { get; set; } = 10;
    [Range(1, 100)] public double BatteryMaxSocPercent { get; set; } = 100;
    /// <summary>The reserve kept for outages and evening peaks, % (a hard limit: no plan, override or rule goes below).</summary>
    [Range(0, 100)] public double ReserveSocPercent { get; set; } = 10;
    [Range(0, 100)] public double BatteryMaxChargeKw { get; set; } = 3;
    [Range(0, 100)] public double BatteryMaxDischargeKw { get; set; } = 3;
    [Range(0.01, 1)] public double ChargeEfficiency { get; set; } = 0.95;
    [Range(0.01, 1)] public double DischargeEfficiency { get; set; } = 0.95;
    [Range(0, 100)] public double CycleCostPencePerKwh { get; set; } = 1;
    [Range(0, 100)] public double GridMaxImportKw { get; set; } = 15;
    /// <summary>The G98/G99 export limit.</summary>
    [Range(0, 100)] public double GridMaxExportKw { get; set; } = 3.68;
    public List<ImmersionOptions> Immersions { get; set; } = [];

    public double ReserveKwh => BatteryCapacityKwh * Math.Max(ReserveSocPercent, BatteryMinSocPercent) / 100;

    public BatterySpec Battery(double socKwh) => new()
    {
        CapacityKwh = BatteryCapacityKwh,
        SocKwh = Math.Clamp(socKwh, 0, BatteryCapacityKwh),
        MinSocKwh = ReserveKwh,
        MaxSocKwh = BatteryCapacityKwh * BatteryMaxSocPercent / 100,
        MaxChargeKw = BatteryMaxChargeKw,
        MaxDischargeKw = BatteryMaxDischargeKw,
        ChargeEfficiency = ChargeEfficiency,
        DischargeEfficiency = DischargeEfficiency,
        CycleCostPencePerKwh = CycleCostPencePerKwh,
    };

    /// <summary>A copy with another reserve.</summary>
    public SiteOptions WithReserve(double reserveSocPercent)
    {
        var copy = (SiteOptions)MemberwiseClone();
        copy.ReserveSocPercent = reserveSocPercent;
        return copy;
    }

    /// <summary>
    /// The site as the person has set it at run time (Home Assistant): their reserve when set, and without the immersion
    /// heaters they switched off (the planner gives those no energy, so their relays stay off).
    /// </summary>
    public SiteOptions AsSetBy(double? reserveSocPercent, IReadOnlySet<string> immersionsSwitchedOff)
    {
        ArgumentNullException.ThrowIfNull(immersionsSwitchedOff);
        if ((reserveSocPercent is null || reserveSocPercent == ReserveSocPercent) && !Immersions.Any(i => immersionsSwitchedOff.Contains(i.Id)))
        {
            return this;
        }

        var copy = WithReserve(reserveSocPercent ?? ReserveSocPercent);
        copy.Immersions = [.. Immersions.Where(i => !immersionsSwitchedOff.Contains(i.Id))];
        return copy;
    }

    public GridSpec Grid => new() { MaxImportKw = GridMaxImportKw, MaxExportKw = GridMaxExportKw };
}

/// <summary>
/// An immersion heater: each day it must get <see cref="DailyMinKwh"/> before <see cref="ReadyBy"/> (UK time), at most
/// <see cref="DailyMaxKwh"/>. Planned as the one heater model (<see cref="Heater"/>): one daily window of 24 hours
/// ending at <see cref="ReadyBy"/>.
/// </summary>
public sealed class ImmersionOptions
{
    [Required, RegularExpression("^[a-z0-9_]+$")] public string Id { get; set; } = "tank";
    public string Name { get; set; } = "Hot water";
    [Range(0.1, 10)] public double PowerKw { get; set; } = 3;
    /// <summary>What a kWh of hot water is worth (the gas it saves), pence.</summary>
    [Range(0, 100)] public double ValuePencePerKwh { get; set; } = 6.5;
    [Range(0, 100)] public double DailyMinKwh { get; set; } = 4;
    [Range(0, 100)] public double DailyMaxKwh { get; set; } = 9;
    /// <summary>Local time by which the day's minimum must be in the tank, "HH:mm".</summary>
    [RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$")] public string ReadyBy { get; set; } = "07:00";
    /// <summary>The heater's relay, e.g. <c>modbus://192.168.1.50:502?unit=1&amp;coil=0</c> or <c>homeassistant://switch.immersion</c>; empty = planned only, not switched.</summary>
    public string? Relay { get; set; }
    /// <summary>How long a boost (a person's "heat now") runs, minutes.</summary>
    [Range(1, 600)] public int BoostMinutes { get; set; } = 60;

    /// <summary>
    /// The heater as the planner and the backtest model it: one window from <see cref="ReadyBy"/> to
    /// <see cref="ReadyBy"/> the next day, so "DailyMinKwh by ReadyBy" keeps its meaning and what the relay delivered
    /// since the last ReadyBy counts towards it.
    /// </summary>
    public ImmersionHeater Heater()
    {
        var readyBy = TimeOnly.ParseExact(ReadyBy, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return new ImmersionHeater
        {
            Id = Id,
            PowerKw = PowerKw,
            ValuePencePerKwh = ValuePencePerKwh,
            Windows = [new DailyImmersionWindow { FromLocal = readyBy, ToLocal = readyBy, MinKwh = DailyMinKwh, MaxKwh = Math.Max(DailyMinKwh, DailyMaxKwh) }],
        };
    }
}
