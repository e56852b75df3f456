using EdgeEnergy.Adapters.Mqtt;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>Home Assistant over MQTT: options <c>Mqtt:*</c> (docs/contracts.md section 4).</summary>
public static class MqttRegistration
{
    /// <summary>
    /// Registers the MQTT bridge as a hosted service (and the embedded broker when <c>Mqtt:EmbeddedBroker</c> is true and
    /// <c>Mqtt:Host</c> is empty). Needs <see cref="Domain.Status.IApplianceStatus"/>,
    /// <see cref="Domain.Status.IApplianceCommands"/> and the hard limits (<see cref="Domain.UserOverrides.OverrideLimits"/>,
    /// <see cref="HardLimitsRegistration.AddHardLimits"/>) registered by the caller. Without a host and without the
    /// embedded broker, MQTT is off (logged at start).
    /// </summary>
    public static IServiceCollection AddHomeAssistantMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<MqttOptions, MqttOptionsValidator>()
            .Bind(configuration.GetSection(MqttOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HomeAssistantMqttBridge>();
        services.AddHostedService<MqttHostedService>();
        // The fleet broker (Fleet:Mqtt:*, options bound with Fleet by AddWeb): off while Fleet:Mqtt:Host is empty.
        services.AddHostedService<Appliance.FleetMqttService>();
        return services;
    }
}

/// <summary>Runs the embedded broker (when asked) and the bridge for the lifetime of the host.</summary>
internal sealed partial class MqttHostedService(
    IOptions<MqttOptions> options,
    IServiceProvider services,
    ILogger<MqttHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var embedded = string.IsNullOrWhiteSpace(o.Host);
        if (embedded && !o.EmbeddedBroker)
        {
            LogMqttOff(logger);
            return;
        }

        await using var broker = embedded ? new EmbeddedBroker(o.EmbeddedBrokerPort, services.GetRequiredService<ILogger<EmbeddedBroker>>()) : null;
        if (broker is not null)
        {
            await broker.StartAsync();
        }

        var bridge = services.GetRequiredService<HomeAssistantMqttBridge>();
        await bridge.RunAsync(stoppingToken);
    }

    [LoggerMessage(6090, LogLevel.Information, "MQTT is off: Mqtt:Host is empty and Mqtt:EmbeddedBroker is false")]
    private static partial void LogMqttOff(ILogger logger);
}
