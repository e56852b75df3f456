using System.Text.Json.Nodes;

namespace EdgeEnergy.Adapters.Mqtt.Discovery;

/// <summary>
/// One Home Assistant entity as data (a file in <c>mqtt-discovery/</c>): its platform, key, the state value and
/// command it is bound to, and its discovery config without the topics, ids and device we add.
/// </summary>
internal sealed record EntityDefinition
{
    public required string Component { get; init; }

    /// <summary>Unique within the device; may contain <c>${immersion.id}</c> when <see cref="Repeat"/> is set.</summary>
    public required string Key { get; init; }

    /// <summary>Name of the state value (<see cref="Publishing.StateProjection"/>); null for buttons.</summary>
    public string? Value { get; init; }

    /// <summary>A state topic relative to the base topic instead of <c>state/{key}</c> (e.g. <c>status</c>).</summary>
    public string? StateTopic { get; init; }

    /// <summary>Name of the attribute set published on <c>attributes/{key}</c>.</summary>
    public string? Attributes { get; init; }

    /// <summary>An attributes topic relative to the base topic instead of <c>attributes/{key}</c>.</summary>
    public string? AttributesTopic { get; init; }

    /// <summary>The command this entity sends (<see cref="Commands.CommandKind"/> wire name).</summary>
    public string? Command { get; init; }

    /// <summary>The feature it belongs to; removed from Home Assistant when the feature is disabled.</summary>
    public string? Feature { get; init; }

    /// <summary><c>immersion</c>: one entity per immersion heater.</summary>
    public string? Repeat { get; init; }

    /// <summary>QoS of its state topic (and of Home Assistant's subscription and commands).</summary>
    public int Qos { get; init; }

    public required JsonObject Config { get; init; }

    /// <summary>Where it was read from, for error messages.</summary>
    public required string Source { get; init; }
}

/// <summary>A definition made concrete: placeholders resolved, one per immersion heater when repeated.</summary>
internal sealed record EntityInstance(EntityDefinition Definition, string Key, string? ImmersionId, JsonObject Config);
