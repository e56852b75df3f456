using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Supervision;

public class ControlLoopTests
{
    private static readonly DateTimeOffset s_start = new(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_start.AddMinutes(1));
    private readonly FakeInverter _inverter = new();
    private readonly Stores _stores = new();
    private readonly ApplianceStatusStore _status = new();

    private readonly RecordingReplans _replans = new();

    private readonly RecordingClockSteps _clockSteps = new();

    private readonly PlanInForce _plan = new();

    private ControlLoop Loop(WriteGate? gate = null, ICarChargingMeter? car = null, TimeProvider? time = null) => new(
        new ControlLoopParts
        {
            Primary = new BatteryPath("fake-modbus", _inverter, _inverter), Rates = _stores, TelemetryStore = _stores, Audit = _stores,
            Plan = _plan, Status = _status, Replan = _replans, Gate = gate, Car = car, ClockSteps = _clockSteps,
            Site = new SiteOptions { BatteryCapacityKwh = 5, BatteryMaxChargeKw = 2, BatteryMaxDischargeKw = 2, ReserveSocPercent = 10 },
            Options = new ControlOptions { PollSeconds = 10, MinimumDwellSeconds = 0, PricesRequiredAheadHours = 1 },
        },
        time ?? _time, NullLogger<ControlLoop>.Instance);

    private void PricesAndPlan(double[] pence)
    {
        _stores.Import.AddRange(pence.Select((p, i) => new Rate(s_start.AddMinutes(30 * i), s_start.AddMinutes(30 * (i + 1)), p)));
        var problem = PlanProblems.Small(pence, socKwh: 0) with { Start = s_start };
        _plan.Replace(new ActivePlan(problem, new OrToolsScheduleOptimiser().Solve(problem), s_start));
    }

    [Fact]
    public async Task Sends_the_plan_command_once_and_audits_it_with_its_reason()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop();

        var first = await loop.RunOnceAsync(default);
        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await loop.RunOnceAsync(default);

        Assert.True(first.Healthy);
        Assert.Equal(InverterCommandKind.ForceCharge, first.Sent!.Kind);
        Assert.Null(second.Sent); // unchanged: not written again
        Assert.Single(_inverter.Commands);
        var audit = Assert.Single(_stores.Audit);
        Assert.StartsWith("force-charge 2000W", audit.Command);
        Assert.StartsWith("plan: charging", audit.Reason);
        Assert.Equal(RecommendationSource.Plan, _status.Current.Recommendation!.Source);
        Assert.Equal(1, _status.Current.InverterWrites);
        Assert.Equal(0, _status.Current.InverterWriteFailures);
    }

    [Fact]
    public async Task Each_telemetry_minute_is_stored_with_the_car_chargers_power_as_read_at_that_minute()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var car = new CarMeter { Watts = 7200 };
        var loop = Loop(car: car);

        await loop.RunOnceAsync(default);
        car.Watts = null; // evcc not read lately
        _time.Advance(TimeSpan.FromMinutes(1));
        await loop.RunOnceAsync(default);

        Assert.Equal([7200, null], _stores.Telemetry.Select(s => s.CarChargingW));
        Assert.Equal([s_start.AddMinutes(1), s_start.AddMinutes(2)], car.AskedAt);
        Assert.All(_stores.Telemetry, s => Assert.Equal(500, s.LoadPowerW)); // the load stays as metered
    }

    [Fact]
    public async Task After_the_wall_clock_steps_back_no_minute_already_written_is_written_again_and_a_replan_is_asked_for()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var clock = new SteppedClock(_time);
        var loop = Loop(time: clock);
        for (var poll = 0; poll < 3; poll++) // 00:01, 00:02, 00:03
        {
            await loop.RunOnceAsync(default);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        clock.Offset = TimeSpan.FromMinutes(-2); // NTP steps the clock back: 00:04 reads 00:02
        for (var poll = 0; poll < 3; poll++) // reads 00:02, 00:03, 00:04
        {
            await loop.RunOnceAsync(default);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal([1, 2, 3, 4], _stores.Telemetry.Select(s => (int)(s.TimestampUtc - s_start).TotalMinutes));
        Assert.Equal(1, _replans.Triggers.Count(t => t == PlanningTrigger.ClockStep));
        Assert.Equal([TimeSpan.FromMinutes(-2)], _clockSteps.Steps); // the scheduler is told the step once
    }

    [Fact]
    public async Task Polls_within_one_minute_on_a_steady_clock_still_replace_that_minutes_sample()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop(time: new SteppedClock(_time));
        await loop.RunOnceAsync(default);
        _time.Advance(TimeSpan.FromSeconds(10));
        await loop.RunOnceAsync(default);

        Assert.Equal(2, _stores.Telemetry.Count); // both reach the store, which keeps the later one for the minute
        Assert.DoesNotContain(PlanningTrigger.ClockStep, _replans.Triggers);
        Assert.Empty(_clockSteps.Steps);
    }

    private sealed class CarMeter : ICarChargingMeter
    {
        public double? Watts { get; set; }

        public List<DateTimeOffset> AskedAt { get; } = [];

        public double? ChargingPowerW(DateTimeOffset now)
        {
            AskedAt.Add(now);
            return Watts;
        }
    }

    [Fact]
    public async Task The_controller_follows_the_plan_in_force_not_the_plan_the_dashboard_shows()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var inForce = _plan.Current!;
        var loop = Loop();
        // A plan only in the status read model (the dashboard's) is not one the controller follows.
        var dashboardOnly = new PlanInForce();
        var blind = new ControlLoop(
            new ControlLoopParts
            {
                Primary = new BatteryPath("fake-modbus", _inverter, _inverter), Rates = _stores, TelemetryStore = _stores, Audit = _stores,
                Plan = dashboardOnly, Status = _status,
                Site = new SiteOptions { BatteryCapacityKwh = 5, BatteryMaxChargeKw = 2, BatteryMaxDischargeKw = 2, ReserveSocPercent = 10 },
                Options = new ControlOptions { PollSeconds = 10, MinimumDwellSeconds = 0, PricesRequiredAheadHours = 1 },
            },
            _time, NullLogger<ControlLoop>.Instance);
        _status.Update(s => s with { Plan = inForce });

        var withoutPlan = await blind.RunOnceAsync(default);
        dashboardOnly.Replace(inForce);
        _time.Advance(TimeSpan.FromSeconds(10));
        var withPlan = await blind.RunOnceAsync(default);

        Assert.Equal(RecommendationSource.Fallback, withoutPlan.Decision!.Source);
        Assert.Equal(RecommendationSource.Plan, withPlan.Decision!.Source);
        Assert.Equal(RecommendationSource.Plan, _status.Current.Recommendation!.Source);
        Assert.Equal(RecommendationSource.Plan, (await loop.RunOnceAsync(default)).Decision!.Source);
    }

    [Fact]
    public async Task A_failing_telemetry_store_is_logged_and_the_poll_still_decides_sends_and_publishes()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        _stores.TelemetryDown = true;

        var result = await Loop().RunOnceAsync(default);

        Assert.True(result.Healthy);
        Assert.Equal(InverterCommandKind.ForceCharge, result.Sent!.Kind);
        Assert.Single(_inverter.Commands);
        Assert.Equal(RecommendationSource.Plan, _status.Current.Recommendation!.Source);
        Assert.Equal(1, _status.Current.InverterWrites);
    }

    [Fact]
    public async Task Minutes_the_store_could_not_take_are_held_and_written_in_order_once_it_can_and_the_health_says_so_meanwhile()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop();
        await loop.RunOnceAsync(default); // 00:01 stored
        _stores.TelemetryDown = true; // the disk fills
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await loop.RunOnceAsync(default); // 00:02, 00:03, 00:04 held
        }

        Assert.Single(_stores.Telemetry);
        var degraded = Assert.Single(_status.Current.Components, c => c.Component == "telemetry-history");
        Assert.Equal(HealthState.Degraded, degraded.State);
        Assert.Contains("3 minute(s) held in memory", degraded.Detail, StringComparison.Ordinal);
        Assert.Contains("disk I/O error", degraded.Detail, StringComparison.Ordinal);

        _stores.TelemetryDown = false; // space again
        _time.Advance(TimeSpan.FromMinutes(1));
        await loop.RunOnceAsync(default);

        Assert.Equal(Enumerable.Range(1, 5).Select(m => s_start.AddMinutes(m)), _stores.Telemetry.Select(s => s.TimestampUtc));
        Assert.DoesNotContain(_status.Current.Components, c => c.Component == "telemetry-history");
        _time.Advance(TimeSpan.FromMinutes(1));
        await loop.RunOnceAsync(default);
        Assert.Equal(6, _stores.Telemetry.Count); // the held minutes are not written twice
    }

    [Fact]
    public async Task A_store_down_for_longer_than_a_day_keeps_the_newest_days_minutes()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop(); // a poll every 10 s: a day is 8640 polls
        _stores.TelemetryDown = true;
        for (var i = 0; i < 8640 + 5; i++)
        {
            await loop.RunOnceAsync(default);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Contains("5 oldest dropped", Assert.Single(_status.Current.Components, c => c.Component == "telemetry-history").Detail, StringComparison.Ordinal);
        _stores.TelemetryDown = false;
        await loop.RunOnceAsync(default);

        // A day of polls is written, this one the newest: the six oldest (five, then one more for this poll) went.
        Assert.Equal(8640, _stores.Telemetry.Count);
        Assert.Equal(s_start.AddMinutes(1).AddSeconds(10 * 6), _stores.Telemetry[0].TimestampUtc);
        Assert.Equal(_time.GetUtcNow(), _stores.Telemetry[^1].TimestampUtc);
    }

    [Fact]
    public async Task In_shadow_mode_each_poll_records_what_it_would_have_sent_beside_what_the_inverter_did_and_sends_nothing()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var gate = new WriteGate(ControlMode.Shadow);
        var loop = Loop(gate);

        var first = await loop.RunOnceAsync(default);
        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await loop.RunOnceAsync(default);

        // Nothing reached the inverter, nothing failed, and the supervision sees a healthy loop (no fault storm).
        Assert.Empty(_inverter.Commands);
        Assert.True(first.Healthy);
        Assert.True(second.Healthy);
        Assert.Null(first.Sent);
        Assert.Equal(0, _status.Current.InverterWrites);
        Assert.Equal(0, _status.Current.InverterWriteFailures);
        Assert.False(_status.Current.Fallback.Active);
        Assert.Contains(_status.Current.Components, c => c.Component == "inverter" && c.State == HealthState.Healthy);

        // One row per poll, not only on change: the decision, its reason, and the inverter's own behaviour.
        Assert.Equal(2, _stores.Audit.Count);
        Assert.All(_stores.Audit, a =>
        {
            Assert.StartsWith("force-charge 2000W", a.Command, StringComparison.Ordinal);
            Assert.StartsWith("plan: charging", a.Reason, StringComparison.Ordinal);
            Assert.StartsWith("shadow: not sent; inverter did: battery ", a.Outcome, StringComparison.Ordinal);
            Assert.Contains("SoC ", a.Outcome, StringComparison.Ordinal);
        });
        Assert.Equal(RecommendationSource.Plan, _status.Current.Recommendation!.Source);

        // Turned active, the next poll sends the command it had been recording.
        gate.Set(ControlMode.Active);
        _time.Advance(TimeSpan.FromSeconds(10));
        var active = await loop.RunOnceAsync(default);
        Assert.Equal(InverterCommandKind.ForceCharge, Assert.Single(_inverter.Commands).Kind);
        Assert.Equal(active.Sent, _inverter.Commands[0]);
        Assert.Equal("ok", _stores.Audit.Last().Outcome);
    }

    [Fact]
    public async Task A_refused_command_is_counted_as_a_failed_write_and_tried_again_next_poll()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop();
        _inverter.RefusesCommands = true;

        await loop.RunOnceAsync(default);
        Assert.Equal(0, _status.Current.InverterWrites);
        Assert.Equal(1, _status.Current.InverterWriteFailures);
        Assert.Contains("server device failure", Assert.Single(_stores.Audit).Outcome);

        _inverter.RefusesCommands = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        await loop.RunOnceAsync(default);
        Assert.Equal(1, _status.Current.InverterWrites);
        Assert.Equal(1, _status.Current.InverterWriteFailures);
        Assert.Single(_inverter.Commands);
    }

    [Fact]
    public async Task A_dead_link_is_unhealthy_and_says_so_then_recovers_by_itself()
    {
        PricesAndPlan([5, 5, 40, 40, 40, 40]);
        var loop = Loop();
        _inverter.Broken = true;

        var down = await loop.RunOnceAsync(default);

        Assert.False(down.Healthy);
        Assert.Contains("link down", down.Problem);
        Assert.Empty(_inverter.Commands);
        Assert.Contains(_status.Current.Components, c => c.Component == "inverter" && c.State == HealthState.Unhealthy);

        _inverter.Broken = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        var up = await loop.RunOnceAsync(default);

        Assert.True(up.Healthy);
        Assert.NotNull(up.Sent);
        Assert.Contains(_status.Current.Components, c => c.Component == "inverter" && c.State == HealthState.Healthy);
    }

    [Fact]
    public async Task Without_prices_the_fallback_keeps_self_use_and_carries_its_cause()
    {
        var loop = Loop();

        var r = await loop.RunOnceAsync(default);

        Assert.Equal(InverterCommandKind.SelfUse, r.Sent!.Kind);
        Assert.True(_status.Current.Fallback.Active);
        Assert.Equal("no plan yet", _status.Current.Fallback.Cause);
    }

    [Fact]
    public async Task Counts_todays_cost_against_no_battery_from_measured_power()
    {
        PricesAndPlan([30, 30, 30, 30]);
        var loop = Loop();
        _inverter.GridW = 1000;      // importing 1 kW
        _inverter.BatteryW = 2000;   // while the battery discharges 2 kW: without it, 3 kW would be imported

        await loop.RunOnceAsync(default);
        for (var i = 0; i < 36; i++)  // six minutes
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await loop.RunOnceAsync(default);
        }

        var cost = _status.Current.CostToday!;
        Assert.Equal(1.0 * 0.1 * 30, cost.CostPence, 6);            // 1 kW × 0.1 h × 30p
        Assert.Equal(3.0 * 0.1 * 30, cost.NoBatteryCostPence, 6);   // 3 kW × 0.1 h × 30p
    }

    [Fact]
    public async Task The_first_reading_that_measures_the_state_of_charge_asks_for_the_first_plan_once()
    {
        var loop = Loop();
        _inverter.Broken = true;

        await loop.RunOnceAsync(default);
        Assert.Empty(_replans.Triggers);   // nothing measured: nothing to plan from
        Assert.Null(_status.Current.Telemetry);

        _inverter.Broken = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        await loop.RunOnceAsync(default);
        Assert.Equal([PlanningTrigger.FirstReading], _replans.Triggers);
        Assert.Equal(_time.GetUtcNow(), _status.Current.Telemetry!.SocMeasuredAtUtc);

        _time.Advance(TimeSpan.FromSeconds(10));
        await loop.RunOnceAsync(default);
        Assert.Equal([PlanningTrigger.FirstReading], _replans.Triggers);
    }

    [Fact]
    public async Task A_reading_without_a_state_of_charge_publishes_telemetry_but_measures_no_state_of_charge()
    {
        var loop = Loop();
        _inverter.SocPercent = null;

        await loop.RunOnceAsync(default);

        Assert.NotNull(_status.Current.Telemetry);
        Assert.Null(_status.Current.Telemetry!.SocMeasuredAtUtc);
        Assert.Empty(_replans.Triggers);
    }

    [Fact]
    public async Task An_absurd_reading_is_stored_and_decided_on_as_unknown_and_the_plausible_values_are_kept()
    {
        var loop = Loop();
        _inverter.SocPercent = 250;
        _inverter.GridW = -32767; // beyond twice the site's 15 kW connection

        await loop.RunOnceAsync(default);

        var sample = Assert.Single(_stores.Telemetry);
        Assert.Null(sample.BatterySocPercent);
        Assert.Null(sample.GridPowerW);
        Assert.Equal(500, sample.LoadPowerW);
        Assert.Null(_status.Current.Telemetry!.SocMeasuredAtUtc);
        Assert.Empty(_replans.Triggers); // no state of charge was measured, so no first plan is asked for on it
    }

    private sealed class RecordingClockSteps : IClockStepListener
    {
        public List<TimeSpan> Steps { get; } = [];

        public Task ClockSteppedAsync(TimeSpan stepSize, CancellationToken cancellationToken)
        {
            Steps.Add(stepSize);
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingReplans : IReplanRequester
    {
        public List<PlanningTrigger> Triggers { get; } = [];

        public Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            Triggers.Add(trigger);
            return Task.CompletedTask;
        }
    }

    private sealed class FakeInverter : IInverterTelemetrySource, IBatteryModeController
    {
        public bool Broken { get; set; }
        public bool RefusesCommands { get; set; }
        public double GridW { get; set; } = 500;
        public double BatteryW { get; set; }
        public double? SocPercent { get; set; } = 50;
        public List<InverterCommand> Commands { get; } = [];

        public Task<InverterTelemetry> ReadTelemetryAsync(CancellationToken cancellationToken) => Broken
            ? throw new IOException("link down")
            : Task.FromResult(new InverterTelemetry { Family = "fake", BatterySocPercent = SocPercent, GridPowerW = GridW, BatteryPowerW = BatteryW, LoadPowerW = 500, PvPowerW = 0 });

        public Task ApplyAsync(InverterCommand command, CancellationToken cancellationToken)
        {
            if (Broken || RefusesCommands)
            {
                throw new IOException(Broken ? "link down" : "exception reply 0x04 (server device failure)");
            }

            Commands.Add(command);
            return Task.CompletedTask;
        }
    }

    private sealed class Stores : IRateStore, ITelemetryStore, IAuditLog
    {
        public List<Rate> Import { get; } = [];
        public List<AuditEntry> Audit { get; } = [];

        public Task<int> SaveAsync(RateKind kind, IReadOnlyList<Rate> rates, DateTimeOffset fetchedUtc, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<Rate>> GetAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Rate>>(kind == RateKind.Import ? Import.Where(r => r.StartUtc >= range.FromUtc && r.StartUtc < range.ToUtc).ToList() : []);

        /// <summary>The telemetry store's disk fails: every append throws.</summary>
        public bool TelemetryDown { get; set; }

        public List<TelemetrySample> Telemetry { get; } = [];

        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken)
        {
            if (TelemetryDown)
            {
                throw new IOException("disk I/O error");
            }

            Telemetry.AddRange(samples);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TelemetrySample>>([]);

        public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
        {
            Audit.Add(entry);
            return Task.CompletedTask;
        }

        Task<IReadOnlyList<AuditEntry>> IAuditLog.GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AuditEntry>>(Audit);
    }
}
