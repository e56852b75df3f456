namespace EdgeEnergy.Adapters.Mqtt.Publishing;

/// <summary>One message to publish. An empty payload on a retained topic clears the retained message.</summary>
internal sealed record OutboundMessage(string Topic, string Payload, int Qos, bool Retain);
