using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Supervision;

/// <summary>
/// The live service counts the heat its relays delivered in each heater window, keeps it across a restart, and a replan
/// in the middle of a window asks only for what is still owed.
/// </summary>
public class ImmersionDeliveryTests
{
    // 19:05 BST on 10 June 2024 (the planning-cycle harness's clock): the tank's window runs 07:00 today → 07:00 tomorrow.
    private static readonly DateTimeOffset s_now = new(2024, 6, 10, 18, 5, 0, TimeSpan.Zero);
    private static readonly HeatWindowKey s_today = new("tank", 0, new DateOnly(2024, 6, 10));
    private static readonly ImmersionOptions s_tank = new() { Id = "tank", PowerKw = 3, DailyMinKwh = 4, DailyMaxKwh = 9, ReadyBy = "07:00" };

    [Fact]
    public async Task A_replan_mid_window_asks_only_for_what_the_relay_has_not_yet_delivered()
    {
        var store = new MemoryDeliveryStore();
        var time = new FakeTimeProvider(s_now.AddMinutes(-45));
        using var delivery = new ImmersionDelivery([s_tank.Heater()], store, NullLogger.Instance);
        await HeatFortyMinutesAsync(delivery, time);

        var window = await PlanWindowInProgressAsync(time, delivery);

        Assert.Equal(2, store.Saved[s_today], 6); // 40 minutes at 3 kW, saved when the relay went off
        Assert.Equal(4 - 2, window.MinKwh, 6);
        Assert.Equal(9 - 2, window.MaxKwh!.Value, 6);
    }

    [Fact]
    public async Task Without_the_record_the_same_replan_asks_for_the_whole_minimum_again()
    {
        var time = new FakeTimeProvider(s_now.AddMinutes(-45));
        using var delivery = new ImmersionDelivery([s_tank.Heater()], new MemoryDeliveryStore(), NullLogger.Instance);
        await HeatFortyMinutesAsync(delivery, time);

        var window = await PlanWindowInProgressAsync(time, delivery: null);

        Assert.Equal(4, window.MinKwh, 6);
    }

    [Fact]
    public async Task A_restart_mid_window_keeps_what_was_delivered()
    {
        var store = new MemoryDeliveryStore();
        var time = new FakeTimeProvider(s_now.AddMinutes(-45));
        using (var before = new ImmersionDelivery([s_tank.Heater()], store, NullLogger.Instance))
        {
            await HeatFortyMinutesAsync(before, time);
        }

        // A new process: nothing in memory, the store as the old one left it.
        using var after = new ImmersionDelivery([s_tank.Heater()], store, NullLogger.Instance);
        var window = await PlanWindowInProgressAsync(time, after);

        Assert.Equal(2, window.MinKwh, 6);
    }

    [Fact]
    public async Task Heat_while_the_relay_stays_on_is_saved_at_least_every_minute()
    {
        var store = new MemoryDeliveryStore();
        using var delivery = new ImmersionDelivery([s_tank.Heater()], store, NullLogger.Instance);
        var relay = new RecordingRelay();
        var switcher = new ImmersionSwitcher([new ImmersionRelay(s_tank, relay)], new InMemoryAuditLog(), null, NullLogger.Instance, delivery);
        switcher.Boost("tank", s_now.AddHours(1));
        for (var t = s_now; t <= s_now.AddMinutes(3); t = t.AddSeconds(10))
        {
            await switcher.StepAsync(t, null, followingPlan: false, loadW: null, CancellationToken.None);
        }

        Assert.True(relay.On);
        // 3 minutes on; what a crash now would lose is under a minute's heat (0.05 kWh at 3 kW).
        Assert.InRange(store.Saved[s_today], 0.15 - 0.05, 0.15);
    }

    [Fact]
    public async Task A_stalled_loop_counts_at_most_a_minute_of_heating_between_polls()
    {
        using var delivery = new ImmersionDelivery([s_tank.Heater()], null, NullLogger.Instance);

        await delivery.AddOnTimeAsync("tank", s_now, s_now.AddMinutes(30), save: false, CancellationToken.None);

        Assert.Equal(3 * ImmersionDelivery.MaxCountedGap.TotalHours, (await delivery.CurrentAsync(s_now, CancellationToken.None))[s_today], 9);
    }

    // The relay boosted from 45 to 5 minutes before s_now, polled every 10 seconds on the fake clock.
    private static async Task HeatFortyMinutesAsync(ImmersionDelivery delivery, FakeTimeProvider time)
    {
        var relay = new RecordingRelay();
        var switcher = new ImmersionSwitcher([new ImmersionRelay(s_tank, relay)], new InMemoryAuditLog(), null, NullLogger.Instance, delivery);
        switcher.Boost("tank", s_now.AddMinutes(-5));
        while (time.GetUtcNow() < s_now)
        {
            await switcher.StepAsync(time.GetUtcNow(), null, followingPlan: false, loadW: null, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.False(relay.On);
    }

    // The live planning cycle, as the service runs it, and the tank's window in progress in the problem it built.
    private static async Task<ImmersionWindow> PlanWindowInProgressAsync(FakeTimeProvider time, ImmersionDelivery? delivery)
    {
        var status = new ApplianceStatusStore(ApplianceSnapshot.Empty with
        {
            Telemetry = new LiveTelemetry
            {
                MeasuredAtUtc = s_now, BatterySocPercent = 50, SocMeasuredAtUtc = s_now, BatteryPowerW = 0, PvPowerW = 0, GridPowerW = 300, LoadPowerW = 300,
            },
        });
        var stores = new Planning.PlanningCycleScenarioTests.Stores(10);
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
            Options.Create(new SiteOptions { Immersions = [s_tank] }), Options.Create(new ControlOptions()),
            time, NullLogger<PlanningCycle>.Instance, delivery: delivery);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        var problem = status.Current.Plan!.Problem;
        Assert.Equal(s_now.AddMinutes(-5), problem.Start);
        return Assert.Single(problem.Immersions[0].Windows, w => w.FromSlot == 0);
    }

    private sealed class RecordingRelay : ISwitchedOutput
    {
        public bool On { get; private set; }

        public Task SetAsync(bool energised, CancellationToken cancellationToken)
        {
            On = energised;
            return Task.CompletedTask;
        }

        public Task<bool> GetAsync(CancellationToken cancellationToken) => Task.FromResult(On);
    }

    private sealed class MemoryDeliveryStore : IImmersionDeliveryStore
    {
        public Dictionary<HeatWindowKey, double> Saved { get; } = [];

        public Task<IReadOnlyDictionary<HeatWindowKey, double>> GetSinceAsync(DateOnly opensOnOrAfter, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<HeatWindowKey, double>>(Saved.Where(s => s.Key.OpensOn >= opensOnOrAfter).ToDictionary());

        public Task SetAsync(HeatWindowKey key, double deliveredKwh, CancellationToken cancellationToken)
        {
            Saved[key] = deliveredKwh;
            return Task.CompletedTask;
        }
    }
}
