using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Host.Cli.Fleet;

/// <summary>
/// One lightweight home of <c>fleet simulate</c>: a snapshot with steady readings, and the appliance's command side
/// with the real <see cref="OverrideService"/> (hard limits, expiry) and the same limit checks as the appliance's
/// settings. No inverter, no planner.
/// </summary>
internal sealed class SimulatedHome : IApplianceStatus, IApplianceCommands, IDisposable
{
    private readonly OverrideService _overrides;
    private readonly OverrideLimits _limits;
    private readonly TimeProvider _time;
    private ApplianceSnapshot _snapshot;
    private int _applied;

    public SimulatedHome(int index, OverrideLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
        _overrides = new OverrideService(new InMemoryOverrideStore(), limits, time);
        _snapshot = new ApplianceSnapshot
        {
            Mode = ControlMode.Active,
            Telemetry = new LiveTelemetry
            {
                MeasuredAtUtc = time.GetUtcNow(),
                BatterySocPercent = 20 + (index * 7 % 70),
                BatteryPowerW = (index % 5 - 2) * 500,
                PvPowerW = index % 3 * 400,
                GridPowerW = 300 + (index % 11 * 100),
                LoadPowerW = 500 + (index % 7 * 150),
            },
            OverrideDurationMinutes = limits.DefaultDurationMinutes,
        };
    }

    /// <summary>Commands this home applied.</summary>
    public int Applied => Volatile.Read(ref _applied);

    public ApplianceSnapshot Current => Volatile.Read(ref _snapshot) with { UserOverride = _overrides.Current };

    public async Task SetOverrideAsync(Override? value, CancellationToken cancellationToken)
    {
        await _overrides.SetAsync(value, cancellationToken);
        Interlocked.Increment(ref _applied);
    }

    public async Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken)
    {
        if (minutes < _limits.MinDurationMinutes || minutes > _limits.MaxDurationMinutes)
        {
            throw new ArgumentException($"override duration must be {_limits.MinDurationMinutes}..{_limits.MaxDurationMinutes} min, got {minutes}", nameof(minutes));
        }

        await _overrides.RetimeAsync(minutes, cancellationToken);
        Update(s => s with { OverrideDurationMinutes = minutes });
    }

    public Task SetReserveSocAsync(double percent, CancellationToken cancellationToken)
    {
        if (percent < _limits.MinReserveSocPercent || percent > _limits.MaxReserveSocPercent)
        {
            throw new ArgumentException($"reserve must be {_limits.MinReserveSocPercent}..{_limits.MaxReserveSocPercent} %, got {percent}", nameof(percent));
        }

        Update(s => s with { ReserveSocPercent = percent });
        return Task.CompletedTask;
    }

    public Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken) =>
        throw new ArgumentException($"no immersion heater '{id}' is configured", nameof(id));

    public Task BoostImmersionAsync(string id, CancellationToken cancellationToken) =>
        throw new ArgumentException($"no immersion heater '{id}' is configured", nameof(id));

    public Task SetEvDepartureAsync(TimeSpan departureLocal, string source, CancellationToken cancellationToken) => Done();

    public Task SetEvTargetSocAsync(int percent, string source, CancellationToken cancellationToken) => Done();

    public Task SetEvChargeNowAsync(bool chargeNow, string source, CancellationToken cancellationToken) => Done();

    public Task ReplanNowAsync(CancellationToken cancellationToken) => Done();

    public Task<string> SetControlModeAsync(ControlMode mode, CancellationToken cancellationToken) =>
        throw new ArgumentException("the control mode is set at the home only");

    private Task Done()
    {
        Interlocked.Increment(ref _applied);
        return Task.CompletedTask;
    }

    private void Update(Func<ApplianceSnapshot, ApplianceSnapshot> change)
    {
        ApplianceSnapshot seen, next;
        do
        {
            seen = Volatile.Read(ref _snapshot);
            next = change(seen) with { Telemetry = seen.Telemetry! with { MeasuredAtUtc = _time.GetUtcNow() } };
        }
        while (Interlocked.CompareExchange(ref _snapshot, next, seen) != seen);

        Interlocked.Increment(ref _applied);
    }

    public void Dispose() => _overrides.Dispose();
}
