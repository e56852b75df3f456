using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Host.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>Solcast PV forecasts (<c>Solcast</c> section) with the call budget kept in the store. Needs <see cref="HistoryRegistration.AddHistory"/>.</summary>
public static class SolcastRegistration
{
    public static IServiceCollection AddSolcast(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<SolcastOptions>()
            .Bind(configuration.GetSection(SolcastOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SolcastOptions>, SolcastOptionsValidator>());
        services.AddHttpClient<IPvForecastSource, SolcastForecastSource>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<SolcastOptions>>().Value.Timeout);
        services.TryAddTransient<ForecastUpdater>();
        return services;
    }
}
