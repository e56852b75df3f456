namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>How Home Assistant is reached over MQTT (configuration section <c>Mqtt</c>, docs/contracts.md section 4).</summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>Broker host name or address. Empty: no broker configured (the demo then starts the embedded one).</summary>
    public string? Host { get; set; }

    /// <summary>Broker TCP port (1883 plain, usually 8883 with TLS).</summary>
    public int Port { get; set; } = 1883;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Use TLS to the broker.</summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// PEM file of the CA that signed the broker's certificate (a home broker's own CA): trusted instead of the system
    /// roots. The broker's name must still match its certificate.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Accept any broker certificate (no chain or name check). Only for a broker on a network you trust.</summary>
    public bool AllowUntrustedCertificates { get; set; }

    /// <summary>Home Assistant's discovery prefix.</summary>
    public string DiscoveryPrefix { get; set; } = "homeassistant";

    /// <summary>Root of our own topics: availability, state, attributes, commands, status.</summary>
    public string BaseTopic { get; set; } = "edgeenergy";

    /// <summary>Device id in Home Assistant and prefix of every unique_id: must never change once entities exist.</summary>
    public string NodeId { get; set; } = "edgeenergy";

    /// <summary>Device name shown in Home Assistant.</summary>
    public string DeviceName { get; set; } = "EdgeEnergy";

    /// <summary>MQTT client id; empty = <c>edgeenergy-{NodeId}</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary><c>device</c>: one device-based discovery message with all components; <c>entity</c>: one message per entity.</summary>
    public string DiscoveryMode { get; set; } = "device";

    /// <summary>Entity features to remove from Home Assistant: <c>diagnostics</c>, <c>immersion</c>.</summary>
    public IList<string> DisabledFeatures { get; } = [];

    /// <summary>Folder of the entity definitions; empty = <c>mqtt-discovery</c> next to the executable.</summary>
    public string? DefinitionsPath { get; set; }

    /// <summary>How often the connection is checked (ping) and re-established, seconds.</summary>
    public double ConnectionCheckSeconds { get; set; } = 5;

    /// <summary>MQTT keep-alive, seconds (the broker publishes our last will after 1.5 × this without traffic).</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>How often state is compared with what was published, seconds (changes are published then).</summary>
    public double StateIntervalSeconds { get; set; } = 2;

    /// <summary>Every state topic is re-published at least this often, seconds, changed or not.</summary>
    public double HeartbeatSeconds { get; set; } = 300;

    /// <summary>Start an in-process broker on 127.0.0.1 when <see cref="Host"/> is empty (the demo).</summary>
    public bool EmbeddedBroker { get; set; }

    /// <summary>Port of the embedded broker.</summary>
    public int EmbeddedBrokerPort { get; set; } = 1883;

    internal string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? $"edgeenergy-{NodeId}" : ClientId;

    internal bool DeviceBasedDiscovery => string.Equals(DiscoveryMode, "device", StringComparison.Ordinal);
}
