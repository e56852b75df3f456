using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Domain.Fallback;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>The Home Assistant REST fallback path (<c>HomeAssistant</c> section): entity reads and service calls.</summary>
public static class HomeAssistantRegistration
{
    public static IServiceCollection AddHomeAssistantRest(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Every service call passes the write gate (the HTTP client takes it from the container).
        services.TryAddControlMode();
        services.AddOptionsWithValidateOnStart<HomeAssistantOptions>()
            .Bind(configuration.GetSection(HomeAssistantOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HomeAssistantOptions>, HomeAssistantOptionsValidator>());
        services.AddHttpClient<HomeAssistantRestClient>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<HomeAssistantOptions>>().Value.Timeout);
        services.TryAddTransient<IEntityStateReader>(sp => sp.GetRequiredService<HomeAssistantRestClient>());
        services.TryAddTransient<IEntityServiceCaller>(sp => sp.GetRequiredService<HomeAssistantRestClient>());

        // The control loop's second path to the battery, used when Modbus is down for Control:HomeAssistantAfterFailedPolls polls.
        services.TryAddTransient<HomeAssistantBattery>();
        return services;
    }
}
