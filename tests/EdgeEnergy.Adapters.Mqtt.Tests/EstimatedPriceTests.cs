using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Mqtt;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>
/// Issue 10 on MQTT, through a real Mosquitto: while the plan runs on estimated prices Home Assistant is told so, and
/// once Octopus publishes the real prices and the plan is rebuilt it is told they are published.
/// </summary>
public sealed class EstimatedPriceTests
{
    private const string NextImport = "edgeenergy/attributes/next_import_price";
    private const string PublishedUntil = "edgeenergy/attributes/prices_published_until";

    [Fact]
    public async Task Estimated_prices_are_marked_until_the_plan_is_rebuilt_on_published_ones()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var watch = await MosquittoSubscriber.StartAsync(broker.Port, NextImport, PublishedUntil, Topics.State("prices_published_until"));
        var now = DateTimeOffset.UtcNow;
        var slotStart = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.FromMinutes(30).Ticks, TimeSpan.Zero);
        // Published until the end of the current half hour; the next five on our estimates.
        (double, double, SlotMode, bool)[] Slots(bool estimated) =>
            [(21.4, 12.1, SlotMode.Charge, false), .. Enumerable.Range(1, 5).Select(i => (30.0 + i, 15.0, SlotMode.Hold, estimated))];
        var options = BridgeHarness.FastOptions(broker.Port);
        await using var bridge = await BridgeHarness.StartAsync(options);
        bridge.Appliance.Update(s => s with { Plan = FakeAppliance.Plan(slotStart, now, Slots(estimated: true)) });

        var estimated = await watch.WaitForAsync(m => m.Topic == NextImport && m.Payload.Contains("\"estimated\":true", StringComparison.Ordinal), timeoutSeconds: 15);
        Assert.Contains("\"price_source\":\"estimated\"", estimated.Payload, StringComparison.Ordinal);
        await watch.WaitForAsync(m => m.Topic == PublishedUntil && m.Payload.Contains("\"estimated_slots\":5", StringComparison.Ordinal));
        await watch.WaitForAsync(Topics.State("prices_published_until"), slotStart.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));

        // The real prices arrive; the replan replaces the estimates.
        var mark = watch.Mark;
        bridge.Appliance.Update(s => s with { Plan = FakeAppliance.Plan(slotStart, now.AddSeconds(1), Slots(estimated: false)) });

        var published = await watch.WaitForAsync(m => m.Topic == NextImport, after: mark);
        Assert.Contains("\"estimated\":false", published.Payload, StringComparison.Ordinal);
        Assert.Contains("\"price_source\":\"published\"", published.Payload, StringComparison.Ordinal);
        var summary = await watch.WaitForAsync(m => m.Topic == PublishedUntil, after: mark);
        Assert.StartsWith("{\"estimated_slots\":0,\"estimated_from\":null,", summary.Payload, StringComparison.Ordinal);
        await watch.WaitForAsync(Topics.State("prices_published_until"), slotStart.AddHours(3).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture), after: mark);
    }
}
