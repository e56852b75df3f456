namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>Every topic we publish to or subscribe to, from the options (the README's topic table).</summary>
internal sealed class MqttTopics(MqttOptions options)
{
    private readonly string _base = options.BaseTopic.TrimEnd('/');
    private readonly string _prefix = options.DiscoveryPrefix.TrimEnd('/');
    private readonly string _nodeId = options.NodeId;

    /// <summary>online/offline, retained; the last will sets offline.</summary>
    public string Availability => $"{_base}/availability";

    /// <summary>Each command's result (JSON), retained: the Last command sensor.</summary>
    public string Status => $"{_base}/status";

    /// <summary>Home Assistant's birth/will topic.</summary>
    public string HomeAssistantStatus => $"{_prefix}/status";

    public string CommandFilter => $"{_base}/cmd/+";

    public string CommandPrefix => $"{_base}/cmd/";

    public string State(string key) => $"{_base}/state/{key}";

    public string Attributes(string key) => $"{_base}/attributes/{key}";

    public string Command(string key) => $"{_base}/cmd/{key}";

    /// <summary>A topic relative to the base, as named in a definition (e.g. <c>status</c>).</summary>
    public string Relative(string name) => $"{_base}/{name}";

    public string DeviceConfig => $"{_prefix}/device/{_nodeId}/config";

    public string EntityConfig(string component, string key) => $"{_prefix}/{component}/{_nodeId}/{key}/config";

    public string UniqueId(string key) => $"{_nodeId}_{key}";
}
