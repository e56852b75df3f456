using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>The SQLite store (<c>Storage</c> section) behind every history port.</summary>
public static class HistoryRegistration
{
    public static IServiceCollection AddHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<SqliteRateStore>();
        services.TryAddSingleton<IRateStore>(sp => sp.GetRequiredService<SqliteRateStore>());
        services.TryAddSingleton<SqlitePvForecastStore>();
        services.TryAddSingleton<IPvForecastStore>(sp => sp.GetRequiredService<SqlitePvForecastStore>());
        services.TryAddSingleton<IApiCallLedger>(sp => sp.GetRequiredService<SqlitePvForecastStore>());
        services.TryAddSingleton<ITelemetryStore, SqliteTelemetryStore>();
        services.TryAddSingleton<SqlitePlanLog>();
        services.TryAddSingleton<IPlanLog>(sp => sp.GetRequiredService<SqlitePlanLog>());
        services.TryAddSingleton<IPlanHistory>(sp => sp.GetRequiredService<SqlitePlanLog>());
        services.TryAddSingleton<IPlannedForecastHistory>(sp => sp.GetRequiredService<SqlitePlanLog>());
        services.TryAddSingleton<IAuditLog, SqliteAuditLog>();
        services.TryAddSingleton<SqliteOverrideStore>();
        services.TryAddSingleton<IOverrideStore>(sp => sp.GetRequiredService<SqliteOverrideStore>());
        services.TryAddSingleton<ISettingsStore, SqliteSettingsStore>();
        services.TryAddSingleton<IImmersionDeliveryStore, SqliteImmersionDeliveryStore>();
        services.TryAddSingleton<IHistoryRetention, SqliteRetention>();
        return services;
    }
}
