using EdgeEnergy.Control.Forecasting;
using System.ComponentModel.DataAnnotations;
using EdgeEnergy.Domain.Control;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Control.Supervision;

/// <summary>How the control loop runs (configuration section <c>Control</c>).</summary>
public sealed class ControlOptions
{
    public const string SectionName = "Control";

    /// <summary><c>active</c> (EdgeEnergy commands the inverter) or <c>shadow</c> (everything runs, nothing is written).
    /// A mode set over MQTT since wins at a restart, unless this value has changed since then (docs/contracts.md section 5).</summary>
    public string Mode { get; set; } = ControlModes.Active;

    /// <summary><see cref="Mode"/> parsed; <see cref="ControlMode.Shadow"/> for a value that is neither (never writes;
    /// the start is refused by <see cref="ControlOptionsValidator"/> anyway).</summary>
    public ControlMode ParsedMode => ControlModes.TryParse(Mode, out var mode) ? mode : ControlMode.Shadow;

    /// <summary><c>off</c> or <c>alternate-days</c> (issue 16 §4, <see cref="Domain.Control.AbSchedule"/>): with
    /// <c>alternate-days</c> EdgeEnergy is active on A days and hands control back (shadow) on B days. Needs
    /// <see cref="Mode"/> = active (<see cref="ControlOptionsValidator"/>).</summary>
    public string AbSchedule { get; set; } = Domain.Control.AbSchedule.Off;

    /// <summary><see cref="AbSchedule"/> parsed; off for a value that is neither (the start is refused anyway).</summary>
    public AbSchedule ParseAbSchedule() => Domain.Control.AbSchedule.TryParse(AbSchedule, out var schedule) ? schedule : Domain.Control.AbSchedule.None;

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
    /// <summary>Scenarios of load and solar each plan allows for, drawn from the home's recent forecast errors (0 or 1: plan on the point forecast alone).</summary>
    [Range(0, 50)] public int Scenarios { get; set; } = new ScenarioOptions().Count;

    /// <summary>The blended load forecast as it is.</summary>
    public const string BlendedLoadForecast = "blended";

    /// <summary>The blended load forecast corrected by the learned load model, retrained daily, where the model wins its
    /// walk-forward validation on the home's own history.</summary>
    public const string LearnedLoadForecast = "learned";

    /// <summary>Which load forecast planning uses: <c>blended</c> or <c>learned</c>.</summary>
    [RegularExpression("^(blended|learned)$", ErrorMessage = "Control:LoadForecast must be 'blended' or 'learned'")]
    public string LoadForecast { get; set; } = BlendedLoadForecast;

    /// <summary>Learn a recurring big load (a car on a charging timer) and keep it apart from the house load.</summary>
    public const string ScheduledLoadAuto = "auto";

    /// <summary>Forecast the load as measured, any scheduled load in it included.</summary>
    public const string ScheduledLoadOff = "off";

    /// <summary>
    /// <c>auto</c>: a recurring big load found in the measured history (<see cref="Forecasting.ScheduledLoad"/>) is taken
    /// out of the house load the forecasters learn from, and its expected energy per half hour is added back to the
    /// forecast; a home without one learns nothing and is forecast as with <c>off</c>. <c>off</c>: the load as measured.
    /// </summary>
    [RegularExpression("^(auto|off)$", ErrorMessage = "Control:ScheduledLoad must be 'auto' or 'off'")]
    public string ScheduledLoad { get; set; } = ScheduledLoadAuto;

    /// <summary>Whether <see cref="ScheduledLoad"/> is on.</summary>
    public bool ScheduledLoadEnabled => ScheduledLoad == ScheduledLoadAuto;
}

/// <summary>
/// Checks what data annotations cannot: <c>Control:Mode</c> is <c>active</c> or <c>shadow</c>, <c>Control:AbSchedule</c>
/// is <c>off</c> or <c>alternate-days</c>, and an A/B schedule comes with <c>Control:Mode</c> = active (in shadow there
/// is nothing to alternate: an error naming both keys rather than a schedule silently ignored).
/// </summary>
public sealed class ControlOptionsValidator : IValidateOptions<ControlOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var modeKnown = ControlModes.TryParse(options.Mode, out var mode);
        if (!modeKnown)
        {
            errors.Add($"Control:Mode '{options.Mode}' is not a mode: use active or shadow");
        }

        if (!AbSchedule.TryParse(options.AbSchedule, out var schedule))
        {
            errors.Add($"Control:AbSchedule '{options.AbSchedule}' is not a schedule: use off or alternate-days");
        }
        else if (schedule.Enabled && modeKnown && mode == ControlMode.Shadow)
        {
            errors.Add($"Control:AbSchedule '{options.AbSchedule}' needs Control:Mode active, not shadow: B days hand control back from active mode (set Control:AbSchedule to off, or Control:Mode to active)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
