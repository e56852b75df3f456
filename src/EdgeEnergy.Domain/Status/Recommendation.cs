using System.Text.Json.Serialization;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Domain.Status;

/// <summary>Where the current recommendation comes from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecommendationSource>))]
public enum RecommendationSource
{
    /// <summary>The optimiser's plan for the current slot.</summary>
    [JsonStringEnumMemberName("plan")] Plan,
    /// <summary>The fallback rules (no usable plan, stale data or a failed component).</summary>
    [JsonStringEnumMemberName("fallback")] Fallback,
    /// <summary>A user's timed manual override.</summary>
    [JsonStringEnumMemberName("override")] Override,
}

/// <summary>
/// What the battery should do now, and why.
/// <see cref="PowerW"/> is the battery power set-point in W: <b>+ = discharging, − = charging</b>, 0 for hold; for
/// self-use it is the power the plan expects, the inverter follows the load itself.
/// </summary>
public sealed record Recommendation
{
    public required SlotMode Mode { get; init; }

    /// <summary>Battery power in W, + = discharging, − = charging.</summary>
    public required double PowerW { get; init; }

    public required string Reason { get; init; }

    /// <summary>The instant (UTC) after which this recommendation must not be acted on.</summary>
    public required DateTimeOffset ValidUntilUtc { get; init; }

    public required RecommendationSource Source { get; init; }
}
