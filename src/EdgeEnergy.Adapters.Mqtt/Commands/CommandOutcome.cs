using System.Globalization;
using System.Text.Json.Nodes;

namespace EdgeEnergy.Adapters.Mqtt.Commands;

/// <summary>What happened to one command: published on the status topic (the Last command sensor reads it). An accepted
/// command may carry a note in <see cref="Reason"/>; <see cref="Pending"/>: accepted, but it waits for a confirming
/// second command (result <c>pending</c>).</summary>
internal sealed record CommandOutcome(string Entity, string Payload, bool Accepted, string? Reason, DateTimeOffset Time, bool Pending = false)
{
    private const int MaxEchoedPayload = 100;

    public string ToJson() => new JsonObject
    {
        ["result"] = Pending ? "pending" : Accepted ? "accepted" : "rejected",
        ["entity"] = Entity,
        ["payload"] = Payload.Length <= MaxEchoedPayload ? Payload : string.Concat(Payload.AsSpan(0, MaxEchoedPayload), "…"),
        ["reason"] = Reason,
        ["time"] = Time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
    }.ToJsonString();
}
