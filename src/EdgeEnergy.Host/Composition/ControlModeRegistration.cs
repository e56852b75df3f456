using EdgeEnergy.Domain.Control;
using EdgeEnergy.Host.Appliance;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// The one <see cref="WriteGate"/> of the service, owned by the <see cref="ControlModeService"/> that decides the mode
/// (<c>Control:Mode</c> and the mode stored over MQTT). Every registration that builds a writer (Modbus buses, relays,
/// the Home Assistant service caller) calls this, so no writer is built without the gate.
/// </summary>
internal static class ControlModeRegistration
{
    public static IServiceCollection TryAddControlMode(this IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ControlModeService>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ControlModeService>().Gate);
        return services;
    }
}
