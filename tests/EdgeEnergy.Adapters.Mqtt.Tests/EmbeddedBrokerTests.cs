using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>The demo's in-process broker, checked with Mosquitto's own clients.</summary>
public class EmbeddedBrokerTests
{
    [Fact]
    public async Task Mosquitto_clients_exchange_live_and_retained_messages_through_it()
    {
        await using var broker = new EmbeddedBroker(FreeTcpPort.Next(), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync();
        await MosquittoPublisher.PublishAsync(broker.Port, "demo/retained", "kept", retain: true);

        await using var sub = await MosquittoSubscriber.StartAsync(broker.Port, "demo/#");
        var retained = await sub.WaitForAsync("demo/retained", "kept");
        Assert.True(retained.Retained);
        await MosquittoPublisher.PublishAsync(broker.Port, "demo/live", "hello");
        Assert.False((await sub.WaitForAsync("demo/live", "hello")).Retained);
    }

    [Fact]
    public async Task The_bridge_uses_it_when_no_host_is_configured()
    {
        await using var broker = new EmbeddedBroker(FreeTcpPort.Next(), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync();
        var options = BridgeHarness.FastOptions(1883);
        options.Host = null;
        options.EmbeddedBroker = true;
        options.EmbeddedBrokerPort = broker.Port;

        // Subscribed before the bridge starts: a subscription that lands while the embedded broker is still storing a
        // retained message can miss both the live copy and the retained one, and this test is about the bridge finding
        // the broker, not about that window.
        await using var sub = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability, Topics.DeviceConfig);
        await using var bridge = await BridgeHarness.StartAsync(options);

        await sub.WaitForAsync(Topics.Availability, "online");
        await sub.WaitForAsync(m => m.Topic == Topics.DeviceConfig && m.Payload.Contains("edgeenergy_battery_soc", StringComparison.Ordinal));
    }
}
