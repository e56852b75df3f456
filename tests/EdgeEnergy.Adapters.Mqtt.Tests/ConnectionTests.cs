using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>Availability, last will and our own reconnect loop against a real Mosquitto.</summary>
public class ConnectionTests
{
    [Fact]
    public async Task A_killed_connection_makes_the_broker_publish_offline_and_the_loop_reconnects_online()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = new TcpRelay(broker.Port);
        await using var watch = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability);
        await using var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(relay.Port));
        await watch.WaitForAsync(Topics.Availability, "online");

        var mark = watch.Mark;
        relay.DropConnections();

        // Mosquitto publishes our last will (retained) because the socket died without an MQTT DISCONNECT.
        var offline = await watch.WaitForAsync(Topics.Availability, "offline", after: mark);
        await watch.WaitForAsync(Topics.Availability, "online", after: offline.Index);
        Assert.True(bridge.Bridge.Connections >= 2);
    }

    [Fact]
    public async Task After_a_broker_restart_the_loop_reconnects_resubscribes_and_republishes()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(broker.Port));
        await using (var first = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability))
        {
            await first.WaitForAsync(Topics.Availability, "online");
        }

        await broker.RestartAsync(); // no persistence: every retained message is gone

        await using var watch = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability, Topics.DeviceConfig, Topics.State("reserve_soc"), Topics.Status);
        await watch.WaitForAsync(Topics.Availability, "online", timeoutSeconds: 20);
        await watch.WaitForAsync(m => m.Topic == Topics.DeviceConfig && m.Payload.Contains("\"components\"", StringComparison.Ordinal));

        // Resubscribed: a command sent after the restart is applied.
        var mark = watch.Mark;
        await MosquittoPublisher.PublishAsync(broker.Port, Topics.Command("reserve_soc"), "42");
        await watch.WaitForAsync(Topics.State("reserve_soc"), "42", after: mark);
        Assert.Contains("reserve 42", bridge.Appliance.Calls);
    }

    [Fact]
    public async Task A_clean_stop_publishes_offline_retained()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(broker.Port));
        await using (var watch = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability))
        {
            await watch.WaitForAsync(Topics.Availability, "online");
        }

        await bridge.StopAsync();

        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, Topics.Availability);
        var retained = await late.WaitForAsync(m => m.Topic == Topics.Availability);
        Assert.True(retained.Retained);
        Assert.Equal("offline", retained.Payload);
    }
}
