using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.HomeAssistant;

/// <summary>The <c>HomeAssistant</c> section: the REST fallback path. Empty <see cref="BaseUrl"/> turns it off.</summary>
public sealed partial class HomeAssistantOptions
{
    public const string SectionName = "HomeAssistant";

    /// <summary><c>HomeAssistant:BaseUrl</c>, e.g. <c>http://homeassistant.local:8123/</c> (the <c>api/</c> path is added).</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary><c>HomeAssistant:Token</c>: a long-lived access token; never logged.</summary>
    public string Token { get; set; } = string.Empty;

    public int RetryAttempts { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>HomeAssistant:Entities:*</c>: entity ids for fallback telemetry and control.</summary>
    public HomeAssistantEntities Entities { get; set; } = new();

    /// <summary><c>HomeAssistant:WorkModes:*</c>: the options of the work-mode select (those of foxess_modbus by default).</summary>
    public HomeAssistantWorkModes WorkModes { get; set; } = new();

    /// <summary>True when the battery can be driven through Home Assistant: a work-mode select and a SoC sensor are set.</summary>
    public bool BatteryPathConfigured => Enabled && !string.IsNullOrWhiteSpace(Entities.WorkModeSelect) && !string.IsNullOrWhiteSpace(Entities.BatterySoc);

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    [GeneratedRegex("^[a-z0-9_]+\\.[a-z0-9_]+$")]
    internal static partial Regex EntityIdPattern();

    public override string ToString() => $"Home Assistant {BaseUrl} token={(string.IsNullOrEmpty(Token) ? "unset" : "***")}";
}

/// <summary>
/// Entity ids of the fallback path, e.g. those of the foxess_modbus integration. Unset entries are simply not used.
/// Power entities are read in their own unit (W or kW, from <c>unit_of_measurement</c>).
/// </summary>
public sealed class HomeAssistantEntities
{
    /// <summary>Battery state of charge (%), e.g. <c>sensor.battery_soc</c>.</summary>
    public string? BatterySoc { get; set; }

    /// <summary>Battery power, e.g. <c>sensor.battery_discharge</c>.</summary>
    public string? BatteryPower { get; set; }

    /// <summary>Grid power, e.g. <c>sensor.grid_consumption</c>.</summary>
    public string? GridPower { get; set; }

    /// <summary>House load, e.g. <c>sensor.load_power</c>.</summary>
    public string? LoadPower { get; set; }

    /// <summary>PV power, e.g. <c>sensor.pv_power_now</c>.</summary>
    public string? PvPower { get; set; }

    /// <summary>The inverter work-mode select, e.g. <c>select.work_mode</c> (options such as Self Use, Force Charge).</summary>
    public string? WorkModeSelect { get; set; }

    /// <summary>Force-charge power number (W), e.g. <c>number.force_charge_power</c>.</summary>
    public string? ChargePowerNumber { get; set; }

    /// <summary>Force-discharge power number (W), e.g. <c>number.force_discharge_power</c>.</summary>
    public string? DischargePowerNumber { get; set; }

    /// <summary>Minimum on-grid SoC number (%), e.g. <c>number.min_soc_on_grid</c>.</summary>
    public string? MinSocNumber { get; set; }

    public IEnumerable<(string Key, string? Value)> All() =>
    [
        (nameof(BatterySoc), BatterySoc), (nameof(BatteryPower), BatteryPower), (nameof(GridPower), GridPower),
        (nameof(LoadPower), LoadPower), (nameof(PvPower), PvPower), (nameof(WorkModeSelect), WorkModeSelect),
        (nameof(ChargePowerNumber), ChargePowerNumber), (nameof(DischargePowerNumber), DischargePowerNumber), (nameof(MinSocNumber), MinSocNumber),
    ];
}

/// <summary>The work-mode select's option text for each command kind (foxess_modbus: Self Use, Force Charge, Force Discharge, Back-up).</summary>
public sealed class HomeAssistantWorkModes
{
    public string SelfUse { get; set; } = "Self Use";

    public string ForceCharge { get; set; } = "Force Charge";

    public string ForceDischarge { get; set; } = "Force Discharge";

    /// <summary>Used for hold (battery idle): Fox's back-up mode keeps the charge and never discharges it.</summary>
    public string Hold { get; set; } = "Back-up";

    public IEnumerable<(string Key, string Value)> All() =>
        [(nameof(SelfUse), SelfUse), (nameof(ForceCharge), ForceCharge), (nameof(ForceDischarge), ForceDischarge), (nameof(Hold), Hold)];
}

/// <summary>Checks <see cref="HomeAssistantOptions"/>; every message names the key, none repeats the token.</summary>
public sealed class HomeAssistantOptionsValidator : IValidateOptions<HomeAssistantOptions>
{
    public ValidateOptionsResult Validate(string? name, HomeAssistantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        HttpOptionsChecks.BaseUrl(errors, "HomeAssistant:BaseUrl", options.BaseUrl);
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            errors.Add("HomeAssistant:Token is required when HomeAssistant:BaseUrl is set (a long-lived access token)");
        }

        foreach (var (key, value) in options.Entities.All().Where(e => !string.IsNullOrWhiteSpace(e.Value)))
        {
            if (!HomeAssistantOptions.EntityIdPattern().IsMatch(value!))
            {
                errors.Add($"HomeAssistant:Entities:{key} '{value}' is not an entity id like sensor.battery_soc");
            }
        }

        foreach (var (key, value) in options.WorkModes.All().Where(m => string.IsNullOrWhiteSpace(m.Value)))
        {
            errors.Add($"HomeAssistant:WorkModes:{key} must name an option of the work-mode select (e.g. '{new HomeAssistantWorkModes().All().First(d => d.Key == key).Value}')");
        }

        if (!string.IsNullOrWhiteSpace(options.Entities.WorkModeSelect) && string.IsNullOrWhiteSpace(options.Entities.BatterySoc))
        {
            errors.Add("HomeAssistant:Entities:BatterySoc is required when HomeAssistant:Entities:WorkModeSelect is set (the battery path needs the state of charge)");
        }

        HttpOptionsChecks.Retry(errors, "HomeAssistant", options.RetryAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.Timeout);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
