using EdgeEnergy.Adapters.Http.Evcc;
using EdgeEnergy.Adapters.Mqtt;
using EdgeEnergy.Control.Ev;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Host.Appliance;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using EdgeEnergy.Host.Configuration;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// The car through evcc (<c>Ev</c> section): the evcc client, the car's part of planning and the loop that drives the
/// loadpoint. Always registered, so the section is always validated; with <c>Ev:EvccUrl</c> empty nothing calls evcc
/// and no car is planned. Needs <see cref="HistoryRegistration.AddHistory"/> (the audit log).
/// </summary>
public static class EvccRegistration
{
    public static IServiceCollection AddEvcc(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddControlMode();
        services.AddOptionsWithValidateOnStart<EvOptions>().Bind(configuration.GetSection(EvOptions.SectionName)).ValidateAnnotations<EvOptions, EvOptionsAnnotations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EvOptions>, EvOptionsValidator>());
        services.AddHttpClient<EvccClient>((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<EvOptions>>().Value.Timeout);
        services.TryAddTransient<IEvChargerState>(sp => sp.GetRequiredService<EvccClient>());
        services.TryAddTransient<IEvChargerControl>(sp => sp.GetRequiredService<EvccClient>());
        // One instance: the planning cycle and the driving loop share what was planned and what was last seen.
        services.TryAddSingleton(sp => new EvCharging(
            sp.GetRequiredService<IEvChargerState>(), sp.GetRequiredService<IEvChargerControl>(), sp.GetRequiredService<IOptions<EvOptions>>(),
            sp.GetRequiredService<Domain.Status.IApplianceStatusPublisher>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EvCharging>>(), sp.GetService<IReplanRequester>(), sp.GetService<IEvChoices>()));
        // The car's Home Assistant entities (feature "ev") exist only with a car: without one they are removed.
        services.AddOptions<MqttOptions>().PostConfigure<IOptions<EvOptions>>((mqtt, ev) =>
        {
            if (!ev.Value.Enabled && !mqtt.DisabledFeatures.Contains("ev"))
            {
                mqtt.DisabledFeatures.Add("ev");
            }
        });
        services.AddHostedService<EvChargingService>();
        return services;
    }
}
