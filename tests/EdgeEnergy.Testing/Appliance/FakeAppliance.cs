using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.State;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Testing.Appliance;

/// <summary>
/// A stand-in for the control loop behind <see cref="IApplianceStateSource"/> and <see cref="IApplianceCommands"/>:
/// overrides go through the real <see cref="OverrideService"/> (hard limits, persistence, expiry); everything else is
/// recorded so tests can see exactly what a command did. <see cref="Update"/> changes the published snapshot.
/// </summary>
public sealed class FakeAppliance : IApplianceStateSource, IApplianceCommands, IDisposable
{
    private readonly OverrideService _overrides;
    private readonly OverrideLimits _limits;
    private readonly Lock _lock = new();
    private ApplianceState _state;

    public FakeAppliance(IOverrideStore store, OverrideLimits limits, TimeProvider time, ApplianceState? initial = null)
    {
        _limits = limits;
        _overrides = new OverrideService(store, limits, time);
        _state = initial ?? Sample;
    }

    /// <summary>A plausible winter-evening snapshot with one immersion heater ("tank").</summary>
    public static ApplianceState Sample { get; } = new()
    {
        BatterySocPercent = 63,
        BatteryPowerW = -1500,
        PvPowerW = 0,
        GridPowerW = 2300,
        LoadPowerW = 800,
        GridImportEnergyKwh = 1234.567,
        GridExportEnergyKwh = 321.5,
        ImportPricePencePerKwh = 21.4,
        NextImportPricePencePerKwh = 35.2,
        ExportPricePencePerKwh = 12.1,
        NextExportPricePencePerKwh = 15.0,
        PlanStatus = Domain.Planning.PlanStatus.Optimal,
        CurrentAction = SlotMode.Charge,
        CurrentActionReason = "charging at 21.4p to cover the 16:00-19:00 peak at 35p",
        NextAction = SlotMode.Discharge,
        NextActionStartUtc = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero),
        ExpectedCostTodayPence = 182.4,
        ExpectedCostTodayWithoutBatteryPence = 311.9,
        PricesUpdatedUtc = new DateTimeOffset(2026, 11, 27, 16, 5, 0, TimeSpan.Zero),
        ForecastUpdatedUtc = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero),
        TelemetryUpdatedUtc = new DateTimeOffset(2026, 11, 27, 14, 59, 55, TimeSpan.Zero),
        InverterWrites = 42,
        InverterWriteFailures = 1,
        FallbackActive = false,
        ReserveSocPercent = 20,
        Immersions = [new ImmersionState("tank", "Tank", Enabled: true, Heating: false)],
        OverrideDurationMinutes = 60,
    };

    public ApplianceState Current
    {
        get
        {
            lock (_lock)
            {
                return _state with { Override = _overrides.Current };
            }
        }
    }

    public int Replans { get; private set; }

    public IReadOnlyList<string> Boosts => _boosts;

    private readonly List<string> _boosts = [];

    /// <summary>Every call that changed something, in order (e.g. "reserve 35", "override force-charge").</summary>
    public IReadOnlyList<string> Calls => _calls;

    private readonly List<string> _calls = [];

    public Task InitializeAsync(CancellationToken cancellationToken) => _overrides.InitializeAsync(cancellationToken);

    public void Update(Func<ApplianceState, ApplianceState> change)
    {
        lock (_lock)
        {
            _state = change(_state);
        }
    }

    public async Task SetOverrideAsync(Override? value, CancellationToken cancellationToken)
    {
        await _overrides.SetAsync(value, cancellationToken);
        Record($"override {value?.Mode.ToWire() ?? "auto"}");
    }

    public async Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken)
    {
        if (minutes < _limits.MinDurationMinutes || minutes > _limits.MaxDurationMinutes)
        {
            throw new ArgumentException($"duration {minutes} min outside the hard limits", nameof(minutes));
        }

        await _overrides.RetimeAsync(minutes, cancellationToken);
        Update(s => s with { OverrideDurationMinutes = minutes });
        Record($"duration {minutes}");
    }

    public Task SetReserveSocAsync(double percent, CancellationToken cancellationToken)
    {
        if (percent < _limits.MinReserveSocPercent || percent > _limits.MaxReserveSocPercent)
        {
            throw new ArgumentException($"reserve {percent} % outside the hard limits", nameof(percent));
        }

        Update(s => s with { ReserveSocPercent = percent });
        Record($"reserve {percent}");
        return Task.CompletedTask;
    }

    public Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken)
    {
        Update(s => s with { Immersions = s.Immersions.Select(i => i.Id == id ? i with { Enabled = enabled } : i).ToArray() });
        Record($"immersion {id} {(enabled ? "on" : "off")}");
        return Task.CompletedTask;
    }

    public Task BoostImmersionAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _boosts.Add(id);
        }

        Update(s => s with { Immersions = s.Immersions.Select(i => i.Id == id ? i with { Heating = true } : i).ToArray() });
        Record($"boost {id}");
        return Task.CompletedTask;
    }

    public Task ReplanNowAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Replans++;
        }

        Record("replan");
        return Task.CompletedTask;
    }

    private void Record(string call)
    {
        lock (_lock)
        {
            _calls.Add(call);
        }
    }

    public void Dispose() => _overrides.Dispose();
}
