using System.Text.Json;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.State;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using IOverrideStore = EdgeEnergy.Domain.UserOverrides.IOverrideStore;
using Override = EdgeEnergy.Domain.UserOverrides.Override;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>The user's override kept in the settings table of the SQLite store, so it survives a restart.</summary>
internal sealed class SettingsOverrideStore(ISettingsStore settings) : IOverrideStore
{
    private const string Key = "override";

    public async Task<Override?> LoadAsync(CancellationToken cancellationToken)
    {
        var json = await settings.GetAsync(Key, cancellationToken);
        return string.IsNullOrEmpty(json) || json == "null" ? null : JsonSerializer.Deserialize<Override>(json, PlanJson.Output);
    }

    public Task SaveAsync(Override? value, CancellationToken cancellationToken) =>
        settings.SetAsync(Key, value is null ? "null" : JsonSerializer.Serialize(value, PlanJson.Output), cancellationToken);
}

/// <summary>
/// Home Assistant's view (<see cref="ApplianceState"/>) projected from the appliance status the control loop
/// publishes, so there is one source of truth.
/// </summary>
internal sealed class ApplianceStateProjection(
    IApplianceStatus status, OverrideService overrides, RuntimeSettings runtime, IOptions<SiteOptions> site, TimeProvider time,
    ImmersionSwitcher? immersions = null) : IApplianceStateSource
{
    public ApplianceState Current
    {
        get
        {
            var s = status.Current;
            var now = time.GetUtcNow();
            var plan = s.Plan;
            var t = plan?.SlotAt(now) ?? -1;
            var next = plan is null || t < 0 ? null : plan.Plan.Slots.Skip(t + 1).FirstOrDefault(x => x.Mode != plan.Plan.Slots[t].Mode);
            double? Price(int slot, bool import) => plan is null || slot < 0 || slot >= plan.Problem.Slots.Count
                ? null
                : import ? plan.Problem.Slots[slot].ImportPence : plan.Problem.Slots[slot].ExportPence;
            DateTimeOffset? Fresh(string source) => s.Sources.FirstOrDefault(f => f.Source.StartsWith(source, StringComparison.Ordinal))?.LastSuccessUtc;
            return new ApplianceState
            {
                BatterySocPercent = s.Telemetry?.BatterySocPercent,
                BatteryPowerW = s.Telemetry?.BatteryPowerW,
                PvPowerW = s.Telemetry?.PvPowerW,
                GridPowerW = s.Telemetry?.GridPowerW,
                LoadPowerW = s.Telemetry?.LoadPowerW,
                ImportPricePencePerKwh = Price(t, true),
                NextImportPricePencePerKwh = Price(t + 1, true),
                ExportPricePencePerKwh = Price(t, false),
                NextExportPricePencePerKwh = Price(t + 1, false),
                PlanStatus = plan?.Plan.Status,
                CurrentAction = s.Recommendation?.Mode,
                CurrentActionReason = s.Recommendation?.Reason,
                NextAction = next?.Mode,
                NextActionStartUtc = next?.Start,
                ExpectedCostTodayPence = s.CostToday?.CostPence,
                ExpectedCostTodayWithoutBatteryPence = s.CostToday?.NoBatteryCostPence,
                PricesUpdatedUtc = Fresh("octopus") ?? plan?.CreatedUtc,
                ForecastUpdatedUtc = Fresh("solcast"),
                TelemetryUpdatedUtc = s.Telemetry?.MeasuredAtUtc,
                FallbackActive = s.Fallback.Active,
                FallbackCause = s.Fallback.Cause,
                ReserveSocPercent = runtime.ReserveSocPercent ?? site.Value.ReserveSocPercent,
                Immersions = site.Value.Immersions.Select(i => new ImmersionState(i.Id, i.Name, runtime.ImmersionEnabled(i.Id), immersions?.IsOn(i.Id) ?? false, immersions?.BoostUntil(i.Id))).ToArray(),
                Override = overrides.Current,
                OverrideDurationMinutes = runtime.OverrideDurationMinutes,
            };
        }
    }
}

/// <summary>Settings a person changes at run time (reserve, override duration, immersion switches); in memory.</summary>
internal sealed class RuntimeSettings
{
    private readonly HashSet<string> _disabledImmersions = new(StringComparer.Ordinal);

    public double? ReserveSocPercent { get; set; }

    public int OverrideDurationMinutes { get; set; } = 60;

    public bool ImmersionEnabled(string id)
    {
        lock (_disabledImmersions)
        {
            return !_disabledImmersions.Contains(id);
        }
    }

    public void SetImmersionEnabled(string id, bool enabled)
    {
        lock (_disabledImmersions)
        {
            _ = enabled ? _disabledImmersions.Remove(id) : _disabledImmersions.Add(id);
        }
    }
}

/// <summary>What a valid command from Home Assistant does.</summary>
internal sealed class ApplianceCommands(
    OverrideService overrides, RuntimeSettings runtime, IOptions<SiteOptions> site, IReplanRequester? replan,
    ImmersionSwitcher? immersions = null, TimeProvider? time = null) : IApplianceCommands
{
    public async Task SetOverrideAsync(Override? value, CancellationToken cancellationToken)
    {
        await overrides.SetAsync(value, cancellationToken);
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken)
    {
        runtime.OverrideDurationMinutes = minutes;
        await overrides.RetimeAsync(minutes, cancellationToken);
    }

    public async Task SetReserveSocAsync(double percent, CancellationToken cancellationToken)
    {
        if (percent < site.Value.BatteryMinSocPercent || percent > 100)
        {
            throw new ArgumentException($"reserve must be between the battery's own minimum {site.Value.BatteryMinSocPercent}% and 100%", nameof(percent));
        }

        runtime.ReserveSocPercent = percent;
        await ReplanNowAsync(cancellationToken);
    }

    public async Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken)
    {
        Known(id);
        runtime.SetImmersionEnabled(id, enabled);
        await ReplanNowAsync(cancellationToken);
    }

    public Task BoostImmersionAsync(string id, CancellationToken cancellationToken)
    {
        Known(id);
        if (immersions is null || !immersions.Has(id))
        {
            throw new ArgumentException($"immersion '{id}': no relay is configured (Site:Immersions:N:Relay), so it cannot be boosted");
        }

        var minutes = site.Value.Immersions.First(i => i.Id == id).BoostMinutes;
        immersions.Boost(id, (time ?? TimeProvider.System).GetUtcNow().AddMinutes(minutes));
        return Task.CompletedTask;
    }

    public Task ReplanNowAsync(CancellationToken cancellationToken) =>
        replan?.RequestReplanAsync(PlanningTrigger.Manual, cancellationToken) ?? Task.CompletedTask;

    private void Known(string id)
    {
        if (!site.Value.Immersions.Any(i => i.Id == id))
        {
            throw new ArgumentException($"no immersion heater '{id}' is configured", nameof(id));
        }
    }
}
