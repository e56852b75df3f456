using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing.Appliance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>Runs a <see cref="HomeAssistantMqttBridge"/> against a broker port with a <see cref="FakeAppliance"/> behind it.</summary>
internal sealed class BridgeHarness : IAsyncDisposable
{
    public static readonly OverrideLimits Limits = new()
    {
        MaxChargePowerW = 3000,
        MaxDischargePowerW = 2500,
        MinReserveSocPercent = 10,
        MaxReserveSocPercent = 90,
        MinDurationMinutes = 5,
        MaxDurationMinutes = 720,
        DefaultDurationMinutes = 60,
    };

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private BridgeHarness(MqttOptions options, FakeAppliance appliance, TimeProvider time, ILogger<HomeAssistantMqttBridge> logger)
    {
        Options = options;
        Appliance = appliance;
        Bridge = new HomeAssistantMqttBridge(Microsoft.Extensions.Options.Options.Create(options), appliance, appliance, Limits, time, logger);
        _run = Task.Run(() => Bridge.RunAsync(_stop.Token));
    }

    public MqttOptions Options { get; }

    public FakeAppliance Appliance { get; }

    public HomeAssistantMqttBridge Bridge { get; }

    public static MqttOptions FastOptions(int port, string mode = "device", params string[] disabledFeatures)
    {
        var options = new MqttOptions
        {
            Host = "127.0.0.1",
            Port = port,
            DiscoveryMode = mode,
            ConnectionCheckSeconds = 0.2,
            KeepAliveSeconds = 5,
            StateIntervalSeconds = 0.1,
            HeartbeatSeconds = 600,
            ClientId = $"edgeenergy-test-{Guid.NewGuid():N}",
        };
        foreach (var feature in disabledFeatures)
        {
            options.DisabledFeatures.Add(feature);
        }

        Assert.True(new MqttOptionsValidator().Validate(null, options).Succeeded);
        return options;
    }

    public static async Task<BridgeHarness> StartAsync(
        MqttOptions options, TimeProvider? time = null, IOverrideStore? store = null, FakeAppliance? appliance = null, ILogger<HomeAssistantMqttBridge>? logger = null)
    {
        time ??= TimeProvider.System;
        appliance ??= new FakeAppliance(store ?? new InMemoryOverrideStore(), Limits, time);
        await appliance.InitializeAsync(CancellationToken.None);
        return new BridgeHarness(options, appliance, time, logger ?? NullLogger<HomeAssistantMqttBridge>.Instance);
    }

    /// <summary>Stops the bridge the way the host does (availability offline, clean disconnect).</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(15));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Bridge.DisposeAsync();
        Appliance.Dispose();
        _stop.Dispose();
    }
}
