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

    [Fact]
    public async Task The_mode_select_answers_pending_to_a_first_active_from_shadow_and_accepted_to_its_confirmation()
    {
        _appliance.Update(s => s with { Mode = Domain.Control.ControlMode.Shadow });

        var first = System.Text.Json.Nodes.JsonNode.Parse((await HandleAsync("control_mode", Encoding.UTF8.GetBytes("active"))).ToJson())!;
        Assert.Equal("pending", first["result"]!.GetValue<string>());
        Assert.StartsWith("confirm within 2 minutes", first["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Domain.Control.ControlMode.Shadow, _appliance.Current.Mode);

        var second = await HandleAsync("control_mode", Encoding.UTF8.GetBytes("active"));
        Assert.Equal("accepted", System.Text.Json.Nodes.JsonNode.Parse(second.ToJson())!["result"]!.GetValue<string>());
        Assert.Equal(Domain.Control.ControlMode.Active, _appliance.Current.Mode);

        var bad = await HandleAsync("control_mode", Encoding.UTF8.GetBytes("sideways"));
        Assert.False(bad.Accepted);
        Assert.Equal("mode 'sideways' is neither active nor shadow", bad.Reason);
        Assert.Equal(["mode active", "mode active"], _appliance.Calls);
    }
}
