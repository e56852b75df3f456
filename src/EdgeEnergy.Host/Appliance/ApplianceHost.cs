using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Demo;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;

namespace EdgeEnergy.Host.Appliance;

/// <summary>The whole appliance as one web host: Modbus, prices, forecasts, history, planning, control, MQTT, API.</summary>
internal static class ApplianceHost
{
    /// <param name="configuration">The whole configuration (the host's own sources are cleared).</param>
    /// <param name="replayPrices">Prices from the bundled replay instead of Octopus (the demo).</param>
    /// <param name="minimumLevel">The lowest log level written.</param>
    /// <param name="adjustServices">Runs after every appliance service is registered (the soak swaps in its clock and runs the
    /// scheduled jobs itself, tests/EdgeEnergy.Soak); null in the service.</param>
    public static WebApplication Build(IConfiguration configuration, bool replayPrices = false, LogLevel minimumLevel = LogLevel.Information,
        Action<IServiceCollection>? adjustServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSystemd();

        AddAppliance(builder.Services, builder.Configuration, replayPrices);
        adjustServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapEdgeEnergyWeb();
        return app;
    }

    /// <summary>Every service of the appliance (also what the start-up configuration check validates the options of).</summary>
    public static void AddAppliance(IServiceCollection services, IConfiguration config, bool replayPrices)
    {
        services.AddHistory(config);
        services.AddPriceSources(config);
        services.AddOctopusAccount(config, poll: !replayPrices);
        if (replayPrices)
        {
            services.Replace(ServiceDescriptor.Transient<IPriceSource, ReplayPriceSource>());
            services.Replace(ServiceDescriptor.Transient<IStandingChargeSource, ReplayStandingCharges>());
        }

        services.AddSolcast(config);
        services.AddHomeAssistantRest(config);
        services.AddFoxEss(config);
        services.AddImmersionRelays(config);
        services.AddEvcc(config);
        services.AddEdgeEnergyCore(config);
        services.AddScheduling(config);
        services.AddEdgeEnergyWeb(config);
        services.AddHomeAssistantMqtt(config);
    }
}
