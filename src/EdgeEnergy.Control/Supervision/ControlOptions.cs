using System.ComponentModel.DataAnnotations;

namespace EdgeEnergy.Control.Supervision;

/// <summary>How the control loop runs (configuration section <c>Control</c>).</summary>
public sealed class ControlOptions
{
    public const string SectionName = "Control";

    /// <summary>Seconds between polls of the inverter.</summary>
    [Range(1, 600)] public int PollSeconds { get; set; } = 10;
    /// <summary>A plan older than this is not followed; the local fallback rules take over.</summary>
    [Range(1, 1440)] public int PlanMaxAgeMinutes { get; set; } = 20;
    /// <summary>Prices must be known at least this far ahead, else they count as stale.</summary>
    [Range(0, 48)] public int PricesRequiredAheadHours { get; set; } = 2;
    [Range(1, 96)] public int HorizonHours { get; set; } = 48;
    /// <summary>Anti-flapping: a new command is held at least this long unless safety needs otherwise.</summary>
    [Range(0, 3600)] public int MinimumDwellSeconds { get; set; } = 120;
    /// <summary>Anti-flapping: power changes smaller than this are not sent.</summary>
    [Range(0, 10000)] public double PowerHysteresisW { get; set; } = 250;
    /// <summary>After this many failed Modbus polls in a row, commands go through Home Assistant (if configured).</summary>
    [Range(1, 1000)] public int HomeAssistantAfterFailedPolls { get; set; } = 3;
    /// <summary>Replan when the measured SoC leaves the plan's by more than this, % of capacity.</summary>
    [Range(1, 100)] public double SocDriftReplanPercent { get; set; } = 8;
    /// <summary>Re-send the command in force at least this often, even unchanged.</summary>
    [Range(10, 3600)] public int ResendSeconds { get; set; } = 300;
    /// <summary>Value of energy left at the horizon's end, pence/kWh; null: learned from the known prices.</summary>
    public double? TerminalValuePencePerKwh { get; set; }
    /// <summary>Before tomorrow's Agile prices are published, plan on to 23:00 UK tomorrow with prices estimated from history (marked as estimated).</summary>
    public bool EstimateUnpublishedPrices { get; set; } = true;

    /// <summary>The blended load forecast as it is.</summary>
    public const string BlendedLoadForecast = "blended";

    /// <summary>The blended load forecast corrected by the learned load model, retrained daily, where the model wins its
    /// walk-forward validation on the home's own history.</summary>
    public const string LearnedLoadForecast = "learned";

    /// <summary>Which load forecast planning uses: <c>blended</c> or <c>learned</c>.</summary>
    [RegularExpression("^(blended|learned)$", ErrorMessage = "Control:LoadForecast must be 'blended' or 'learned'")]
    public string LoadForecast { get; set; } = BlendedLoadForecast;
}
