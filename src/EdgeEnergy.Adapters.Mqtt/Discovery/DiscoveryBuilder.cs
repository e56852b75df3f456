using System.Text;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Mqtt.Publishing;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Discovery;

/// <summary>
/// Builds Home Assistant discovery messages from the entity definitions: one device-based message
/// (<c>&lt;prefix&gt;/device/&lt;node&gt;/config</c> with <c>cmps</c> and <c>origin</c>) or one message per entity, all retained.
/// Entities of a disabled feature, and of immersion heaters that went away, are removed: an empty retained config
/// per entity, or in device mode a component holding only its platform (Home Assistant's removal form).
/// </summary>
internal sealed class DiscoveryBuilder(
    IReadOnlyList<EntityDefinition> definitions,
    MqttOptions options,
    OverrideLimits limits,
    string softwareVersion)
{
    /// <summary>Discovery configs are retained at QoS 1 so a Home Assistant that starts later still gets them.</summary>
    public const int ConfigQos = 1;

    private readonly MqttTopics _topics = new(options);

    public IReadOnlyList<EntityDefinition> Definitions => definitions;

    public bool IsEnabled(EntityDefinition definition) =>
        definition.Feature is null || !options.DisabledFeatures.Contains(definition.Feature, StringComparer.Ordinal);

    /// <summary>The concrete entities for these immersion heaters (enabled features only).</summary>
    public IReadOnlyList<EntityInstance> Instances(IReadOnlyList<ImmersionState> immersions) =>
        definitions.Where(IsEnabled).SelectMany(d => Expand(d, immersions)).ToArray();

    /// <summary>
    /// Every discovery message: the enabled entities, plus removals for disabled features and for the
    /// <paramref name="removedImmersionIds"/> (heaters published before that are gone now).
    /// </summary>
    public IReadOnlyList<OutboundMessage> Build(IReadOnlyList<ImmersionState> immersions, IReadOnlyCollection<string> removedImmersionIds)
    {
        var present = Instances(immersions);
        var gone = definitions.Where(d => !IsEnabled(d)).SelectMany(d => Expand(d, immersions))
            .Concat(definitions.Where(d => d.Repeat == "immersion")
                .SelectMany(d => Expand(d, removedImmersionIds.Select(id => new ImmersionState(id, id, false, false)).ToArray())))
            .ToArray();
        return options.DeviceBasedDiscovery ? [BuildDevice(present, gone)] : BuildPerEntity(present, gone);
    }

    /// <summary>Sanitises an immersion id into [a-z0-9_]+ so it can be part of a topic and a unique_id.</summary>
    public static string TopicId(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id.ToLowerInvariant())
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        return sb.Length == 0 ? "_" : sb.ToString();
    }

    private IEnumerable<EntityInstance> Expand(EntityDefinition d, IReadOnlyList<ImmersionState> immersions)
    {
        if (d.Repeat is null)
        {
            var vars = PlaceholderResolver.Variables(limits, null);
            yield return new EntityInstance(d, d.Key, null, (JsonObject)PlaceholderResolver.Resolve(d.Config, vars)!);
            yield break;
        }

        foreach (var immersion in immersions)
        {
            var vars = PlaceholderResolver.Variables(limits, immersion with { Id = TopicId(immersion.Id) });
            yield return new EntityInstance(d, PlaceholderResolver.ResolveText(d.Key, vars), immersion.Id, (JsonObject)PlaceholderResolver.Resolve(d.Config, vars)!);
        }
    }

    /// <summary>The full config of one entity, without device and origin.</summary>
    private JsonObject EntityConfig(EntityInstance instance)
    {
        var d = instance.Definition;
        var config = (JsonObject)instance.Config.DeepClone();
        config["unique_id"] = _topics.UniqueId(instance.Key);
        if (StateTopic(instance) is { } stateTopic)
        {
            config["state_topic"] = stateTopic;
        }

        if (AttributesTopic(instance) is { } attributesTopic)
        {
            config["json_attributes_topic"] = attributesTopic;
        }

        if (d.Command is not null)
        {
            config["command_topic"] = _topics.Command(instance.Key);
        }

        if (d.Qos > 0)
        {
            config["qos"] = d.Qos;
        }

        return config;
    }

    public string? StateTopic(EntityInstance instance) =>
        instance.Definition.StateTopic is { } relative ? _topics.Relative(relative)
        : instance.Definition.Value is not null ? _topics.State(instance.Key) : null;

    public string? AttributesTopic(EntityInstance instance) =>
        instance.Definition.AttributesTopic is { } relative ? _topics.Relative(relative)
        : instance.Definition.Attributes is not null ? _topics.Attributes(instance.Key) : null;

    private OutboundMessage BuildDevice(IReadOnlyList<EntityInstance> present, IReadOnlyList<EntityInstance> gone)
    {
        var components = new JsonObject();
        foreach (var instance in present)
        {
            var config = EntityConfig(instance);
            var component = new JsonObject { ["platform"] = instance.Definition.Component };
            foreach (var (name, value) in config)
            {
                component[name] = value?.DeepClone();
            }

            components[instance.Key] = component;
        }

        foreach (var instance in gone.Where(g => !components.ContainsKey(g.Key)))
        {
            components[instance.Key] = new JsonObject { ["platform"] = instance.Definition.Component };
        }

        var payload = new JsonObject
        {
            ["device"] = Device(),
            ["origin"] = Origin(),
            ["availability_topic"] = _topics.Availability,
            ["components"] = components,
        };
        return new OutboundMessage(_topics.DeviceConfig, payload.ToJsonString(), ConfigQos, Retain: true);
    }

    private List<OutboundMessage> BuildPerEntity(IReadOnlyList<EntityInstance> present, IReadOnlyList<EntityInstance> gone)
    {
        var messages = new List<OutboundMessage>();
        foreach (var instance in present)
        {
            var config = EntityConfig(instance);
            config["availability_topic"] = _topics.Availability;
            config["device"] = Device();
            config["origin"] = Origin();
            messages.Add(new OutboundMessage(_topics.EntityConfig(instance.Definition.Component, instance.Key), config.ToJsonString(), ConfigQos, Retain: true));
        }

        var presentTopics = messages.Select(m => m.Topic).ToHashSet(StringComparer.Ordinal);
        foreach (var instance in gone)
        {
            var topic = _topics.EntityConfig(instance.Definition.Component, instance.Key);
            if (presentTopics.Add(topic))
            {
                messages.Add(new OutboundMessage(topic, "", ConfigQos, Retain: true));
            }
        }

        return messages;
    }

    private JsonObject Device() => new()
    {
        ["identifiers"] = new JsonArray(options.NodeId),
        ["name"] = options.DeviceName,
        ["manufacturer"] = "EdgeEnergy",
        ["model"] = "EdgeEnergy home energy appliance",
        ["sw_version"] = softwareVersion,
    };

    private JsonObject Origin() => new()
    {
        ["name"] = "EdgeEnergy",
        ["sw_version"] = softwareVersion,
    };
}
