using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Testing.Appliance;

/// <summary>
/// A stand-in for the control loop behind <see cref="IApplianceStatus"/> and <see cref="IApplianceCommands"/>:
/// overrides go through the real <see cref="OverrideService"/> (hard limits, persistence, expiry); everything else is
/// recorded so tests can see exactly what a command did. <see cref="Update"/> changes the published snapshot.
/// </summary>
public sealed class FakeAppliance : IApplianceStatus, IApplianceCommands, IDisposable
{
    private readonly OverrideService _overrides;
    private readonly OverrideLimits _limits;
    private readonly Lock _lock = new();
    private ApplianceSnapshot _state;

    public FakeAppliance(IOverrideStore store, OverrideLimits limits, TimeProvider time, ApplianceSnapshot? initial = null)
    {
        _limits = limits;
        _overrides = new OverrideService(store, limits, time);
        _state = initial ?? Sample;
    }

    private static readonly DateTimeOffset s_planStart = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A plausible winter-evening snapshot with one immersion heater ("tank"), seen at 15:00 UTC on 2026-11-27: the plan
    /// charges now at 21.4p and 35.2p next, and discharges from 16:00.
    /// </summary>
    public static ApplianceSnapshot Sample { get; } = new()
    {
        Telemetry = new LiveTelemetry
        {
            MeasuredAtUtc = new DateTimeOffset(2026, 11, 27, 14, 59, 55, TimeSpan.Zero),
            BatterySocPercent = 63,
            BatteryPowerW = -1500,
            PvPowerW = 0,
            GridPowerW = 2300,
            LoadPowerW = 800,
            GridImportEnergyKwh = 1234.567,
            GridExportEnergyKwh = 321.5,
        },
        Plan = Plan(
            s_planStart,
            new DateTimeOffset(2026, 11, 27, 14, 30, 0, TimeSpan.Zero),
            [(21.4, 12.1, SlotMode.Charge, false), (35.2, 15.0, SlotMode.Charge, false), (35.9, 15.2, SlotMode.Discharge, false)]),
        Recommendation = new Recommendation
        {
            Mode = SlotMode.Charge,
            PowerW = -3000,
            Reason = "charging at 21.4p to cover the 16:00-19:00 peak at 35p",
            ValidUntilUtc = s_planStart.AddMinutes(30),
            Source = RecommendationSource.Plan,
        },
        CostToday = new CostToday { SinceUtc = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), CostPence = 182.4, NoBatteryCostPence = 311.9 },
        Sources =
        [
            new SourceFreshness { Source = "octopus-import", LastSuccessUtc = new DateTimeOffset(2026, 11, 27, 16, 5, 0, TimeSpan.Zero), MaxAge = TimeSpan.FromHours(30) },
            new SourceFreshness { Source = "solcast", LastSuccessUtc = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), MaxAge = TimeSpan.FromHours(12) },
        ],
        InverterWrites = 42,
        InverterWriteFailures = 1,
        ReserveSocPercent = 20,
        Immersions = [new ImmersionState("tank", "Tank", Enabled: true, Heating: false)],
        OverrideDurationMinutes = 60,
    };

    /// <summary>
    /// An optimal plan of half-hour slots from <paramref name="start"/>, each with its prices (pence/kWh), mode and
    /// whether its prices are estimated (issue 10) rather than published.
    /// </summary>
    public static ActivePlan Plan(DateTimeOffset start, DateTimeOffset createdUtc, IReadOnlyList<(double ImportPence, double ExportPence, SlotMode Mode, bool Estimated)> slots)
    {
        var problem = new PlanProblem
        {
            Start = start,
            Battery = new BatterySpec
            {
                CapacityKwh = 10.4, SocKwh = 6.5, MinSocKwh = 1.04, MaxSocKwh = 10.4, MaxChargeKw = 3, MaxDischargeKw = 3,
                ChargeEfficiency = 0.95, DischargeEfficiency = 0.95,
            },
            Slots = [.. slots.Select(x => new SlotInput { ImportPence = x.ImportPence, ExportPence = x.ExportPence, LoadKwh = 0.4, PricesEstimated = x.Estimated })],
        };
        var soc = problem.Battery.SocKwh;
        var planned = new List<PlanSlot>();
        foreach (var (x, i) in slots.Select((x, i) => (x, i)))
        {
            var charge = x.Mode == SlotMode.Charge ? 1.4 : 0;
            var discharge = x.Mode == SlotMode.Discharge ? 0.6 : 0;
            soc += charge * 0.95 - discharge / 0.95;
            planned.Add(new PlanSlot
            {
                Start = problem.SlotStart(i),
                ImportKwh = Math.Max(0, 0.4 + charge - discharge),
                ExportKwh = 0,
                ChargeKwh = charge,
                DischargeKwh = discharge,
                PvUsedKwh = 0,
                SocKwh = soc,
                ImmersionKwh = new Dictionary<string, double>(),
                Mode = x.Mode,
                Reason = x.Mode == SlotMode.Charge ? "cheap before the peak" : "peak",
                PricesEstimated = x.Estimated,
            });
        }

        return new ActivePlan(problem, new Plan { Status = PlanStatus.Optimal, ObjectivePence = 42, SolveMilliseconds = 12, Slots = planned }, createdUtc);
    }

    public ApplianceSnapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _state with { UserOverride = _overrides.Current };
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

    public void Update(Func<ApplianceSnapshot, ApplianceSnapshot> change)
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

    public Task SetEvDepartureAsync(TimeSpan departureLocal, string source, CancellationToken cancellationToken) =>
        SetEv(e => e with { DepartureLocal = departureLocal }, $"ev departure {departureLocal:hh\\:mm}");

    public Task SetEvTargetSocAsync(int percent, string source, CancellationToken cancellationToken) =>
        SetEv(e => e with { TargetSocPercent = percent }, $"ev target {percent}");

    public Task SetEvChargeNowAsync(bool chargeNow, string source, CancellationToken cancellationToken) =>
        SetEv(e => e with { ChargeNow = chargeNow }, $"ev charge now {(chargeNow ? "on" : "off")}");

    /// <summary>A car choice into the snapshot (from the defaults 07:30, 80 % when none was shown yet).</summary>
    private Task SetEv(Func<Domain.Ev.EvChoice, Domain.Ev.EvChoice> change, string call)
    {
        Update(s => s with { Ev = change(s.Ev ?? new Domain.Ev.EvChoice(new TimeSpan(7, 30, 0), 80, false)) });
        Record(call);
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

    /// <summary>Answers a mode request as the appliance does, without a store or an inverter: a second <c>active</c>
    /// confirms the first (no time limit here; the real window is tested on the appliance).</summary>
    public Task<string> SetControlModeAsync(EdgeEnergy.Domain.Control.ControlMode mode, CancellationToken cancellationToken)
    {
        Record($"mode {EdgeEnergy.Domain.Control.ControlModes.ToWire(mode)}");
        var current = Current.Mode;
        if (mode == current)
        {
            return Task.FromResult($"already {EdgeEnergy.Domain.Control.ControlModes.ToWire(mode)}");
        }

        if (mode == EdgeEnergy.Domain.Control.ControlMode.Active && Current.ModeConfirmUntilUtc is null)
        {
            Update(s => s with { ModeConfirmUntilUtc = DateTimeOffset.MaxValue });
            return Task.FromResult("confirm within 2 minutes: send active again");
        }

        Update(s => s with { Mode = mode, ModeConfirmUntilUtc = null });
        return Task.FromResult(EdgeEnergy.Domain.Control.ControlModes.ToWire(mode));
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
