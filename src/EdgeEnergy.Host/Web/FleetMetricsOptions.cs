using System.ComponentModel.DataAnnotations;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// Where the home's metrics go for a fleet view (configuration section <c>Fleet</c>): VictoriaMetrics' base URL,
/// e.g. <c>http://metrics.example:8428</c>. Empty: nothing is pushed, <c>/metrics</c> is still served.
/// </summary>
public sealed class FleetOptions
{
    public const string SectionName = "Fleet";

    /// <summary>VictoriaMetrics' base URL (http or https, no query); the push goes to <c>/api/v1/import/prometheus</c>.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>Seconds between pushes: one scrape interval of a fleet view.</summary>
    [Range(10, 3600)] public int MetricsIntervalSeconds { get; set; } = 60;

    /// <summary>Per push, 1 s to 5 min (checked by <see cref="FleetOptionsValidator"/>).</summary>
    public TimeSpan MetricsTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The fleet broker (<c>Fleet:Mqtt:*</c>); its <c>Host</c> empty: no fleet topics.</summary>
    public FleetMqttOptions Mqtt { get; set; } = new();

    /// <summary>False: every fleet command is refused with the reason (and audited); the home is still seen by the fleet.</summary>
    public bool AcceptCommands { get; set; } = true;

    /// <summary>The base URL ending in '/', so the import path is added under any path prefix (a reverse proxy's).</summary>
    public Uri? MetricsUri => string.IsNullOrWhiteSpace(MetricsUrl) ? null : new Uri(MetricsUrl.EndsWith('/') ? MetricsUrl : MetricsUrl + "/");
}

public sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MetricsTimeout < TimeSpan.FromSeconds(1) || options.MetricsTimeout > TimeSpan.FromMinutes(5))
        {
            return ValidateOptionsResult.Fail($"{FleetOptions.SectionName}:MetricsTimeout {options.MetricsTimeout} must be between 00:00:01 and 00:05:00");
        }

        var mqtt = new FleetMqttOptionsValidator().Validate(name, options.Mqtt);
        if (mqtt.Failed)
        {
            return mqtt;
        }

        if (string.IsNullOrWhiteSpace(options.MetricsUrl))
        {
            return ValidateOptionsResult.Success;
        }

        return Uri.TryCreate(options.MetricsUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.UserInfo.Length == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{FleetOptions.SectionName}:MetricsUrl '{options.MetricsUrl}' must be an absolute http(s) URL without a query or credentials, e.g. http://metrics.example:8428");
    }
}
