using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Testing;
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
    public async Task Mosquitto_clients_without_a_client_id_connect_over_MQTT_3_1_1()
    {
        await using var broker = new EmbeddedBroker(FreeTcpPort.Next(), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync();
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        var mosquittoSub = MosquittoBroker.FindExecutable("mosquitto_sub");
        var mosquittoPub = MosquittoBroker.FindExecutable("mosquitto_pub");

        // Neither client is given -i: both send an empty client id with clean session set, as they do by default.
        var sub = ProcessRunner.RunAsync(mosquittoSub, ["-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-t", "demo/anonymous", "-v", "-C", "1", "-W", "20"], timeout: TimeSpan.FromSeconds(30));
        while (!sub.IsCompleted)
        {
            // Until the subscriber has one (it may not be subscribed yet): each publish is a client of its own.
            var pub = await ProcessRunner.RunAsync(mosquittoPub, ["-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-t", "demo/anonymous", "-m", "hello", "-q", "1"]);
            Assert.True(pub.ExitCode == 0, $"mosquitto_pub: {pub}");
            await Task.WhenAny(sub, Task.Delay(200));
        }

        var received = await sub;
        Assert.True(received.ExitCode == 0, $"mosquitto_sub: {received}");
        Assert.Equal("demo/anonymous hello", received.Stdout.Trim());
    }

    [Fact]
    public async Task An_empty_client_id_without_clean_session_is_still_refused()
    {
        // MQTT 3.1.1 section 3.1.3.1: a client without an id cannot have a session kept for it [MQTT-3.1.3-7, -8]. No
        // client library sends this, so the CONNECT is written by hand.
        await using var broker = new EmbeddedBroker(FreeTcpPort.Next(), NullLogger<EmbeddedBroker>.Instance);
        await broker.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, broker.Port);
        var stream = tcp.GetStream();

        // CONNECT: "MQTT", level 4 (3.1.1), flags 0 (clean session off), keep-alive 60 s, client id of length 0.
        await stream.WriteAsync(new byte[] { 0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x00, 0x00, 0x3C, 0x00, 0x00 });
        var reply = new List<byte>();
        var buffer = new byte[16];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
        {
            reply.AddRange(buffer.AsSpan(0, read));
        }

        // The connection is closed: with CONNACK "identifier rejected" as the spec asks, or with none (MQTTnet's decoder
        // drops such a CONNECT before any CONNACK). Never accepted.
        Assert.True(reply.Count == 0 || reply.SequenceEqual(new byte[] { 0x20, 0x02, 0x00, 0x02 }), $"reply: {Convert.ToHexString([.. reply])}");
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
