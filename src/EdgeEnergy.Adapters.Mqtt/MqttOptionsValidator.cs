using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>Checks <see cref="MqttOptions"/> at start; every message names the configuration key.</summary>
public sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public static readonly IReadOnlyList<string> KnownFeatures = ["diagnostics", "immersion", "ev"];

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex IdPattern();

    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        const string S = MqttOptions.SectionName;
        if (options.Port is < 1 or > 65535)
        {
            problems.Add($"{S}:Port must be 1..65535, got {options.Port}");
        }

        if (options.EmbeddedBrokerPort is < 1 or > 65535)
        {
            problems.Add($"{S}:EmbeddedBrokerPort must be 1..65535, got {options.EmbeddedBrokerPort}");
        }

        if (string.IsNullOrEmpty(options.Username) && !string.IsNullOrEmpty(options.Password))
        {
            problems.Add($"{S}:Password is set but {S}:Username is empty");
        }

        CheckTopicRoot(problems, $"{S}:DiscoveryPrefix", options.DiscoveryPrefix);
        CheckTopicRoot(problems, $"{S}:BaseTopic", options.BaseTopic);
        if (string.Equals(options.DiscoveryPrefix?.TrimEnd('/'), options.BaseTopic?.TrimEnd('/'), StringComparison.Ordinal))
        {
            problems.Add($"{S}:BaseTopic must differ from {S}:DiscoveryPrefix ('{options.BaseTopic}')");
        }

        if (string.IsNullOrEmpty(options.NodeId) || !IdPattern().IsMatch(options.NodeId))
        {
            problems.Add($"{S}:NodeId '{options.NodeId}' must be non-empty and use only letters, digits, '_' and '-' (Home Assistant drops other discovery topics)");
        }

        if (string.IsNullOrWhiteSpace(options.DeviceName))
        {
            problems.Add($"{S}:DeviceName must not be empty");
        }

        if (options.DiscoveryMode is not ("device" or "entity"))
        {
            problems.Add($"{S}:DiscoveryMode must be 'device' or 'entity', got '{options.DiscoveryMode}'");
        }

        foreach (var feature in options.DisabledFeatures.Where(f => !KnownFeatures.Contains(f)))
        {
            problems.Add($"{S}:DisabledFeatures has unknown feature '{feature}' (known: {string.Join(", ", KnownFeatures)})");
        }

        if (!(options.ConnectionCheckSeconds is > 0 and <= 3600))
        {
            problems.Add($"{S}:ConnectionCheckSeconds must be in (0, 3600], got {options.ConnectionCheckSeconds}");
        }

        if (options.KeepAliveSeconds is < 1 or > 65535)
        {
            problems.Add($"{S}:KeepAliveSeconds must be 1..65535, got {options.KeepAliveSeconds}");
        }

        if (!(options.StateIntervalSeconds is > 0 and <= 3600))
        {
            problems.Add($"{S}:StateIntervalSeconds must be in (0, 3600], got {options.StateIntervalSeconds}");
        }

        if (!(options.HeartbeatSeconds >= options.StateIntervalSeconds && options.HeartbeatSeconds <= 86400))
        {
            problems.Add($"{S}:HeartbeatSeconds must be between StateIntervalSeconds ({options.StateIntervalSeconds}) and 86400, got {options.HeartbeatSeconds}");
        }

        if (!string.IsNullOrWhiteSpace(options.CaCertificatePath) && !File.Exists(options.CaCertificatePath))
        {
            problems.Add($"{S}:CaCertificatePath '{options.CaCertificatePath}' does not exist");
        }

        if ((!string.IsNullOrWhiteSpace(options.CaCertificatePath) || options.AllowUntrustedCertificates) && !options.UseTls)
        {
            problems.Add($"{S}:CaCertificatePath and {S}:AllowUntrustedCertificates need {S}:UseTls = true");
        }

        if (!string.IsNullOrWhiteSpace(options.DefinitionsPath) && !Directory.Exists(options.DefinitionsPath))
        {
            problems.Add($"{S}:DefinitionsPath '{options.DefinitionsPath}' is not a folder");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckTopicRoot(List<string> problems, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{key} must not be empty");
        }
        else if (value.IndexOfAny(['+', '#', '\0']) >= 0 || value.StartsWith('/') || value.EndsWith('/') || value.Contains("//", StringComparison.Ordinal))
        {
            problems.Add($"{key} '{value}' must not contain '+', '#' or empty levels, nor start or end with '/'");
        }
    }
}
