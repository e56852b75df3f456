using System.Text;
using EdgeEnergy.Adapters.Mqtt.Commands;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing.Appliance;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>The command path without a broker: bytes in, outcome out.</summary>
public sealed class CommandHandlerTests : IDisposable
{
    private readonly FakeAppliance _appliance = new(new InMemoryOverrideStore(), BridgeHarness.Limits, TimeProvider.System);

    public void Dispose() => _appliance.Dispose();

    private static EntityInstance Instance(string key) =>
        new DiscoveryBuilder(EntityDefinitionLoader.LoadFolder(EntityDefinitionLoader.DefaultFolder), new MqttOptions(), BridgeHarness.Limits, "1.0")
            .Instances(FakeAppliance.Sample.Immersions).Single(i => i.Key == key);

    private Task<CommandOutcome> HandleAsync(string key, byte[] payload, OverrideLimits? limits = null) =>
        new CommandHandler(_appliance, _appliance, limits ?? BridgeHarness.Limits, TimeProvider.System).HandleAsync(Instance(key), key, payload, retained: false, CancellationToken.None);

    [Fact]
    public async Task A_payload_that_is_not_UTF8_is_rejected()
    {
        var outcome = await HandleAsync("override_mode", [0x66, 0xff, 0xfe]);

        Assert.False(outcome.Accepted);
        Assert.Equal("payload is not valid UTF-8", outcome.Reason);
        Assert.Empty(_appliance.Calls);
    }

    [Fact]
    public async Task When_the_appliance_refuses_a_value_the_command_is_rejected_with_its_reason()
    {
        // Looser limits in the adapter than in the appliance: the appliance's own check still holds.
        var loose = BridgeHarness.Limits with { MaxReserveSocPercent = 100 };

        var outcome = await HandleAsync("reserve_soc", Encoding.UTF8.GetBytes("95"), loose);

        Assert.False(outcome.Accepted);
        Assert.Contains("reserve 95 % outside the hard limits", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(_appliance.Calls);
    }

    [Fact]
    public async Task The_status_json_echoes_a_shortened_payload()
    {
        var outcome = await HandleAsync("override_mode", Encoding.UTF8.GetBytes(new string('z', 300)));

        var json = System.Text.Json.Nodes.JsonNode.Parse(outcome.ToJson())!;
        Assert.Equal("rejected", json["result"]!.GetValue<string>());
        Assert.Equal(101, json["payload"]!.GetValue<string>().Length);
    }
}
