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
        services.AddBilledConsumption(configuration);
        services.AddHttpClient<IPriceSource, OctopusPriceSource>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout).AddHttpMessageHandler<OctopusCallBudgetHandler>();
        // The standing charges of the tariffs in force, for the daily bills: the same client, two calls per kind a day.
        services.AddHttpClient<IStandingChargeSource, OctopusPriceSource>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout).AddHttpMessageHandler<OctopusCallBudgetHandler>();
        services.TryAddSingleton<PricePollState>();
        services.TryAddTransient<PriceUpdater>();
        return services;
    }

    /// <summary>
    /// The Octopus account (<c>Octopus:AccountNumber</c> with <c>Octopus:ApiKey</c>): its tariffs and meters, and
    /// Intelligent Octopus Go's dispatches (GraphQL), read by <see cref="OctopusAccountUpdater"/>; with
    /// <paramref name="poll"/> (the appliance) also the service that polls them. Every call counts against the one
    /// <see cref="OctopusCallBudget"/>. With <see cref="AddPriceSources"/> and the store, a tariff change refetches prices.
    /// </summary>
    public static IServiceCollection AddOctopusAccount(this IServiceCollection services, IConfiguration configuration, bool poll)
    {
        services.AddBilledConsumption(configuration);
        services.AddHttpClient<OctopusAccountClient>((sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout).AddHttpMessageHandler<OctopusCallBudgetHandler>();
        services.AddHttpClient(nameof(OctopusGraphQlClient), (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout).AddHttpMessageHandler<OctopusCallBudgetHandler>();
        // One client for the process: it holds the Kraken token.
        services.TryAddSingleton(sp => new OctopusGraphQlClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(OctopusGraphQlClient)), sp.GetRequiredService<IOptions<OctopusOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OctopusGraphQlClient>>()));
        // Saving Sessions from the account when there is one; without, none (the appliance's default).
        services.Replace(ServiceDescriptor.Singleton<Domain.SavingSessions.ISavingSessionSource>(sp =>
            sp.GetRequiredService<IOptions<OctopusOptions>>().Value.AccountConfigured
                ? new OctopusSavingSessionSource(sp.GetRequiredService<OctopusGraphQlClient>(), sp.GetRequiredService<IOptions<OctopusOptions>>(), sp.GetRequiredService<ILogger<OctopusSavingSessionSource>>())
                : new Domain.SavingSessions.NoSavingSessions()));
        services.TryAddSingleton<OctopusDispatchSource>();
        services.TryAddSingleton<OctopusDispatchState>();
        services.TryAddSingleton<IPlannedDispatches>(sp => sp.GetRequiredService<OctopusDispatchState>());
        services.TryAddTransient<OctopusAccountUpdater>();
        if (poll)
        {
            services.AddHostedService<OctopusAccountService>();
        }

        return services;
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
        // Discovered products win unless the configuration names one (OctopusAccountState): so whether it does is kept.
        var section = configuration.GetSection(OctopusOptions.SectionName);
        services.TryAddSingleton(new OctopusAccountState(
            importProductExplicit: section[nameof(OctopusOptions.ImportProduct)] is not null, exportProductExplicit: section[nameof(OctopusOptions.ExportProduct)] is not null));
        services.TryAddSingleton<OctopusCallBudget>();
        services.TryAddTransient<OctopusCallBudgetHandler>();
        if (!services.Any(d => d.ServiceType == typeof(IBilledConsumptionSource)))
        {
            services.AddHttpClient<IBilledConsumptionSource, OctopusConsumptionSource>((sp, client) =>
                client.Timeout = sp.GetRequiredService<IOptions<OctopusOptions>>().Value.Timeout).AddHttpMessageHandler<OctopusCallBudgetHandler>();
        }

        return services;
    }
}
