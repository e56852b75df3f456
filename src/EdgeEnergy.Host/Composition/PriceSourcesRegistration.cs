using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>Octopus import and export prices and the meters' billed consumption (<c>Octopus</c> section). Needs <see cref="HistoryRegistration.AddHistory"/>.</summary>
public static class PriceSourcesRegistration
{
    public static IServiceCollection AddPriceSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<OctopusOptions>()
            .Bind(configuration.GetSection(OctopusOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OctopusOptions>, OctopusOptionsValidator>());
        services.AddHttpClient<IPriceSource, OctopusPriceSource>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout);
        services.TryAddSingleton<PricePollState>();
        services.TryAddTransient<PriceUpdater>();
        return services.AddBilledConsumption(configuration);
    }

    /// <summary>
    /// The billed half-hourly consumption of the meters in <c>Octopus:ImportMpan</c>/<c>ImportSerial</c> (and export)
    /// with <c>Octopus:ApiKey</c>; registered always, used only when a meter is configured (<see cref="IBilledConsumptionSource.Supports"/>).
    /// </summary>
    public static IServiceCollection AddBilledConsumption(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<OctopusOptions>()
            .Bind(configuration.GetSection(OctopusOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OctopusOptions>, OctopusOptionsValidator>());
        services.AddHttpClient<IBilledConsumptionSource, OctopusConsumptionSource>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout);
        return services;
    }
}
