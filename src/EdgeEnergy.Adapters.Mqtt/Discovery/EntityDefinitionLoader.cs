using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeEnergy.Adapters.Mqtt.Commands;
using EdgeEnergy.Adapters.Mqtt.Publishing;

namespace EdgeEnergy.Adapters.Mqtt.Discovery;

/// <summary>
/// Reads and checks the entity definitions (<c>mqtt-discovery/*.json</c>, one entity per file). A bad file stops the
/// start with <see cref="InvalidDataException"/> naming the file and the field: a half-published device is worse than none.
/// </summary>
internal static partial class EntityDefinitionLoader
{
    public static readonly IReadOnlySet<string> Components = new HashSet<string>(StringComparer.Ordinal)
    {
        "sensor", "binary_sensor", "select", "number", "switch", "button", "text",
    };

    private static readonly HashSet<string> s_fields = new(StringComparer.Ordinal)
    {
        "component", "key", "description", "value", "stateTopic", "attributes", "attributesTopic", "command", "feature",
        "repeat", "qos", "config",
    };

    /// <summary>Keys the publisher owns; a definition may not set them.</summary>
    private static readonly HashSet<string> s_reserved = new(StringComparer.Ordinal)
    {
        "unique_id", "uniq_id", "state_topic", "stat_t", "command_topic", "cmd_t", "json_attributes_topic", "json_attr_t",
        "availability", "avty", "availability_topic", "avty_t", "device", "dev", "origin", "o", "qos", "platform", "p", "~",
        "object_id", "default_entity_id",
    };

    private static readonly HashSet<string> s_relativeTopics = new(StringComparer.Ordinal) { "status" };

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex KeyPattern();

    /// <summary>The default folder: <c>mqtt-discovery</c> next to the executable (copied there by the build).</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "mqtt-discovery");

    public static IReadOnlyList<EntityDefinition> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new InvalidDataException($"entity definitions folder '{folder}' does not exist");
        }

        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"entity definitions folder '{folder}' has no *.json file");
        }

        var definitions = files.Select(f => Parse(File.ReadAllText(f), f)).ToArray();
        var duplicate = definitions.GroupBy(d => d.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"key '{duplicate.Key}' is defined twice: {string.Join(", ", duplicate.Select(d => d.Source))}");
        }

        return definitions;
    }

    public static EntityDefinition Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: malformed JSON: {ex.Message}", ex);
        }

        foreach (var (name, _) in root)
        {
            if (!s_fields.Contains(name))
            {
                throw new InvalidDataException($"{source}: unknown field '{name}' (allowed: {string.Join(", ", s_fields)})");
            }
        }

        var definition = new EntityDefinition
        {
            Component = RequiredString(root, "component", source),
            Key = RequiredString(root, "key", source),
            Value = OptionalString(root, "value", source),
            StateTopic = OptionalString(root, "stateTopic", source),
            Attributes = OptionalString(root, "attributes", source),
            AttributesTopic = OptionalString(root, "attributesTopic", source),
            Command = OptionalString(root, "command", source),
            Feature = OptionalString(root, "feature", source),
            Repeat = OptionalString(root, "repeat", source),
            Qos = root["qos"] is JsonValue q && q.TryGetValue<int>(out var qos) ? qos : throw new InvalidDataException($"{source}: 'qos' must be 0, 1 or 2"),
            Config = root["config"] as JsonObject ?? throw new InvalidDataException($"{source}: 'config' must be a JSON object"),
            Source = source,
        };
        Check(definition);
        return definition;
    }

    private static void Check(EntityDefinition d)
    {
        string Where(string field) => $"{d.Source}: '{field}'";
        if (!Components.Contains(d.Component))
        {
            throw new InvalidDataException($"{Where("component")} '{d.Component}' is not one of {string.Join(", ", Components)}");
        }

        if (d.Qos is < 0 or > 2)
        {
            throw new InvalidDataException($"{Where("qos")} must be 0, 1 or 2, got {d.Qos}");
        }

        if (d.Repeat is not null and not "immersion")
        {
            throw new InvalidDataException($"{Where("repeat")} must be 'immersion', got '{d.Repeat}'");
        }

        var sampleKey = d.Repeat is null ? d.Key : d.Key.Replace("${immersion.id}", "x", StringComparison.Ordinal);
        if (!KeyPattern().IsMatch(sampleKey) || (d.Repeat is not null && sampleKey == d.Key))
        {
            throw new InvalidDataException($"{Where("key")} '{d.Key}' must match [a-z0-9_]+ (and contain ${{immersion.id}} when repeated)");
        }

        if (d.Feature is not null && !MqttOptionsValidator.KnownFeatures.Contains(d.Feature))
        {
            throw new InvalidDataException($"{Where("feature")} '{d.Feature}' is not one of {string.Join(", ", MqttOptionsValidator.KnownFeatures)}");
        }

        var isButton = d.Component == "button";
        var isControl = d.Component is "select" or "number" or "switch" or "button" or "text";
        if (isControl != (d.Command is not null))
        {
            throw new InvalidDataException($"{Where("command")} is required for {d.Component} entities and not allowed on others");
        }

        if (d.Command is not null && !CommandKinds.ByName.ContainsKey(d.Command))
        {
            throw new InvalidDataException($"{Where("command")} '{d.Command}' is not one of {string.Join(", ", CommandKinds.ByName.Keys)}");
        }

        if (isButton && (d.Value ?? d.StateTopic ?? d.Attributes ?? d.AttributesTopic) is not null)
        {
            throw new InvalidDataException($"{d.Source}: a button has no state or attributes");
        }

        if (!isButton && (d.Value is null) == (d.StateTopic is null))
        {
            throw new InvalidDataException($"{d.Source}: exactly one of 'value' and 'stateTopic' is required");
        }

        if (d.Value is not null && !StateProjection.ValueNames.Contains(d.Value))
        {
            throw new InvalidDataException($"{Where("value")} '{d.Value}' is not a known state value ({string.Join(", ", StateProjection.ValueNames)})");
        }

        if (d.Attributes is not null && !StateProjection.AttributeNames.Contains(d.Attributes))
        {
            throw new InvalidDataException($"{Where("attributes")} '{d.Attributes}' is not a known attribute set ({string.Join(", ", StateProjection.AttributeNames)})");
        }

        if (d.Attributes is not null && d.AttributesTopic is not null)
        {
            throw new InvalidDataException($"{d.Source}: 'attributes' and 'attributesTopic' exclude each other");
        }

        foreach (var (field, topic) in new[] { ("stateTopic", d.StateTopic), ("attributesTopic", d.AttributesTopic) })
        {
            if (topic is not null && !s_relativeTopics.Contains(topic))
            {
                throw new InvalidDataException($"{Where(field)} '{topic}' is not one of {string.Join(", ", s_relativeTopics)}");
            }
        }

        foreach (var (name, _) in d.Config)
        {
            if (s_reserved.Contains(name))
            {
                throw new InvalidDataException($"{d.Source}: config key '{name}' is set by the publisher and must not be in the definition");
            }
        }

        if (d.Config["name"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String)
        {
            throw new InvalidDataException($"{d.Source}: config 'name' must be a string");
        }

        var placeholders = PlaceholderResolver.FindPlaceholders(d.Config).Append(d.Key).SelectMany(PlaceholderResolver.Names);
        foreach (var name in placeholders)
        {
            var known = name.StartsWith("limits.", StringComparison.Ordinal)
                ? PlaceholderResolver.LimitNames.Contains(name)
                : d.Repeat == "immersion" && name is "immersion.id" or "immersion.name";
            if (!known)
            {
                throw new InvalidDataException($"{d.Source}: unknown placeholder '${{{name}}}'");
            }
        }
    }

    private static string RequiredString(JsonObject root, string field, string source) =>
        OptionalString(root, field, source) ?? throw new InvalidDataException($"{source}: '{field}' is required");

    private static string? OptionalString(JsonObject root, string field, string source) => root[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new InvalidDataException($"{source}: '{field}' must be a string"),
    };
}
