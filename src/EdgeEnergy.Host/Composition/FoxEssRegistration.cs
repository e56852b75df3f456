using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using EdgeEnergy.Host.Configuration;

namespace EdgeEnergy.Host.Composition;

public static class FoxEssRegistration
{
    /// <summary>The Fox inverter from the <c>Inverter</c> section (Endpoint, Family, Unit, and the tuning keys of
    /// <see cref="FoxEssOptions"/>), validated at start; one shared Modbus connection per bus; the inverter as
    /// <see cref="IInverterTelemetrySource"/> and <see cref="IBatteryModeController"/>.</summary>
    public static IServiceCollection AddFoxEss(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<FoxEssOptions>()
            .Bind(configuration.GetSection(FoxEssOptions.SectionName))
            .ValidateAnnotations<FoxEssOptions, FoxEssOptionsAnnotations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FoxEssOptions>, FoxEssOptionsValidator>());
        services.TryAddModbusBuses();
        services.TryAddSingleton<FoxEssDevice>();
        services.TryAddSingleton<IInverterTelemetrySource>(sp => sp.GetRequiredService<FoxEssDevice>());
        services.TryAddSingleton<IBatteryModeController>(sp => sp.GetRequiredService<FoxEssDevice>());
        services.TryAddSingleton<INativeScheduleWriter>(sp => sp.GetRequiredService<FoxEssDevice>());
        // Active → shadow hands the inverter back to the settings it had before EdgeEnergy's first write.
        services.TryAddSingleton<IInverterHandBack>(sp => sp.GetRequiredService<FoxEssDevice>());
        return services;
    }

    /// <summary>The one <see cref="ModbusBusRegistry"/> (one connection per physical bus, shared by the inverter and relay
    /// boards); its buses record into the host's <see cref="EdgeEnergyMetrics"/> when the web side registered it, and
    /// every write on them passes the service's <see cref="WriteGate"/>.</summary>
    internal static IServiceCollection TryAddModbusBuses(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddControlMode();
        services.TryAddSingleton(sp => new ModbusBusRegistry(
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>(), sp.GetService<EdgeEnergyMetrics>(), sp.GetRequiredService<WriteGate>()));
        return services;
    }
}
