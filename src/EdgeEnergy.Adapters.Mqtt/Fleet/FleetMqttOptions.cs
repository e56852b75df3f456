using System.Globalization;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Mqtt.Fleet;

/// <summary>
/// The fleet broker (configuration section <c>Fleet:Mqtt</c>, docs/fleet.md): a second MQTT broker, run by whoever
/// looks after many homes, that this home publishes its 5-minute state, plan summary and availability to and takes
/// fleet commands from (docs/contracts.md section 9). Empty <see cref="Host"/>: no fleet broker.
/// </summary>
public sealed class FleetMqttOptions
{
    public const string SectionName = "Fleet:Mqtt";

    /// <summary>Fleet broker host name or address; empty: nothing is published to a fleet.</summary>
    public string? Host { get; set; }

    /// <summary>Fleet broker TCP port (1883 plain, usually 8883 with TLS).</summary>
    public int Port { get; set; } = 8883;

    /// <summary>More brokers of the same cluster, <c>host:port</c> each, tried in turn when the one in use is unreachable.</summary>
    public IList<string> FailoverBrokers { get; } = [];

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Use TLS to the fleet broker.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>PEM file of the CA that signed the fleet broker's certificate; empty: the system's roots.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM file of this home's client certificate (TLS client authentication); with <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>Length of the window each state message is the mean of, seconds (300: 5-minute means).</summary>
    public double StateIntervalSeconds { get; set; } = 300;

    /// <summary>How often the live readings are sampled into the window's mean, seconds.</summary>
    public double SampleSeconds { get; set; } = 10;

    /// <summary>State messages kept while the broker is unreachable (288: a day of 5-minute means); the oldest go first.</summary>
    public int QueueLimit { get; set; } = 288;

    /// <summary>The pause after every broker has failed to connect, seconds; a dropped connection is retried at once on the next broker.</summary>
    public double ConnectionCheckSeconds { get; set; } = 5;

    /// <summary>MQTT keep-alive, seconds (the broker publishes our last will after 1.5 × this without traffic).</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>Every broker to try, in order: <see cref="Host"/>:<see cref="Port"/> then <see cref="FailoverBrokers"/>.</summary>
    public IReadOnlyList<(string Host, int Port)> Brokers()
    {
        var list = new List<(string, int)>();
        if (!string.IsNullOrWhiteSpace(Host))
        {
            list.Add((Host, Port));
        }

        foreach (var b in FailoverBrokers)
        {
            if (TryParseBroker(b, out var host, out var port))
            {
                list.Add((host, port));
            }
        }

        return list;
    }

    /// <summary>Parses <c>host:port</c> (port 1..65535).</summary>
    public static bool TryParseBroker(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = text![..colon];
        return true;
    }
}

/// <summary>Checks <see cref="FleetMqttOptions"/> at start; each failure names the key.</summary>
public sealed class FleetMqttOptionsValidator : IValidateOptions<FleetMqttOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetMqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = FleetMqttOptions.SectionName;
        var errors = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"{S}:Port must be 1..65535, got {options.Port}");
        }

        for (var i = 0; i < options.FailoverBrokers.Count; i++)
        {
            if (!FleetMqttOptions.TryParseBroker(options.FailoverBrokers[i], out _, out _))
            {
                errors.Add($"{S}:FailoverBrokers:{i} '{options.FailoverBrokers[i]}' must be host:port with a port of 1..65535");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Host) && options.FailoverBrokers.Count > 0)
        {
            errors.Add($"{S}:FailoverBrokers needs {S}:Host (the first broker to try)");
        }

        if (options.StateIntervalSeconds is < 10 or > 3600 || double.IsNaN(options.StateIntervalSeconds))
        {
            errors.Add($"{S}:StateIntervalSeconds must be 10..3600, got {options.StateIntervalSeconds}");
        }

        if (!(options.SampleSeconds >= 1 && options.SampleSeconds <= options.StateIntervalSeconds))
        {
            errors.Add($"{S}:SampleSeconds must be 1..StateIntervalSeconds ({options.StateIntervalSeconds}), got {options.SampleSeconds}");
        }

        if (options.QueueLimit is < 1 or > 100_000)
        {
            errors.Add($"{S}:QueueLimit must be 1..100000, got {options.QueueLimit}");
        }

        if (options.ConnectionCheckSeconds is < 1 or > 300 || double.IsNaN(options.ConnectionCheckSeconds))
        {
            errors.Add($"{S}:ConnectionCheckSeconds must be 1..300, got {options.ConnectionCheckSeconds}");
        }

        if (options.KeepAliveSeconds is < 5 or > 3600)
        {
            errors.Add($"{S}:KeepAliveSeconds must be 5..3600, got {options.KeepAliveSeconds}");
        }

        var hasCert = !string.IsNullOrWhiteSpace(options.ClientCertificatePath);
        var hasKey = !string.IsNullOrWhiteSpace(options.ClientKeyPath);
        if (hasCert != hasKey)
        {
            errors.Add($"{S}:ClientCertificatePath and {S}:ClientKeyPath go together (a client certificate needs its key)");
        }

        if ((hasCert || !string.IsNullOrWhiteSpace(options.CaCertificatePath)) && !options.UseTls)
        {
            errors.Add($"{S}:UseTls must be true when a CA or client certificate is given");
        }

        foreach (var (key, path) in new[] { ("CaCertificatePath", options.CaCertificatePath), ("ClientCertificatePath", options.ClientCertificatePath), ("ClientKeyPath", options.ClientKeyPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                errors.Add($"{S}:{key} '{path}' does not exist");
            }
        }

        if (string.IsNullOrEmpty(options.Username) && !string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{S}:Password is set without {S}:Username");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
