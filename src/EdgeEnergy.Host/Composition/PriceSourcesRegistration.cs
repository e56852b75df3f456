using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>Octopus Agile import and Agile Outgoing export prices (<c>Octopus</c> section). Needs <see cref="HistoryRegistration.AddHistory"/>.</summary>
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
        return services;
    }
}
