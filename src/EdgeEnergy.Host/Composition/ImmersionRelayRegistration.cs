using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Adapters.Modbus.Relays;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// Immersion relays (<c>Site:Immersions[i]:Relay</c>): a Modbus coil per heater, on the bus registry shared with the
/// inverter, or a Home Assistant switch (<c>homeassistant://switch.immersion</c>, needs <c>HomeAssistant:*</c>); the
/// control loop switches them per the plan.
/// </summary>
public static class ImmersionRelayRegistration
{
    public static IServiceCollection AddImmersionRelays(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ModbusBusRegistry(sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        services.AddOptionsWithValidateOnStart<SiteOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiteOptions>, RelayAddressValidator>());
        services.TryAddSingleton(sp =>
        {
            var site = sp.GetRequiredService<IOptions<SiteOptions>>().Value;
            var buses = sp.GetRequiredService<ModbusBusRegistry>();
            var relays = new List<ImmersionRelay>();
            for (var i = 0; i < site.Immersions.Count; i++)
            {
                var immersion = site.Immersions[i];
                if (string.IsNullOrWhiteSpace(immersion.Relay))
                {
                    continue;
                }

                if (immersion.Relay.StartsWith(HomeAssistantSwitch.Scheme, StringComparison.Ordinal))
                {
                    relays.Add(new ImmersionRelay(immersion, new HomeAssistantSwitch(
                        immersion.Relay[HomeAssistantSwitch.Scheme.Length..], sp.GetRequiredService<IEntityStateReader>(), sp.GetRequiredService<IEntityServiceCaller>())));
                    continue;
                }

                var address = ModbusRelayAddress.Parse(immersion.Relay, $"Site:Immersions:{i}:Relay");
                var lease = buses.Acquire(address.Endpoint, new ModbusBusOptions());
                relays.Add(new ImmersionRelay(immersion, new ModbusCoilRelay(new ModbusClient(lease.Bus, address.Unit), address.Coil)));
            }

            return new ImmersionSwitcher(relays, sp.GetRequiredService<IAuditLog>(), sp.GetService<IReplanRequester>(), sp.GetRequiredService<ILogger<ImmersionSwitcher>>());
        });
        return services;
    }

    /// <summary>Each bad relay address, with its key and what is wrong.</summary>
    public static IReadOnlyList<string> RelayProblems(SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var problems = new List<string>();
        for (var i = 0; i < site.Immersions.Count; i++)
        {
            if (site.Immersions[i].Relay is { } ha && ha.StartsWith(HomeAssistantSwitch.Scheme, StringComparison.Ordinal))
            {
                if (!HomeAssistantSwitch.IsEntityId(ha[HomeAssistantSwitch.Scheme.Length..]))
                {
                    problems.Add($"Site:Immersions:{i}:Relay '{ha}': expected homeassistant://switch.immersion (an entity id after the scheme)");
                }
            }
            else if (site.Immersions[i].Relay is { Length: > 0 } relay)
            {
                try
                {
                    ModbusRelayAddress.Parse(relay, $"Site:Immersions:{i}:Relay");
                }
                catch (FormatException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        return problems;
    }
}

/// <summary>Checks every <c>Site:Immersions:N:Relay</c> at start; each message names the key and what is wrong.</summary>
internal sealed class RelayAddressValidator : IValidateOptions<SiteOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteOptions options) =>
        ImmersionRelayRegistration.RelayProblems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
