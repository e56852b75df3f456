using System.ComponentModel.DataAnnotations;

namespace EdgeEnergy.Domain.Ev;

/// <summary>
/// The <c>Ev</c> section (docs/contracts.md section 8): the car's charger driven through evcc. Empty
/// <see cref="EvccUrl"/> turns the car off: no evcc call, no car in the plan. One class for the adapter (where evcc
/// is) and the planner (what the car needs), because the configuration check binds one class per section.
/// </summary>
public sealed class EvOptions
{
    public const string SectionName = "Ev";

    /// <summary><c>Ev:EvccUrl</c>, e.g. <c>http://evcc.local:7070</c> (the <c>api/</c> path is added).</summary>
    public string EvccUrl { get; set; } = string.Empty;

    /// <summary><c>Ev:Loadpoint</c>: evcc's loadpoint number, starting at 1 as in evcc's routes.</summary>
    [Range(1, 100)]
    public int Loadpoint { get; set; } = 1;

    /// <summary><c>Ev:Vehicle</c>: evcc's vehicle name, used when the loadpoint reports none (a guest vehicle) for the deadline plan.</summary>
    public string? Vehicle { get; set; }

    /// <summary><c>Ev:DefaultDepartureLocal</c>: when the car leaves, UK local time of day; a time already past today means tomorrow's.</summary>
    public TimeSpan DefaultDepartureLocal { get; set; } = new(7, 30, 0);

    /// <summary><c>Ev:DefaultTargetSocPercent</c>: the car's state of charge wanted at departure.</summary>
    [Range(1, 100)]
    public int DefaultTargetSocPercent { get; set; } = 80;

    /// <summary><c>Ev:DefaultNeedKwh</c>: kWh (into the car's battery) planned when evcc reports no state of charge or capacity.</summary>
    [Range(0.0, 200.0)]
    public double DefaultNeedKwh { get; set; } = 10;

    /// <summary><c>Ev:VehicleCapacityKwh</c>: the car's usable battery (kWh) when evcc reports no capacity; unset: plan by energy then.</summary>
    [Range(1.0, 300.0)]
    public double? VehicleCapacityKwh { get; set; }

    /// <summary><c>Ev:Phases</c>: phases the charger uses (1 or 3).</summary>
    [Range(1, 3)]
    public int Phases { get; set; } = 1;

    /// <summary><c>Ev:VoltageVolts</c>: phase voltage, for amps ↔ kW.</summary>
    [Range(100.0, 260.0)]
    public double VoltageVolts { get; set; } = 230;

    /// <summary><c>Ev:MinCurrentAmps</c>: the lowest current the charger runs at (IEC 61851: 6 A).</summary>
    [Range(1.0, 80.0)]
    public double MinCurrentAmps { get; set; } = 6;

    /// <summary><c>Ev:MaxCurrentAmps</c>: the highest current the charger may draw.</summary>
    [Range(1.0, 80.0)]
    public double MaxCurrentAmps { get; set; } = 32;

    /// <summary><c>Ev:Efficiency</c>: share of the drawn energy that reaches the car's battery.</summary>
    [Range(0.5, 1.0)]
    public double Efficiency { get; set; } = 0.92;

    /// <summary><c>Ev:ReplanSocChangePercent</c>: a change of the car's state of charge by this much since the last read asks for a replan.</summary>
    [Range(1, 100)]
    public int ReplanSocChangePercent { get; set; } = 5;

    public int RetryAttempts { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(EvccUrl);

    /// <summary>The charger's power in kW at <paramref name="amps"/>.</summary>
    public double Kw(double amps) => amps * VoltageVolts * Phases / 1000;

    /// <summary>The whole amps that draw at least <paramref name="kw"/>, within the charger's range (chargers take whole amps).</summary>
    public double AmpsFor(double kw) => Math.Clamp(Math.Ceiling((kw * 1000 / (VoltageVolts * Phases)) - 1e-6), MinCurrentAmps, MaxCurrentAmps);
}
