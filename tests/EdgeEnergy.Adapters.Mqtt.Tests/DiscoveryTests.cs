using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Mqtt;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>Discovery as Home Assistant sees it, captured from a real Mosquitto with mosquitto_sub.</summary>
public class DiscoveryTests
{
    private static int ExpectedConfigMessages(MqttOptions options) =>
        new DiscoveryBuilder(EntityDefinitionLoader.LoadFolder(EntityDefinitionLoader.DefaultFolder), options, BridgeHarness.Limits, "test")
            .Build(FakeAppliance.Sample.Immersions, []).Count;

    private static bool IsConfig(CapturedMessage m) => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Topic.EndsWith("/config", StringComparison.Ordinal);

    [Theory]
    [InlineData("device")]
    [InlineData("entity")]
    public async Task Discovery_and_birth_republish_pass_the_checker_with_policy_checks(string mode)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        var options = BridgeHarness.FastOptions(broker.Port, mode);
        var expected = ExpectedConfigMessages(options);
        await using var bridge = await BridgeHarness.StartAsync(options);
        await WaitForConfigsAsync(live, expected, after: -1);

        var birth = live.Mark;
        await MosquittoPublisher.PublishAsync(broker.Port, Topics.HomeAssistantStatus, "online");
        await WaitForConfigsAsync(live, expected, after: birth);

        var liveResult = await DiscoveryCheckerRunner.RunAsync(live.Capture);
        Assert.True(liveResult.ExitCode == 0, liveResult.Output);
        Assert.Contains($"{2 * expected} passed, 0 failed", liveResult.Output, StringComparison.Ordinal);

        // A Home Assistant that starts later gets the configs from the broker's retained store.
        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        await WaitForConfigsAsync(late, expected, after: -1);
        Assert.All(late.Messages.Where(IsConfig), m => Assert.True(m.Retained, $"{m.Topic} was not retained"));
        var retainedResult = await DiscoveryCheckerRunner.RunAsync(late.Capture, "--require-retain");
        Assert.True(retainedResult.ExitCode == 0, retainedResult.Output);
        Assert.Contains($"{expected} passed, 0 failed", retainedResult.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_config_topic_is_published_again_after_the_birth_message()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#", "edgeenergy/state/#");
        var options = BridgeHarness.FastOptions(broker.Port, "entity");
        var expected = ExpectedConfigMessages(options);
        await using var bridge = await BridgeHarness.StartAsync(options);
        await WaitForConfigsAsync(live, expected, after: -1);
        var before = live.Messages.Where(IsConfig).Select(m => m.Topic).ToHashSet();

        var birth = live.Mark;
        await MosquittoPublisher.PublishAsync(broker.Port, Topics.HomeAssistantStatus, "online");
        await WaitForConfigsAsync(live, expected, after: birth);
        await live.WaitForAsync(m => m.Topic == Topics.State("battery_soc"), after: birth);

        var after = live.Messages.Where(m => m.Index > birth && IsConfig(m)).Select(m => m.Topic).ToHashSet();
        Assert.True(before.SetEquals(after), $"only before: {string.Join(", ", before.Except(after))}; only after: {string.Join(", ", after.Except(before))}");
    }

    [Fact]
    public async Task A_disabled_feature_is_removed_with_an_empty_retained_config_in_entity_mode()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var full = BridgeHarness.FastOptions(broker.Port, "entity");
        var diagnosticsTopic = Topics.EntityConfig("sensor", "prices_updated");
        await using (var first = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#"))
        {
            await using var bridge = await BridgeHarness.StartAsync(full);
            await WaitForConfigsAsync(first, ExpectedConfigMessages(full), after: -1);
            Assert.NotEmpty(first.Latest(diagnosticsTopic)!);
        }

        await using var live = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        var reduced = BridgeHarness.FastOptions(broker.Port, "entity", "diagnostics");
        await using (var bridge = await BridgeHarness.StartAsync(reduced))
        {
            await live.WaitForAsync(diagnosticsTopic, "", after: live.Mark);
            var checker = await DiscoveryCheckerRunner.RunAsync(live.Capture);
            Assert.True(checker.ExitCode == 0, checker.Output);
        }

        await using var late = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        await late.WaitForAsync(m => m.Topic == Topics.EntityConfig("sensor", "battery_soc"));
        Assert.DoesNotContain(late.Messages, m => m.Topic == diagnosticsTopic);
        Assert.DoesNotContain(late.Messages, m => m.Topic == Topics.EntityConfig("sensor", "inverter_writes"));
    }

    [Fact]
    public async Task A_disabled_feature_leaves_only_its_platform_in_the_device_config_and_unique_ids_stay_stable()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        JsonObject firstComponents;
        await using (var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(broker.Port, "device")))
        {
            await using var sub = await MosquittoSubscriber.StartAsync(broker.Port, Topics.DeviceConfig);
            firstComponents = Components(await sub.WaitForAsync(m => m.Topic == Topics.DeviceConfig));
        }

        await using var live = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        await using var second = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(broker.Port, "device", "diagnostics"));
        var secondComponents = Components(await live.WaitForAsync(m => m.Topic == Topics.DeviceConfig && !m.Retained));

        Assert.Equal("""{"platform":"sensor"}""", secondComponents["prices_updated"]!.ToJsonString());
        Assert.Equal("""{"platform":"sensor"}""", secondComponents["inverter_writes"]!.ToJsonString());
        foreach (var (key, component) in secondComponents)
        {
            if (component!.AsObject().Count > 1)
            {
                Assert.Equal(firstComponents[key]!["unique_id"]!.GetValue<string>(), component["unique_id"]!.GetValue<string>());
            }
        }

        Assert.Equal("edgeenergy_battery_soc", secondComponents["battery_soc"]!["unique_id"]!.GetValue<string>());
        var checker = await DiscoveryCheckerRunner.RunAsync(live.Capture);
        Assert.True(checker.ExitCode == 0, checker.Output);
    }

    [Fact]
    public async Task An_immersion_heater_that_goes_away_is_removed_while_running()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var live = await MosquittoSubscriber.StartAsync(broker.Port, "homeassistant/#");
        await using var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(broker.Port, "entity"));
        var switchTopic = Topics.EntityConfig("switch", "immersion_tank");
        await live.WaitForAsync(m => m.Topic == switchTopic && m.Payload.Length > 0);

        var mark = live.Mark;
        bridge.Appliance.Update(s => s with { Immersions = [] });

        await live.WaitForAsync(switchTopic, "", after: mark);
        await live.WaitForAsync(Topics.EntityConfig("button", "immersion_tank_boost"), "", after: mark);
    }

    private static JsonObject Components(CapturedMessage message) => JsonNode.Parse(message.Payload)!["components"]!.AsObject();

    private static async Task WaitForConfigsAsync(MosquittoSubscriber subscriber, int expected, int after)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (subscriber.Messages.Count(m => m.Index > after && IsConfig(m)) < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"expected {expected} config messages, got {subscriber.Messages.Count(m => m.Index > after && IsConfig(m))}");
            await Task.Delay(20);
        }
    }
}
