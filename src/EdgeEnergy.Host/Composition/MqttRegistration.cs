using EdgeEnergy.Adapters.Mqtt;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>Home Assistant over MQTT: options <c>Mqtt:*</c> (docs/contracts.md section 4) and the hard limits <c>Overrides:*</c>.</summary>
public static class MqttRegistration
{
    /// <summary>Configuration section of the hard limits commands are checked against.</summary>
    public const string LimitsSectionName = "Overrides";

    /// <summary>
    /// Registers the MQTT bridge as a hosted service (and the embedded broker when <c>Mqtt:EmbeddedBroker</c> is true and
    /// <c>Mqtt:Host</c> is empty). Needs <see cref="Domain.Status.IApplianceStatus"/> and
    /// <see cref="Domain.Status.IApplianceCommands"/> registered by the caller. Without a host and without the embedded
    /// broker, MQTT is off (logged at start).
    /// </summary>
    public static IServiceCollection AddHomeAssistantMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<MqttOptions, MqttOptionsValidator>()
            .Bind(configuration.GetSection(MqttOptions.SectionName));
        services.AddOptionsWithValidateOnStart<OverrideLimits, OverrideLimitsValidator>()
            .Bind(configuration.GetSection(LimitsSectionName));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OverrideLimits>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HomeAssistantMqttBridge>();
        services.AddHostedService<MqttHostedService>();
        return services;
    }
}

/// <summary>Checks the <c>Overrides:*</c> hard limits; messages name the keys.</summary>
public sealed class OverrideLimitsValidator : IValidateOptions<OverrideLimits>
{
    public ValidateOptionsResult Validate(string? name, OverrideLimits options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{MqttRegistration.LimitsSectionName}: {p}"));
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
