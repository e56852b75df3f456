using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Testing.Appliance;
using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Composition;

public class MqttRegistrationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        var limits = new OverrideLimits();
        var appliance = new FakeAppliance(new InMemoryOverrideStore(), limits, TimeProvider.System);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<IApplianceStatus>(appliance);
        builder.Services.AddSingleton<IApplianceCommands>(appliance);
        builder.Services.AddHomeAssistantMqtt(builder.Configuration);
        return builder.Build();
    }

    [Theory]
    [InlineData("", new[] { "ev" })]
    [InlineData("http://evcc.local:7070", new string[0])]
    public void The_cars_entities_are_a_feature_disabled_without_evcc(string evccUrl, string[] disabled)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ev:EvccUrl"] = evccUrl });
        builder.Services.AddEvcc(builder.Configuration);
        using var host = builder.Build();

        Assert.Equal(disabled, host.Services.GetRequiredService<IOptions<Adapters.Mqtt.MqttOptions>>().Value.DisabledFeatures);
    }

    [Theory]
    [InlineData("Mqtt:Port", "70000", "Mqtt:Port must be 1..65535")]
    [InlineData("Mqtt:DiscoveryMode", "all", "Mqtt:DiscoveryMode must be 'device' or 'entity'")]
    public async Task Bad_settings_stop_the_start_with_the_key_named(string key, string value, string expected)
    {
        using var host = Build(new() { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_fleet_broker_is_a_degraded_fleet_mqtt_component_with_the_reason()
    {
        var port = FreeTcpPort.Next(); // nothing listens there
        var settings = new Dictionary<string, string?>
        {
            ["Site:Id"] = "home-7", ["Fleet:Mqtt:Host"] = "127.0.0.1", ["Fleet:Mqtt:Port"] = $"{port}", ["Fleet:Mqtt:UseTls"] = "false",
        };
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        var limits = new OverrideLimits();
        var appliance = new FakeAppliance(new InMemoryOverrideStore(), limits, TimeProvider.System);
        var status = new ApplianceStatusStore();
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<IApplianceStatus>(appliance);
        builder.Services.AddSingleton<IApplianceCommands>(appliance);
        builder.Services.AddSingleton<IApplianceStatusPublisher>(status);
        builder.Services.AddOptions<Host.Web.FleetOptions>().Bind(builder.Configuration.GetSection("Fleet"));
        builder.Services.AddOptions<Control.SiteOptions>().Bind(builder.Configuration.GetSection("Site"));
        builder.Services.AddHomeAssistantMqtt(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!status.Current.Components.Any(c => c.Component == "fleet-mqtt") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var health = Assert.Single(status.Current.Components, c => c.Component == "fleet-mqtt");
        Assert.Equal(HealthState.Degraded, health.State);
        Assert.Contains($"fleet broker 127.0.0.1:{port} unreachable", health.Detail, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task With_the_embedded_broker_the_host_serves_Home_Assistant_on_loopback()
    {
        var port = FreeTcpPort.Next();
        using var host = Build(new()
        {
            ["Mqtt:EmbeddedBroker"] = "true",
            ["Mqtt:EmbeddedBrokerPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ConnectionCheckSeconds"] = "0.2",
        });
        await host.StartAsync();
        try
        {
            await FreeTcpPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10));
            // Discovery follows availability: wait for both, live or retained, so the broker has stored discovery
            // before the late subscriber asks (else it may see it live, unflagged, on a busy machine).
            await using (var sub = await MosquittoSubscriber.StartAsync(port, "edgeenergy/availability", "homeassistant/device/edgeenergy/config"))
            {
                await sub.WaitForAsync("edgeenergy/availability", "online");
                await sub.WaitForAsync(m => m.Topic == "homeassistant/device/edgeenergy/config" && m.Payload.Length > 0);
            }

            // A Home Assistant connecting later gets discovery from the embedded broker's retained store.
            await using var late = await MosquittoSubscriber.StartAsync(port, "homeassistant/device/edgeenergy/config");
            await late.WaitForAsync(m => m.Topic == "homeassistant/device/edgeenergy/config" && m.Retained);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
