using System.Text.Json;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

/// <summary>One 3-node RabbitMQ cluster with the MQTT plugin for the fleet link's tests.</summary>
public sealed class RabbitMqClusterFixture : IAsyncLifetime
{
    public RabbitMqCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await RabbitMqCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// The appliance's fleet link (<see cref="FleetMqttLink"/>) against a real 3-node RabbitMQ cluster: the home on one
/// node, the fleet's observer on another, so every message crosses the cluster.
/// </summary>
public sealed class FleetMqttLinkTests(RabbitMqClusterFixture fixture) : IClassFixture<RabbitMqClusterFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private RabbitMqCluster Cluster => fixture.Cluster;

    private static FleetMqttOptions Options(int port, params int[] failover)
    {
        var options = new FleetMqttOptions
        {
            Host = RabbitMqCluster.Host, Port = port, UseTls = false, StateIntervalSeconds = 0.5, SampleSeconds = 0.1, ConnectionCheckSeconds = 0.3, KeepAliveSeconds = 5,
        };
        foreach (var p in failover)
        {
            options.FailoverBrokers.Add($"{RabbitMqCluster.Host}:{p}");
        }

        return options;
    }

    private sealed class Home : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Home(FleetMqttOptions options, string siteId, bool accept)
        {
            Appliance = new FakeAppliance(new InMemoryOverrideStore(), BridgeHarness.Limits, TimeProvider.System, FakeAppliance.Sample);
            Link = new FleetMqttLink(options, new FleetIdentity(siteId, AcceptCommands: accept), Appliance, Appliance, BridgeHarness.Limits, Audit, TimeProvider.System,
                NullLogger.Instance, problem => Health.Enqueue(problem));
            _run = Task.Run(() => Link.RunAsync(_stop.Token));
        }

        public FakeAppliance Appliance { get; }

        public FleetMqttLink Link { get; }

        public InMemoryAuditLog Audit { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string?> Health { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(15));
            await Link.DisposeAsync();
            Appliance.Dispose();
        }
    }

    private static async Task<JsonElement> ResultAsync(FleetObserver observer, string siteId, string id)
    {
        var m = await observer.WaitForAsync(m => m.Topic == $"edgeenergy/fleet/{siteId}/result" && m.Payload.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal), Wait, $"result {id}");
        Assert.False(m.Retain);
        return JsonDocument.Parse(m.Payload).RootElement;
    }

    [Fact]
    public async Task State_means_arrive_in_sequence_on_another_node_and_survive_the_home_nodes_death()
    {
        var ports = Cluster.MqttPorts;
        await using var observer = await FleetObserver.ConnectAsync(RabbitMqCluster.Host, ports[0]);
        // The home starts on node 3, with node 2 to fail over to.
        await using var home = new Home(Options(ports[2], ports[1]), "home-state", accept: true);

        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-state/availability" && m.Payload == "online", Wait, "availability online");
        var plan = await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-state/plan", Wait, "plan summary");
        var planJson = JsonDocument.Parse(plan.Payload).RootElement;
        Assert.Equal(3, planJson.GetProperty("slots").GetInt32());
        Assert.Equal("Optimal", planJson.GetProperty("status").GetString());
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-state/state" && Seq(m.Payload) >= 3, Wait, "three state messages");

        var first = JsonDocument.Parse(observer.Messages.First(m => m.Topic.EndsWith("/state", StringComparison.Ordinal)).Payload).RootElement;
        Assert.Equal(2300, first.GetProperty("gridW").GetDouble()); // the mean of a constant reading is the reading
        Assert.Equal(-1500, first.GetProperty("batteryW").GetDouble());
        Assert.Equal(63, first.GetProperty("socPercent").GetDouble());
        Assert.True(first.GetProperty("samples").GetInt32() >= 1);
        Assert.Equal(1, home.Link.Connections);

        // Node 3 dies: the home reconnects to node 2 and nothing it made is missing at the observer on node 1.
        Cluster.KillNode(2);
        await WaitUntilAsync(() => home.Link.Connections == 2 && home.Link.IsConnected, () => $"the home to reconnect to node 2 (health: {string.Join(" | ", home.Health)})");
        Assert.Contains(home.Health, p => p is not null); // degraded while the broker was gone
        Assert.Null(home.Health.Last());
        var upTo = home.Link.StateProduced + 2;
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-state/state" && Seq(m.Payload) >= upTo, Wait, $"state up to {upTo}");
        var seen = observer.Messages.Where(m => m.Topic == "edgeenergy/fleet/home-state/state").Select(m => Seq(m.Payload)).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(1, (int)seen[^1]).Select(i => (long)i), seen);
        Assert.Equal(0, home.Link.StateDropped);

        // Only the plan and availability are retained. RabbitMQ 3.10 keeps retained messages per node and sends them
        // for exact topics only (rabbitmq-server issue 8096): a late subscriber on the home's node now gets both.
        foreach (var (suffix, expected) in new[] { ("plan", (string?)null), ("availability", "online"), ("state", null) })
        {
            await using var late = await FleetObserver.ConnectAsync(RabbitMqCluster.Host, ports[1], $"edgeenergy/fleet/home-state/{suffix}");
            if (suffix == "state")
            {
                await late.WaitForAsync(m => !m.Retain, Wait, "a live state message");
                Assert.DoesNotContain(late.Messages, m => m.Retain);
            }
            else
            {
                var retained = await late.WaitForAsync(m => m.Retain, Wait, $"retained {suffix}");
                Assert.True(expected is null || retained.Payload == expected, retained.Payload);
            }
        }
    }

    [Fact]
    public async Task Fleet_commands_go_through_the_local_rules_and_are_audited_as_the_fleet()
    {
        var ports = Cluster.MqttPorts;
        await using var observer = await FleetObserver.ConnectAsync(RabbitMqCluster.Host, ports[0]);
        await using var home = new Home(Options(ports[1], ports[0]), "home-cmd", accept: true);
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-cmd/availability" && m.Payload == "online", Wait, "availability online");

        await observer.PublishAsync("edgeenergy/fleet/home-cmd/cmd/override_mode", """{"id":"c1","payload":"force-charge"}""");
        var accepted = await ResultAsync(observer, "home-cmd", "c1");
        Assert.True(accepted.GetProperty("result").GetString() == "accepted", accepted.ToString());
        Assert.Equal("fleet", accepted.GetProperty("source").GetString());
        var applied = home.Appliance.Current.UserOverride;
        Assert.NotNull(applied);
        Assert.Equal(OverrideMode.ForceCharge, applied.Mode);
        Assert.Equal("fleet", applied.Source);
        Assert.Equal(TimeSpan.FromMinutes(60), applied.ExpiresUtc - applied.StartUtc); // the local override duration
        Assert.Contains(home.Audit.Entries, e => e.Target == FleetMqttLink.AuditTarget && e.Command == "override_mode=force-charge" && e.Outcome == "accepted" && e.Reason == "source: fleet");

        // The same hard limits as Home Assistant's control: a reserve outside 10..90 % is refused with the reason.
        await observer.PublishAsync("edgeenergy/fleet/home-cmd/cmd/reserve_soc", """{"id":"c2","payload":"95"}""");
        var limited = await ResultAsync(observer, "home-cmd", "c2");
        Assert.Equal("rejected", limited.GetProperty("result").GetString());
        Assert.Contains("90", limited.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(home.Audit.Entries, e => e.Command == "reserve_soc=95" && e.Outcome == "rejected" && e.Reason!.StartsWith("source: fleet; ", StringComparison.Ordinal));

        // The control mode stays local.
        await observer.PublishAsync("edgeenergy/fleet/home-cmd/cmd/control_mode", """{"id":"c3","payload":"shadow"}""");
        Assert.Contains("not a fleet command", (await ResultAsync(observer, "home-cmd", "c3")).GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A re-sent command (same id) is answered again and not applied twice.
        var calls = home.Appliance.Calls.Count;
        await observer.PublishAsync("edgeenergy/fleet/home-cmd/cmd/override_mode", """{"id":"c1","payload":"force-charge"}""");
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-cmd/result" && m.Payload.Contains("\"id\":\"c1\"", StringComparison.Ordinal) && observer.Messages.Count(x => x.Payload.Contains("\"id\":\"c1\"", StringComparison.Ordinal)) >= 2, Wait, "second answer to c1");
        Assert.Equal(calls, home.Appliance.Calls.Count);

        // A plain local payload (no envelope) works too.
        await observer.PublishAsync("edgeenergy/fleet/home-cmd/cmd/override_mode", "auto");
        await WaitUntilAsync(() => home.Appliance.Current.UserOverride is null, "the plain 'auto' to clear the override");
    }

    [Fact]
    public async Task A_home_that_refuses_fleet_control_answers_with_the_reason_and_applies_nothing()
    {
        var ports = Cluster.MqttPorts;
        await using var observer = await FleetObserver.ConnectAsync(RabbitMqCluster.Host, ports[1]);
        await using var home = new Home(Options(ports[0], ports[1]), "home-refuses", accept: false);
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-refuses/availability" && m.Payload == "online", Wait, "availability online");

        await observer.PublishAsync("edgeenergy/fleet/home-refuses/cmd/override_mode", """{"id":"r1","payload":"force-charge"}""");
        var refused = await ResultAsync(observer, "home-refuses", "r1");
        Assert.Equal("rejected", refused.GetProperty("result").GetString());
        Assert.Equal(FleetMqttLink.RefusedByHome, refused.GetProperty("reason").GetString());
        Assert.Null(home.Appliance.Current.UserOverride);
        Assert.Empty(home.Appliance.Calls);
        Assert.Contains(home.Audit.Entries, e => e.Outcome == "rejected" && e.Reason == $"source: fleet; {FleetMqttLink.RefusedByHome}");

        // The home's process dies (its connection drops without a goodbye): the broker publishes its last will.
        await home.Link.DisposeAsync();
        await observer.WaitForAsync(m => m.Topic == "edgeenergy/fleet/home-refuses/availability" && m.Payload == "offline", TimeSpan.FromSeconds(30), "the last will 'offline'");
    }

    private static long Seq(string json) => JsonDocument.Parse(json).RootElement.GetProperty("seq").GetInt64();

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(condition, () => what);

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out waiting for {what()}");
            }

            await Task.Delay(20);
        }
    }
}
