using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Restores what a person set before the restart, before the control loop and MQTT start: the override in force and
/// the user settings, both published into the appliance snapshot.
/// </summary>
internal sealed class UserStateLoader(OverrideService overrides, UserSettings settings, IApplianceStatusPublisher status) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await overrides.InitializeAsync(cancellationToken);
        var restored = overrides.Current;
        status.Update(s => s with { UserOverride = restored });
        await settings.LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What a valid command from Home Assistant does.</summary>
/// <remarks>Each change is published into the appliance snapshot at once, so Home Assistant sees it at the next state round.</remarks>
internal sealed class ApplianceCommands(
    OverrideService overrides, UserSettings settings, IApplianceStatusPublisher status, IOptions<SiteOptions> site, IReplanRequester? replan,
    ImmersionSwitcher? immersions, TimeProvider time, ControlModeService mode) : IApplianceCommands
{
    /// <summary>Why an override (or a boost) is refused in shadow mode.</summary>
    internal const string ShadowRefusal = "refused: EdgeEnergy is in shadow mode and writes nothing (set Mode to active to command the inverter)";

    public async Task SetOverrideAsync(Override? value, CancellationToken cancellationToken)
    {
        if (value is not null && mode.Mode == ControlMode.Shadow)
        {
            throw new ArgumentException(ShadowRefusal, nameof(value));
        }

        await overrides.SetAsync(value, cancellationToken);
        PublishOverride();
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken)
    {
        await settings.SetOverrideDurationAsync(minutes, cancellationToken);
        await overrides.RetimeAsync(minutes, cancellationToken);
        PublishOverride();
    }

    public async Task SetReserveSocAsync(double percent, CancellationToken cancellationToken)
    {
        await settings.SetReserveSocAsync(percent, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken)
    {
        await settings.SetImmersionEnabledAsync(id, enabled, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public Task BoostImmersionAsync(string id, CancellationToken cancellationToken)
    {
        Known(id);
        if (mode.Mode == ControlMode.Shadow)
        {
            throw new ArgumentException(ShadowRefusal, nameof(id));
        }

        if (immersions is null || !immersions.Has(id))
        {
            throw new ArgumentException($"immersion '{id}': no relay is configured (Site:Immersions:N:Relay), so it cannot be boosted");
        }

        var minutes = site.Value.Immersions.First(i => i.Id == id).BoostMinutes;
        var until = time.GetUtcNow().AddMinutes(minutes);
        immersions.Boost(id, until);
        status.Update(s => s with { Immersions = [.. s.Immersions.Select(i => i.Id == id ? i with { BoostUntilUtc = until } : i)] });
        return Task.CompletedTask;
    }

    public async Task SetEvDepartureAsync(TimeSpan departureLocal, string source, CancellationToken cancellationToken)
    {
        await settings.SetEvDepartureAsync(departureLocal, source, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetEvTargetSocAsync(int percent, string source, CancellationToken cancellationToken)
    {
        await settings.SetEvTargetSocAsync(percent, source, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetEvChargeNowAsync(bool chargeNow, string source, CancellationToken cancellationToken)
    {
        await settings.SetEvChargeNowAsync(chargeNow, source, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public Task<string> SetControlModeAsync(ControlMode value, CancellationToken cancellationToken) =>
        mode.RequestAsync(value, "mqtt", cancellationToken);

    public Task ReplanNowAsync(CancellationToken cancellationToken) =>
        replan?.RequestReplanAsync(PlanningTrigger.Manual, cancellationToken) ?? Task.CompletedTask;

    private void PublishOverride()
    {
        var current = overrides.Current;
        status.Update(s => s with { UserOverride = current });
    }

    private void Known(string id)
    {
        if (!site.Value.Immersions.Any(i => i.Id == id))
        {
            throw new ArgumentException($"no immersion heater '{id}' is configured", nameof(id));
        }
    }
}
