using EdgeEnergy.Adapters.Http.Evcc;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Ev;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Evcc;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Planning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Ev;

/// <summary>
/// The appliance's planning and the car's driving against the evcc double on loopback (issue 19 §3): the real planning
/// cycle and optimiser, the real evcc client, a fake clock. Prices: 7p from 23:30 to 05:30 UTC, 35p from 16:00 to
/// 19:00, 24p otherwise; the car ("polestar", 50 kWh) plugged in at 18:00 at 40 % wants 80 % by 07:30: 20 kWh.
/// </summary>
public sealed class EvccEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Departure = new(2026, 12, 3, 7, 30, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryAuditLog _audit = new();
    private readonly Replans _replans = new();
    private readonly PlanInForce _plan = new();
    private readonly CapturingLoggerFactory _logs = new();
    private ApplianceStatusStore _status = null!;
    private FakeEvccApi _evcc = null!;
    private LoopbackHttpServer? _server;

    public async Task InitializeAsync()
    {
        _status = new ApplianceStatusStore(ApplianceSnapshot.Empty with
        {
            Telemetry = new LiveTelemetry
            {
                MeasuredAtUtc = Start, BatterySocPercent = 50, SocMeasuredAtUtc = Start, BatteryPowerW = 0, PvPowerW = 0, GridPowerW = 300, LoadPowerW = 300,
            },
        });
        _evcc = new FakeEvccApi(_time).WithVehicle("polestar", 50);
        _evcc.Plug("polestar", 40);
        _server = await LoopbackHttpServer.StartAsync(_evcc.HandleAsync);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>What a person chose in Home Assistant, in memory (the service keeps it in the settings store).</summary>
    private sealed class Choices(EvChoice current) : IEvChoices
    {
        public EvChoice Current { get; private set; } = current;

        public string? EndedBecause { get; private set; }

        public void Choose(EvChoice choice) => Current = choice;

        public Task EndChargeNowAsync(string reason, CancellationToken cancellationToken)
        {
            (Current, EndedBecause) = (Current with { ChargeNow = false }, reason);
            return Task.CompletedTask;
        }
    }

    private (PlanningCycle Cycle, EvCharging Car) Appliance(int loadpoint = 1, IEvChoices? choices = null)
    {
        var options = Options.Create(new EvOptions { EvccUrl = _server!.BaseUrl.ToString(), Loadpoint = loadpoint, RetryAttempts = 1, Timeout = TimeSpan.FromSeconds(5) });
        var client = new EvccClient(new HttpClient(), options, _audit, _time, NullLogger<EvccClient>.Instance);
        var car = new EvCharging(client, client, options, _status, _time, _logs.For<EvCharging>(), _replans, choices);
        var stores = new Stores();
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, _status, _status, _plan,
            Options.Create(new SiteOptions()), Options.Create(new ControlOptions { Scenarios = 0 }),
            _time, NullLogger<PlanningCycle>.Instance, ev: car);
        return (cycle, car);
    }

    private ComponentHealth Ev => _status.Current.Components.Single(c => c.Component == EvCharging.Component);

    private int ModeCommands => _evcc.Commands.Count(c => c.Request.Contains("/mode/", StringComparison.Ordinal));

    [Fact]
    public async Task Charge_now_charges_at_full_power_in_the_dear_slot_and_ends_when_the_car_is_unplugged()
    {
        var choices = new Choices(new EvChoice(null, null, ChargeNow: true));
        var (cycle, car) = Appliance(choices: choices);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);
        _time.SetUtcNow(Start.AddMinutes(1));
        await car.StepAsync(_plan.Current, CancellationToken.None);

        // 20 kWh at 7.36 kW × 0.92: due in 6 half hours, the first of them at 35p.
        var active = _plan.Current!;
        Assert.Equal((0, 6), (active.Problem.Ev!.Needs[0].FromSlot, active.Problem.Ev.Needs[0].ToSlot));
        // The plan counts the car's draw from now (close to full power in each of the 6 half hours), not at 7p tonight.
        Assert.True(active.Plan.Slots[0].EvKwh > 3.0, $"the plan counts the car's draw now, got {active.Plan.Slots[0].EvKwh}");
        Assert.True(active.Plan.Slots.Take(6).Sum(s => s.EvKwh ?? 0) * 0.92 >= 20.0 - 1e-6);
        Assert.Equal(("now", 32.0), (_evcc.Loadpoint().Mode, _evcc.Loadpoint().MaxCurrent));
        Assert.Contains(_audit.Entries, e => e.Reason!.StartsWith("charge now (Home Assistant)", StringComparison.Ordinal));
        Assert.Equal(Departure, _evcc.Vehicle("polestar").PlanTime!.Value); // the fail-safe deadline stays the departure

        _evcc.Unplug();
        _time.Advance(TimeSpan.FromMinutes(5));
        await car.StepAsync(_plan.Current, CancellationToken.None);

        Assert.False(choices.Current.ChargeNow);
        Assert.Equal("pv", _evcc.Loadpoint().Mode);
    }

    [Fact]
    public async Task Charge_now_left_on_from_before_a_restart_ends_when_no_car_is_plugged_in_but_a_new_choice_waits_for_the_next_car()
    {
        // The person chose "charge now", then unplugged the car while EdgeEnergy was stopped: the first look after the
        // restart finds no car, so the choice (made for that car) ends and the next car is planned again.
        _evcc.Unplug();
        var choices = new Choices(new EvChoice(null, null, ChargeNow: true));
        var (_, car) = Appliance(choices: choices);

        await car.StepAsync(_plan.Current, CancellationToken.None);

        Assert.False(choices.Current.ChargeNow);
        Assert.Equal("no car was plugged in when EdgeEnergy started", choices.EndedBecause);
        Assert.Equal("pv", _evcc.Loadpoint().Mode);

        // "Charge now" chosen while no car is plugged in is for the car about to arrive: it stays on, and charges it.
        choices.Choose(new EvChoice(null, null, ChargeNow: true));
        _time.Advance(TimeSpan.FromMinutes(1));
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.True(choices.Current.ChargeNow);
        _evcc.Plug("polestar", 40);
        _time.Advance(TimeSpan.FromMinutes(1));
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.Equal(("now", 32.0), (_evcc.Loadpoint().Mode, _evcc.Loadpoint().MaxCurrent));
    }

    [Fact]
    public async Task The_chargers_measured_power_stands_for_three_minutes_after_each_read_for_the_load_history()
    {
        var (_, car) = Appliance();
        Assert.Null(car.ChargingPowerW(Start)); // nothing read yet

        _evcc.Change(() => (_evcc.Loadpoint().Charging, _evcc.Loadpoint().ChargePower) = (true, 7100));
        await car.StepAsync(_plan.Current, CancellationToken.None);

        Assert.Equal(7100, car.ChargingPowerW(Start.AddMinutes(3)));
        Assert.Null(car.ChargingPowerW(Start.AddMinutes(3).AddSeconds(1))); // evcc not read since: no claim about this minute
    }

    [Fact]
    public async Task A_car_plugged_in_at_18_needing_20_kwh_by_0730_is_charged_in_the_cheap_slots_and_evcc_holds_the_deadline()
    {
        var (cycle, car) = Appliance();

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        var active = _plan.Current!;
        var need = Assert.Single(active.Problem.Ev!.Needs);
        Assert.Equal((0, 27, 20.0), (need.FromSlot, need.ToSlot, need.Kwh));
        var plan = active.Plan;
        Assert.True(plan.Status is PlanStatus.Optimal or PlanStatus.Feasible, plan.Reason);
        Assert.Empty(PlanChecker.Violations(active.Problem, plan.Slots));
        var charged = Enumerable.Range(0, need.ToSlot).Where(t => plan.Slots[t].EvKwh > 0.01).ToList();
        Assert.True(plan.Slots.Take(need.ToSlot).Sum(s => s.EvKwh ?? 0) * 0.92 >= 20.0 - 1e-6);
        Assert.All(charged, t => Assert.Equal(7.0, active.Problem.Slots[t].ImportPence));
        Assert.Equal(HealthState.Healthy, Ev.State);

        // Each half hour to the departure, the controller drives the loadpoint twice (two polls a slot).
        var modes = new List<string>();
        for (var t = 0; t < need.ToSlot; t++)
        {
            _time.SetUtcNow(Start.AddMinutes((30 * t) + 1));
            await car.StepAsync(_plan.Current, CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(10));
            await car.StepAsync(_plan.Current, CancellationToken.None);
            modes.Add(_evcc.Loadpoint().Mode);
        }

        Assert.Equal(Enumerable.Range(0, need.ToSlot).Select(t => charged.Contains(t) ? "now" : "pv"), modes);
        // Only on change: one mode command per switch between pv and now, none on the second poll of a slot.
        var switches = modes.Zip(modes.Skip(1)).Count(p => p.First != p.Second) + (modes[0] == "pv" ? 0 : 1);
        Assert.Equal(switches, ModeCommands);
        // The deadline plan was set once, on the first poll, and is in evcc.
        Assert.Equal(["POST /api/vehicles/polestar/plan/soc/80/2026-12-03T07:30:00Z"], _evcc.Commands.Where(c => c.Request.Contains("/plan/", StringComparison.Ordinal)).Select(c => c.Request));
        Assert.Equal((80, Departure), (_evcc.Vehicle("polestar").PlanSoc, _evcc.Vehicle("polestar").PlanTime!.Value));
        // Every command is in the audit log, each with its reason.
        Assert.Equal(_evcc.Commands.Select(c => c.Request), _audit.Entries.Select(e => e.Command.Replace("POST api/", "POST /api/", StringComparison.Ordinal)));
        Assert.All(_audit.Entries, e => Assert.Equal(("evcc", "ok"), (e.Target, e.Outcome)));
        Assert.Contains(_audit.Entries, e => e.Reason!.StartsWith("the plan charges the car", StringComparison.Ordinal) && e.Reason.EndsWith("at 7.0p", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_car_unplugged_early_or_its_soc_jumping_asks_for_a_replan_and_the_replan_follows_it()
    {
        var (cycle, car) = Appliance();
        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);
        await car.StepAsync(_plan.Current, CancellationToken.None); // first read: a car is plugged in
        _replans.Triggers.Clear();

        _time.SetUtcNow(Start.AddHours(2));
        _evcc.Change(() => _evcc.Loadpoint().VehicleSoc = 70); // topped up elsewhere, or the car's reading caught up
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.Equal([PlanningTrigger.CarChanged], _replans.Triggers);
        await cycle.RunAsync(PlanningTrigger.CarChanged, CancellationToken.None);
        Assert.Equal(5.0, Assert.Single(_plan.Current!.Problem.Ev!.Needs).Kwh, 6);

        _time.SetUtcNow(new DateTimeOffset(2026, 12, 3, 0, 5, 0, TimeSpan.Zero)); // in a cheap slot
        _evcc.Unplug();
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.Equal([PlanningTrigger.CarChanged, PlanningTrigger.CarChanged], _replans.Triggers);
        await cycle.RunAsync(PlanningTrigger.CarChanged, CancellationToken.None);
        Assert.Null(_plan.Current!.Problem.Ev);
        Assert.All(_plan.Current.Plan.Slots, s => Assert.Null(s.EvKwh));
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.Equal("pv", _evcc.Loadpoint().Mode);
        Assert.Equal("no car plugged in", Ev.Detail);
    }

    [Fact]
    public async Task Evcc_going_away_leaves_the_deadline_set_in_evcc_and_the_house_plan_made_with_ev_degraded()
    {
        var (cycle, car) = Appliance();
        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);
        await car.StepAsync(_plan.Current, CancellationToken.None);
        var commands = _evcc.Commands.Count;

        await _server!.DisposeAsync();
        _server = null;
        _time.SetUtcNow(Start.AddMinutes(35));
        await car.StepAsync(_plan.Current, CancellationToken.None);
        Assert.Equal(HealthState.Degraded, Ev.State);
        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        Assert.Equal(Start.AddMinutes(30), _plan.Current!.Problem.Start);
        Assert.True(_plan.Current.Plan.Status is PlanStatus.Optimal or PlanStatus.Feasible);
        Assert.Null(_plan.Current.Problem.Ev);
        Assert.Equal(HealthState.Degraded, Ev.State);
        Assert.Contains("(Ev:EvccUrl) unreachable", Ev.Detail, StringComparison.Ordinal);
        Assert.Contains("the house is planned without the car", Ev.Detail, StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.StartsWith("Warning EvCharging: Car (evcc): evcc at", StringComparison.Ordinal));
        // evcc resets nothing on its own: what it was last given stands, the deadline included.
        Assert.Equal(commands, _evcc.Commands.Count);
        Assert.Equal((80, Departure), (_evcc.Vehicle("polestar").PlanSoc, _evcc.Vehicle("polestar").PlanTime!.Value));
    }

    [Fact]
    public async Task An_unknown_loadpoint_plans_the_house_without_the_car_and_says_which_key()
    {
        var (cycle, _) = Appliance(loadpoint: 3);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        Assert.NotNull(_plan.Current);
        Assert.Null(_plan.Current.Problem.Ev);
        Assert.Equal(HealthState.Degraded, Ev.State);
        Assert.StartsWith("evcc has no loadpoint 3 (Ev:Loadpoint); it has 1", Ev.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_car_without_soc_is_planned_by_energy_with_ev_degraded()
    {
        _evcc.Plug("polestar", socPercent: null);
        var (cycle, _) = Appliance();

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        Assert.Equal(10.0, Assert.Single(_plan.Current!.Problem.Ev!.Needs).Kwh);
        Assert.Equal(HealthState.Degraded, Ev.State);
        Assert.Contains("polestar reports no state of charge; planning by energy: 10.0 kWh (Ev:DefaultNeedKwh)", Ev.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_evcc_site_that_can_command_a_battery_is_warned_loudly()
    {
        _evcc.ControllableBattery = "fox";
        var (cycle, car) = Appliance();

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);
        await car.StepAsync(_plan.Current, CancellationToken.None);

        Assert.Equal(HealthState.Degraded, Ev.State);
        Assert.StartsWith("evcc can command a home battery (controllable battery meter(s) fox, batteryMode unknown)", Ev.Detail, StringComparison.Ordinal);
        Assert.Single(_logs.Lines, l => l.StartsWith("Error EvCharging: evcc can command a home battery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_stop_the_loadpoint_is_left_in_pv_with_the_deadline_set()
    {
        var (cycle, car) = Appliance();
        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);
        _evcc.Change(() => _evcc.Loadpoint().Mode = "now");

        await car.StopAsync(CancellationToken.None);

        Assert.Equal("pv", _evcc.Loadpoint().Mode);
        Assert.Equal((80, Departure), (_evcc.Vehicle("polestar").PlanSoc, _evcc.Vehicle("polestar").PlanTime!.Value));
    }

    private sealed class Replans : IReplanRequester
    {
        public List<PlanningTrigger> Triggers { get; } = [];

        public Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            Triggers.Add(trigger);
            return Task.CompletedTask;
        }
    }

    /// <summary>Prices by UTC time of day, no measured history (a typical home's load), no solar service.</summary>
    private sealed class Stores : PlanningStores
    {
        protected override double Pence(RateKind kind, DateTimeOffset slotStart)
        {
            var minutes = slotStart.UtcDateTime.TimeOfDay.TotalMinutes;
            return kind == RateKind.Export ? 5.0 : minutes is >= 23.5 * 60 or < 5.5 * 60 ? 7 : minutes is >= 16 * 60 and < 19 * 60 ? 35 : 24;
        }
    }
}
