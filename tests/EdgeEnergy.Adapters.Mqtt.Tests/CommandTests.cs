using System.Text.Json.Nodes;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing.Mqtt;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>Commands sent with mosquitto_pub, as Home Assistant sends them; effects seen on the broker and the appliance.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private MosquittoSubscriber _watch = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _watch = await MosquittoSubscriber.StartAsync(_broker.Port, "edgeenergy/#");
    }

    public async Task DisposeAsync()
    {
        await _watch.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));

    private async Task<BridgeHarness> StartBridgeAsync(TimeProvider? time = null, IOverrideStore? store = null)
    {
        var bridge = await BridgeHarness.StartAsync(BridgeHarness.FastOptions(_broker.Port), time, store);
        // The car's departure is the last state of the full publish after connecting (definitions are published in file order).
        var mark = _watch.Mark;
        await _watch.WaitForAsync(m => m.Topic == Topics.State("ev_departure"), after: mark);
        return bridge;
    }

    private async Task<JsonNode> SendAsync(string key, string payload)
    {
        var mark = _watch.Mark;
        await MosquittoPublisher.PublishAsync(_broker.Port, Topics.Command(key), payload);
        var status = await _watch.WaitForAsync(m => m.Topic == Topics.Status, after: mark);
        return JsonNode.Parse(status.Payload)!;
    }

    [Fact]
    public async Task A_mode_override_is_applied_for_the_configured_duration_and_shown_in_state()
    {
        var time = Clock();
        await using var bridge = await StartBridgeAsync(time);
        var mark = _watch.Mark;

        var status = await SendAsync("override_mode", "force-charge");

        Assert.Equal("accepted", status["result"]!.GetValue<string>());
        var applied = bridge.Appliance.Current.UserOverride!;
        Assert.Equal(OverrideMode.ForceCharge, applied.Mode);
        Assert.Equal(time.GetUtcNow().AddMinutes(60), applied.ExpiresUtc);
        await _watch.WaitForAsync(Topics.State("override_mode"), "force-charge", after: mark);
        await _watch.WaitForAsync(Topics.State("override_remaining"), "60", after: mark);
    }

    [Fact]
    public async Task A_json_mode_command_carries_power_and_duration()
    {
        await using var bridge = await StartBridgeAsync();

        var status = await SendAsync("override_mode", """{"mode":"force-discharge","powerW":2000,"durationMinutes":30}""");

        Assert.Equal("accepted", status["result"]!.GetValue<string>());
        var applied = bridge.Appliance.Current.UserOverride!;
        Assert.Equal(OverrideMode.ForceDischarge, applied.Mode);
        Assert.Equal(2000, applied.PowerW);
        Assert.Equal(TimeSpan.FromMinutes(30), applied.ExpiresUtc - applied.StartUtc);
    }

    [Theory]
    [InlineData("override_mode", "turbo", "unknown mode 'turbo'")]
    [InlineData("override_mode", "Force-Charge", "unknown mode")]
    [InlineData("override_mode", "{\"mode\":\"force-charge\"", "malformed JSON")]
    [InlineData("override_mode", "{\"mode\":\"force-charge\",\"powerW\":9000}", "hard limit 0 < powerW <= 3000 W")]
    [InlineData("override_mode", "{\"mode\":\"hold\",\"speed\":3}", "unknown field 'speed'")]
    [InlineData("override_mode", "{\"mode\":\"hold\",\"durationMinutes\":100000}", "outside the hard limits 5..720 min")]
    [InlineData("override_duration", "0", "outside the hard limits 5..720 min")]
    [InlineData("override_duration", "12.5", "whole number of minutes")]
    [InlineData("override_duration", "soon", "is not a number")]
    [InlineData("reserve_soc", "95", "outside the hard limits 10..90%")]
    [InlineData("reserve_soc", "NaN", "is not a number")]
    [InlineData("immersion_tank", "MAYBE", "neither ON nor OFF")]
    [InlineData("immersion_tank_boost", "BOOST", "is not PRESS")]
    [InlineData("replan", "GO", "is not PRESS")]
    [InlineData("ev_departure", "7:30", "departure '7:30' is not a time of day HH:MM")]
    [InlineData("ev_departure", "24:00", "is not a time of day HH:MM")]
    [InlineData("ev_target_soc", "5", "car target SoC 5% is outside the hard limits 10..100%")]
    [InlineData("ev_target_soc", "80.5", "car target SoC 80.5 % is not a whole number")]
    [InlineData("ev_charge_now", "YES", "switch payload 'YES' is neither ON nor OFF")]
    [InlineData("grid_power", "5000", "no entity 'grid_power' takes commands")]
    [InlineData("no_such_entity", "1", "no entity 'no_such_entity' takes commands")]
    public async Task An_invalid_command_is_rejected_with_its_reason_applies_nothing_and_republishes_state(string key, string payload, string reason)
    {
        await using var bridge = await StartBridgeAsync();
        var stateTopic = Topics.State(key);
        var before = _watch.Latest(stateTopic);
        var mark = _watch.Mark;

        var status = await SendAsync(key, payload);

        Assert.Equal("rejected", status["result"]!.GetValue<string>());
        Assert.Equal(key, status["entity"]!.GetValue<string>());
        Assert.Contains(reason, status["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(bridge.Appliance.Calls);
        Assert.Null(bridge.Appliance.Current.UserOverride);
        if (before is not null && key != "grid_power")
        {
            // The unchanged state is published again so Home Assistant's control snaps back.
            var again = await _watch.WaitForAsync(m => m.Topic == stateTopic, after: mark);
            Assert.Equal(before, again.Payload);
        }
    }

    [Fact]
    public async Task An_empty_command_is_rejected()
    {
        await using var bridge = await StartBridgeAsync();

        var status = await SendAsync("reserve_soc", "");

        Assert.Equal("empty payload", status["reason"]!.GetValue<string>());
        Assert.Empty(bridge.Appliance.Calls);
    }

    [Fact]
    public async Task Reserve_switch_boost_and_replan_commands_reach_the_appliance()
    {
        await using var bridge = await StartBridgeAsync();
        var mark = _watch.Mark;

        Assert.Equal("accepted", (await SendAsync("reserve_soc", "35"))["result"]!.GetValue<string>());
        Assert.Equal("accepted", (await SendAsync("immersion_tank", "OFF"))["result"]!.GetValue<string>());
        Assert.Equal("accepted", (await SendAsync("immersion_tank_boost", "PRESS"))["result"]!.GetValue<string>());
        Assert.Equal("accepted", (await SendAsync("replan", "PRESS"))["result"]!.GetValue<string>());

        Assert.Equal(["reserve 35", "immersion tank off", "boost tank", "replan"], bridge.Appliance.Calls);
        await _watch.WaitForAsync(Topics.State("reserve_soc"), "35", after: mark);
        await _watch.WaitForAsync(Topics.State("immersion_tank"), "OFF", after: mark);
        await _watch.WaitForAsync(Topics.State("immersion_tank_heating"), "ON", after: mark);
    }

    [Fact]
    public async Task Car_departure_target_and_charge_now_reach_the_appliance_and_are_shown_in_state()
    {
        await using var bridge = await StartBridgeAsync();
        var mark = _watch.Mark;

        Assert.Equal("accepted", (await SendAsync("ev_departure", "06:45"))["result"]!.GetValue<string>());
        Assert.Equal("accepted", (await SendAsync("ev_target_soc", "90"))["result"]!.GetValue<string>());
        Assert.Equal("accepted", (await SendAsync("ev_charge_now", "ON"))["result"]!.GetValue<string>());

        Assert.Equal(["ev departure 06:45", "ev target 90", "ev charge now on"], bridge.Appliance.Calls);
        await _watch.WaitForAsync(Topics.State("ev_departure"), "06:45", after: mark);
        await _watch.WaitForAsync(Topics.State("ev_target_soc"), "90", after: mark);
        await _watch.WaitForAsync(Topics.State("ev_charge_now"), "ON", after: mark);
    }

    [Fact]
    public async Task Changing_the_duration_retimes_the_override_in_force()
    {
        var time = Clock();
        await using var bridge = await StartBridgeAsync(time);
        await SendAsync("override_mode", "hold");
        var mark = _watch.Mark;

        Assert.Equal("accepted", (await SendAsync("override_duration", "15"))["result"]!.GetValue<string>());

        Assert.Equal(time.GetUtcNow().AddMinutes(15), bridge.Appliance.Current.UserOverride!.ExpiresUtc);
        await _watch.WaitForAsync(Topics.State("override_duration"), "15", after: mark);
        await _watch.WaitForAsync(Topics.State("override_remaining"), "15", after: mark);
    }

    [Fact]
    public async Task An_override_expires_and_the_select_returns_to_auto()
    {
        var time = Clock();
        await using var bridge = await StartBridgeAsync(time);
        await SendAsync("override_mode", "force-discharge");
        var mark = _watch.Mark;

        time.Advance(TimeSpan.FromMinutes(59));
        await _watch.WaitForAsync(Topics.State("override_remaining"), "1", after: mark);
        Assert.NotNull(bridge.Appliance.Current.UserOverride);

        time.Advance(TimeSpan.FromMinutes(1));
        await _watch.WaitForAsync(Topics.State("override_mode"), "auto", after: mark);
        await _watch.WaitForAsync(Topics.State("override_remaining"), "0", after: mark);
        Assert.Null(bridge.Appliance.Current.UserOverride);
    }

    [Fact]
    public async Task State_is_published_on_change_only_until_the_heartbeat_republishes_everything()
    {
        var time = Clock();
        await using var bridge = await StartBridgeAsync(time);
        var mark = _watch.Mark;

        bridge.Appliance.Update(s => s with { Telemetry = s.Telemetry! with { BatterySocPercent = 64, PvPowerW = 1234 } });
        time.Advance(TimeSpan.FromSeconds(0.1));

        // A round publishes in definition-file order: battery_soc, grid_power, pv_power. Once the changed pv_power is
        // here, an unchanged grid_power published by the same round would be here too.
        await _watch.WaitForAsync(Topics.State("battery_soc"), "64", after: mark);
        var changed = await _watch.WaitForAsync(Topics.State("pv_power"), "1234", after: mark);
        Assert.DoesNotContain(_watch.Messages, m => m.Index > mark && m.Index < changed.Index && m.Topic == Topics.State("grid_power"));

        time.Advance(TimeSpan.FromSeconds(bridge.Options.HeartbeatSeconds));
        await _watch.WaitForAsync(Topics.State("grid_power"), "2300", after: changed.Index);
        await _watch.WaitForAsync(Topics.State("battery_soc"), "64", after: changed.Index);
    }

    [Fact]
    public async Task An_override_survives_a_restart_through_the_store()
    {
        var store = new InMemoryOverrideStore();
        await using (var first = await StartBridgeAsync(store: store))
        {
            await SendAsync("override_mode", "self-use");
        }

        var mark = _watch.Mark;
        await using var second = await StartBridgeAsync(store: store);

        Assert.Equal(OverrideMode.SelfUse, second.Appliance.Current.UserOverride!.Mode);
        await _watch.WaitForAsync(Topics.State("override_mode"), "self-use", after: mark);
    }

    [Fact]
    public async Task A_retained_command_is_not_applied_and_is_cleared_from_the_broker()
    {
        await MosquittoPublisher.PublishAsync(_broker.Port, Topics.Command("override_mode"), "force-charge", retain: true);
        var mark = _watch.Mark;

        await using var bridge = await StartBridgeAsync();

        var status = await _watch.WaitForAsync(m => m.Topic == Topics.Status, after: mark);
        Assert.Contains("retained command ignored", status.Payload, StringComparison.Ordinal);
        Assert.Null(bridge.Appliance.Current.UserOverride);

        // A later subscriber gets no retained command. The witness is a retained message on a topic subscribed in the
        // same SUBSCRIBE after the command topic: the broker sends each filter's retained messages in filter order, so
        // once the witness is here a retained command would already have arrived.
        var witness = $"edgeenergy-test/witness/{Guid.NewGuid():N}";
        await MosquittoPublisher.PublishAsync(_broker.Port, witness, "here", retain: true);
        await using var late = await MosquittoSubscriber.StartAsync(_broker.Port, Topics.Command("override_mode"), witness);
        var seen = await late.WaitForAsync(witness, "here");
        Assert.True(seen.Retained);
        Assert.DoesNotContain(late.Messages, m => m.Topic == Topics.Command("override_mode"));
    }
}
