namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>The topics of the default options (base <c>edgeenergy</c>, node <c>edgeenergy</c>, prefix <c>homeassistant</c>).</summary>
internal static class Topics
{
    public const string Availability = "edgeenergy/availability";
    public const string Status = "edgeenergy/status";
    public const string DeviceConfig = "homeassistant/device/edgeenergy/config";
    public const string HomeAssistantStatus = "homeassistant/status";

    public static string State(string key) => $"edgeenergy/state/{key}";

    public static string Command(string key) => $"edgeenergy/cmd/{key}";

    public static string EntityConfig(string component, string key) => $"homeassistant/{component}/edgeenergy/{key}/config";
}
