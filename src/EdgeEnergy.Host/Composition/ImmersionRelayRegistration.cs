using EdgeEnergy.Adapters.Gpio;
using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Adapters.Modbus.Relays;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// Immersion relays (<c>Site:Immersions[i]:Relay</c>): a Modbus coil per heater, on the bus registry shared with the
/// inverter, a Home Assistant switch (<c>homeassistant://switch.immersion</c>, needs <c>HomeAssistant:*</c>), or a
/// Raspberry Pi GPIO line (<c>gpio://17?chip=0&amp;active=low</c>, through libgpiod; the <see cref="GpioRelayBank"/>
/// drives every GPIO relay off when the host stops); the control loop switches them per the plan.
/// </summary>
public static class ImmersionRelayRegistration
{
    public static IServiceCollection AddImmersionRelays(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddModbusBuses();
        services.AddOptionsWithValidateOnStart<SiteOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiteOptions>, RelayAddressValidator>());
        services.TryAddSingleton<IGpioChipOpener>(_ => new LibGpiodChipOpener());
        services.TryAddControlMode();
        services.TryAddSingleton(sp => new GpioRelayBank(sp.GetRequiredService<IGpioChipOpener>(), sp.GetService<ILoggerFactory>(), sp.GetRequiredService<WriteGate>()));
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

                var key = $"Site:Immersions:{i}:Relay";
                if (immersion.Relay.StartsWith(GpioRelayAddress.Scheme, StringComparison.Ordinal))
                {
                    relays.Add(new ImmersionRelay(immersion, sp.GetRequiredService<GpioRelayBank>().Open(GpioRelayAddress.Parse(immersion.Relay, key), key)));
                    continue;
                }

                var address = ModbusRelayAddress.Parse(immersion.Relay, key);
                var lease = buses.Acquire(address.Endpoint, new ModbusBusOptions());
                relays.Add(new ImmersionRelay(immersion, new ModbusCoilRelay(new ModbusClient(lease.Bus, address.Unit), address.Coil)));
            }

            return new ImmersionSwitcher(relays, sp.GetRequiredService<IAuditLog>(), sp.GetService<IReplanRequester>(), sp.GetRequiredService<ILogger<ImmersionSwitcher>>(), sp.GetService<ImmersionDelivery>());
        });
        return services;
    }

    /// <summary>Each bad relay address, with its key and what is wrong.</summary>
    public static IReadOnlyList<string> RelayProblems(SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var problems = new List<string>();
        var gpioLines = new Dictionary<(int Chip, int Pin), string>();
        for (var i = 0; i < site.Immersions.Count; i++)
        {
            var key = $"Site:Immersions:{i}:Relay";
            if (site.Immersions[i].Relay is { } gpio && gpio.StartsWith(GpioRelayAddress.Scheme, StringComparison.Ordinal))
            {
                try
                {
                    var line = GpioRelayAddress.Parse(gpio, key);
                    if (!gpioLines.TryAdd((line.Chip, line.Pin), key))
                    {
                        problems.Add($"{key} '{gpio}': {line} is already the relay of {gpioLines[(line.Chip, line.Pin)]}");
                    }
                }
                catch (FormatException e)
                {
                    problems.Add(e.Message);
                }
            }
            else if (site.Immersions[i].Relay is { } ha && ha.StartsWith(HomeAssistantSwitch.Scheme, StringComparison.Ordinal))
            {
                if (!HomeAssistantSwitch.IsEntityId(ha[HomeAssistantSwitch.Scheme.Length..]))
                {
                    problems.Add($"{key} '{ha}': expected homeassistant://switch.immersion (an entity id after the scheme)");
                }
            }
            else if (site.Immersions[i].Relay is { Length: > 0 } relay)
            {
                try
                {
                    ModbusRelayAddress.Parse(relay, key);
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
