using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Discovery;

/// <summary>
/// Fills <c>${name}</c> placeholders in definitions: <c>limits.*</c> from the hard limits (a string that is only a
/// placeholder becomes a number) and <c>immersion.id</c>/<c>immersion.name</c> for repeated entities.
/// </summary>
internal static partial class PlaceholderResolver
{
    public static readonly IReadOnlySet<string> LimitNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "limits.reserveSocMin", "limits.reserveSocMax", "limits.durationMin", "limits.durationMax",
    };

    [GeneratedRegex(@"\$\{([a-zA-Z.]+)\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> Names(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Every string in <paramref name="node"/> that contains a placeholder.</summary>
    public static IEnumerable<string> FindPlaceholders(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => FindPlaceholders(p.Value)),
        JsonArray a => a.SelectMany(FindPlaceholders),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Contains("${", StringComparison.Ordinal) => [v.GetValue<string>()],
        _ => [],
    };

    public static Dictionary<string, JsonNode> Variables(OverrideLimits limits, ImmersionState? immersion)
    {
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            ["limits.reserveSocMin"] = JsonValue.Create(limits.MinReserveSocPercent),
            ["limits.reserveSocMax"] = JsonValue.Create(limits.MaxReserveSocPercent),
            ["limits.durationMin"] = JsonValue.Create(limits.MinDurationMinutes),
            ["limits.durationMax"] = JsonValue.Create(limits.MaxDurationMinutes),
        };
        if (immersion is not null)
        {
            values["immersion.id"] = JsonValue.Create(immersion.Id);
            values["immersion.name"] = JsonValue.Create(immersion.Name);
        }

        return values;
    }

    public static string ResolveText(string text, IReadOnlyDictionary<string, JsonNode> variables) =>
        Placeholder().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var v)
            ? v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()
            : throw new InvalidDataException($"placeholder '{m.Value}' has no value here"));

    /// <summary>A deep copy of <paramref name="node"/> with every placeholder resolved.</summary>
    public static JsonNode? Resolve(JsonNode? node, IReadOnlyDictionary<string, JsonNode> variables)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (name, value) in o)
                {
                    copy[name] = Resolve(value, variables);
                }

                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(item => Resolve(item, variables)).ToArray());
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                var whole = Placeholder().Match(text);
                if (whole.Success && whole.Length == text.Length && variables.TryGetValue(whole.Groups[1].Value, out var exact))
                {
                    return exact.DeepClone();
                }

                return JsonValue.Create(ResolveText(text, variables));
            default:
                return node?.DeepClone();
        }
    }
}
