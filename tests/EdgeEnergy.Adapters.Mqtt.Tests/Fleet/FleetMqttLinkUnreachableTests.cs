using System.Collections.Concurrent;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

public sealed class FleetMqttLinkUnreachableTests
{
    [Fact]
    public async Task An_unreachable_fleet_broker_is_a_reason_and_the_state_waits_in_the_queue()
    {
        var port = FreeTcpPort.Next(); // nothing listens there
        var options = new FleetMqttOptions { Host = "127.0.0.1", Port = port, UseTls = false, StateIntervalSeconds = 0.2, SampleSeconds = 0.05, ConnectionCheckSeconds = 0.2, QueueLimit = 3 };
        using var appliance = new FakeAppliance(new InMemoryOverrideStore(), BridgeHarness.Limits, TimeProvider.System, FakeAppliance.Sample);
        var health = new ConcurrentQueue<string?>();
        await using var link = new FleetMqttLink(options, new FleetIdentity("home-alone"), appliance, appliance, BridgeHarness.Limits, null, TimeProvider.System, NullLogger.Instance, health.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = link.RunAsync(stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (link.StateDropped == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains(health, p => p is not null && p.Contains($"fleet broker 127.0.0.1:{port} unreachable", StringComparison.Ordinal));
        Assert.False(link.IsConnected);
        Assert.Equal(3, link.Queued); // the newest QueueLimit windows are kept ...
        Assert.True(link.StateDropped > 0); // ... and the older ones counted as dropped
        Assert.Equal(link.StateProduced, link.Queued + link.StateDropped);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
