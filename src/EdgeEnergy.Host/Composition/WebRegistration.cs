using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using EdgeEnergy.Host.Configuration;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// Wires the web side: the <c>Http</c> options, the appliance status store, the metrics and their Prometheus export,
/// the API and the dashboard. The host calls <see cref="AddEdgeEnergyWeb"/> on its services and
/// <see cref="MapEdgeEnergyWeb"/> on the built <see cref="WebApplication"/>.
/// </summary>
public static class WebRegistration
{
    /// <summary>
    /// Registers <see cref="HttpOptions"/> (validated at start), one <see cref="ApplianceStatusStore"/> as both
    /// <see cref="IApplianceStatus"/> and <see cref="IApplianceStatusPublisher"/>, <see cref="EdgeEnergyMetrics"/>
    /// and the Prometheus bridge. <c>POST /api/v1/prices/update</c> uses a registered <see cref="IPriceRefreshTrigger"/>,
    /// or the price store's updater when <c>AddPriceSources</c> ran before this call.
    /// </summary>
    public static IServiceCollection AddEdgeEnergyWeb(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<HttpOptions, HttpOptionsValidator>()
            .Bind(configuration.GetSection(HttpOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ApplianceStatusStore>();
        services.TryAddSingleton<IApplianceStatus>(sp => sp.GetRequiredService<ApplianceStatusStore>());
        services.TryAddSingleton<IApplianceStatusPublisher>(sp => sp.GetRequiredService<ApplianceStatusStore>());
        services.TryAddSingleton<EdgeEnergyMetrics>();
        services.TryAddSingleton<PrometheusMeterBridge>();
        services.AddOptionsWithValidateOnStart<FleetOptions>().Bind(configuration.GetSection(FleetOptions.SectionName)).ValidateAnnotations<FleetOptions, FleetOptionsAnnotations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FleetOptions>, FleetOptionsValidator>());
        services.AddHttpClient<FleetMetricsPusher>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetMetricsPusher>());
        services.TryAddSingleton<RecommendationResponder>();
        services.TryAddSingleton<PriceRefreshGate>();
        services.TryAddSingleton<DashboardAssets>();
        // With the price store wired (AddPriceSources before this call), the API's "fetch now" runs its updater.
        if (services.Any(d => d.ServiceType == typeof(Data.PriceUpdater)))
        {
            services.TryAddTransient<IPriceRefreshTrigger, PriceUpdaterRefreshTrigger>();
        }

        return services;
    }

    /// <summary>
    /// Binds Kestrel to <c>Http:Urls</c>, requires the bearer token when <c>Http:Token</c> is set and maps the API,
    /// <c>/healthz</c>, <c>/metrics</c> and the dashboard. Call before <c>RunAsync</c>.
    /// </summary>
    public static WebApplication MapEdgeEnergyWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<HttpOptions>>().Value;
        app.Urls.Clear();
        foreach (var url in options.UrlList)
        {
            app.Urls.Add(url);
        }

        app.UseMiddleware<BearerTokenMiddleware>();
        WebEndpoints.Map(app);
        app.Lifetime.ApplicationStarted.Register(() =>
            app.Logger.WebListening(string.Join(", ", app.Urls), options.TokenRequired ? "required" : "not required (loopback only)"));
        return app;
    }
}
