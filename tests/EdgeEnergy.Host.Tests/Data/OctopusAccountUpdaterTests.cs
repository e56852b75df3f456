using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Control.Ev;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsFactory = Microsoft.Extensions.Options.Options;

namespace EdgeEnergy.Host.Tests.Data;

/// <summary>
/// The account and dispatch polling against <see cref="FakeOctopusAccountApi"/> on loopback, through the real clients:
/// a tariff change (replan, audit), a refused key (degraded component, the service goes on), dispatches that change or
/// are withdrawn (replan; the planner's prices without them), the poll cadence, and the car's loop standing aside
/// during a dispatch.
/// </summary>
public sealed class OctopusAccountUpdaterTests : IAsyncLifetime
{
    private const string Key = "sk_live_updater0123456789";
    private const string Account = "A-1234ABCD";
    private const string Mpan = "1200012345678";

    // Wednesday 2 December 2026 12:00 UTC (GMT).
    private static readonly DateTimeOffset s_noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_noon);
    private readonly PriceUpdaterTests.RecordingReplanRequester _replan = new();
    private readonly InMemoryAuditLog _audit = new();
    private readonly ApplianceStatusStore _status = new();
    private readonly OctopusDispatchState _dispatches = new();
    private readonly OctopusAccountState _accountState = new();
    private FakeOctopusAccountApi _api = null!;
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _api = new FakeOctopusAccountApi(Key, Account, _time);
        Import("E-1R-INTELLI-VAR-22-10-14-C");
        _server = await LoopbackHttpServer.StartAsync(c => _api.HandleAsync(c));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void Import(string tariff) => _api.Properties =
        [FakeOctopusAccountApi.Property(7, FakeOctopusAccountApi.MeterPoint(Mpan, false, "21L3456789", ("E-1R-AGILE-FLEX-22-11-25-C", "2023-01-01T00:00:00Z", "2026-11-01T00:00:00Z"), (tariff, "2026-11-01T00:00:00Z", null)))];

    private OctopusAccountUpdater Updater(string key = Key, double capHours = 0)
    {
        var options = OptionsFactory.Create(new OctopusOptions
        {
            BaseUrl = _server.BaseUrl.ToString(), ApiKey = key, AccountNumber = Account, SmartChargeCapHours = capHours, RetryBaseDelay = TimeSpan.Zero,
        });
        var graphQl = new OctopusGraphQlClient(new HttpClient(), options, _time, NullLogger<OctopusGraphQlClient>.Instance);
        return new OctopusAccountUpdater(
            new OctopusAccountClient(new HttpClient(), options, _time, NullLogger<OctopusAccountClient>.Instance),
            new OctopusDispatchSource(graphQl, options, _time, NullLogger<OctopusDispatchSource>.Instance),
            _accountState, _dispatches, options, _time, NullLogger<OctopusAccountUpdater>.Instance, _replan, _audit, _status);
    }

    private ComponentHealth Health => _status.Current.Components.Single(c => c.Component == OctopusAccountUpdater.Component);

    [Fact]
    public async Task A_tariff_change_is_audited_and_replanned_and_the_new_product_is_priced()
    {
        var updater = Updater();
        Assert.True(await updater.RefreshAccountAsync(CancellationToken.None));
        Assert.Empty(_audit.Entries);
        Assert.Empty(_replan.Triggers);
        Assert.Equal("INTELLI-VAR-22-10-14", _accountState.Effective(RateKind.Import, new OctopusOptions()).Product);

        Import("E-1R-GO-VAR-22-10-14-C");
        _time.Advance(TimeSpan.FromHours(6));
        Assert.True(await updater.RefreshAccountAsync(CancellationToken.None));

        var entry = Assert.Single(_audit.Entries);
        Assert.Equal("import tariff changed from E-1R-INTELLI-VAR-22-10-14-C to E-1R-GO-VAR-22-10-14-C", entry.Command);
        Assert.Equal("octopus-account", entry.Target);
        Assert.Equal([PlanningTrigger.TariffChanged], _replan.Triggers);
        Assert.Equal(HealthState.Healthy, Health.State);
        Assert.Contains("import: GO-VAR-22-10-14 region C (account)", Health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_degrades_octopus_account_naming_the_key_not_its_value_and_planning_keeps_the_configured_tariff()
    {
        Assert.False(await Updater(key: "sk_live_refused_999").RefreshAccountAsync(CancellationToken.None));

        Assert.Equal(HealthState.Degraded, Health.State);
        Assert.Contains("Octopus:ApiKey", Health.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live", Health.Detail, StringComparison.Ordinal);
        Assert.Contains("planning on import: AGILE-24-10-01 region C (default)", Health.Detail, StringComparison.Ordinal);
        Assert.Null(_accountState.Account);
    }

    [Fact]
    public async Task A_withdrawn_dispatch_replans_and_the_planner_prices_its_half_hours_at_peak_again()
    {
        var updater = Updater();
        await updater.RefreshAccountAsync(CancellationToken.None);
        _api.Dispatches.Add(FakeOctopusAccountApi.Dispatch(s_noon.AddHours(5), s_noon.AddHours(6)));
        _api.Dispatches.Add(FakeOctopusAccountApi.Dispatch(s_noon.AddHours(8), s_noon.AddHours(9)));
        Assert.True(await updater.RefreshDispatchesAsync(CancellationToken.None));
        Assert.Equal(2, _dispatches.Current!.Dispatches.Count);
        Assert.Equal([PlanningTrigger.DispatchesChanged], _replan.Triggers);

        await updater.RefreshDispatchesAsync(CancellationToken.None); // unchanged: no replan
        Assert.Single(_replan.Triggers);

        _api.Dispatches.RemoveAt(0); // withdrawn at the last minute
        await updater.RefreshDispatchesAsync(CancellationToken.None);

        Assert.Equal([PlanningTrigger.DispatchesChanged, PlanningTrigger.DispatchesChanged], _replan.Triggers);
        Assert.Equal([new PlannedDispatch(s_noon.AddHours(8), s_noon.AddHours(9), DispatchKind.Smart, 3.2)], _dispatches.Current!.Dispatches);
        Assert.Same(_dispatches.Current, _status.Current.Dispatches);
        // The planner's import prices (PlanningCycle applies DispatchPricing to the stored rates): 17:00 peak again.
        var rates = Enumerable.Range(0, 48).Select(i => new Rate(s_noon.AddMinutes(30 * i), s_noon.AddMinutes(30 * i + 30), i == 30 ? 7 : 30)).ToList();
        var priced = new RateSeries(DispatchPricing.Apply(rates, _dispatches.Current, UkTime.Zone).Rates);
        Assert.True(priced.TryGetAt(s_noon.AddHours(5), out var withdrawn));
        Assert.Equal(30, withdrawn.Pence);
        Assert.True(priced.TryGetAt(s_noon.AddHours(8.5), out var kept));
        Assert.Equal(7, kept.Pence);
    }

    [Fact]
    public async Task Dispatches_are_read_every_30_minutes_without_a_car_and_the_account_every_6_hours()
    {
        var updater = Updater();
        await updater.RunDueAsync(CancellationToken.None); // account, token, devices, dispatches
        _time.Advance(TimeSpan.FromMinutes(29));
        await updater.RunDueAsync(CancellationToken.None);
        Assert.Equal(["obtainKrakenToken", "devices", "flexPlannedDispatches"], _api.Operations);

        _time.Advance(TimeSpan.FromMinutes(1));
        await updater.RunDueAsync(CancellationToken.None);
        Assert.Equal(2, _api.Operations.Count(o => o == "flexPlannedDispatches"));
        Assert.Single(_server.Requests, r => r.StartsWith("GET /v1/accounts/", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromHours(5.5));
        await updater.RunDueAsync(CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count(r => r.StartsWith("GET /v1/accounts/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Not_on_intelligent_go_no_dispatch_is_read()
    {
        Import("E-1R-AGILE-24-10-01-C");

        await Updater().RunDueAsync(CancellationToken.None);

        Assert.Empty(_api.Operations);
        Assert.Null(_dispatches.Current);
    }

    [Fact]
    public async Task The_car_loop_sends_evcc_nothing_during_a_dispatch_and_says_so_once_but_still_reads_the_car()
    {
        var reader = new CountingCharger { Connected = true, ChargePowerW = 7000 };
        var replans = new PriceUpdaterTests.RecordingReplanRequester();
        var charging = new EvCharging(reader, reader, OptionsFactory.Create(new EvOptions { EvccUrl = "http://127.0.0.1:7070" }), _status, _time, NullLogger<EvCharging>.Instance, replans);
        _dispatches.Current = new DispatchSchedule([new PlannedDispatch(s_noon.AddMinutes(10), s_noon.AddMinutes(40), DispatchKind.Smart)], s_noon, null);
        var service = new EvChargingService(charging, new PlanInForce(), OptionsFactory.Create(new ControlOptions()), _time, NullLogger<EvChargingService>.Instance, _dispatches, _audit);

        await service.StepAsync(CancellationToken.None); // 12:00: before the dispatch, ours: evcc is commanded (pv, no plan)
        var commandsBefore = reader.Commands;
        Assert.True(commandsBefore > 0);
        replans.Triggers.Clear();
        _time.Advance(TimeSpan.FromMinutes(10));
        await service.StepAsync(CancellationToken.None); // 12:10–12:40: Octopus drives the car
        Assert.Equal(7000, charging.ChargingPowerW(_time.GetUtcNow())); // the car's power still comes out of the house load
        Assert.Empty(replans.Triggers);

        _time.Advance(TimeSpan.FromMinutes(20));
        reader.Connected = false; // unplugged at 12:30, inside the dispatch
        await service.StepAsync(CancellationToken.None);
        Assert.Equal([PlanningTrigger.CarChanged], replans.Triggers); // seen at once, not after the dispatch
        Assert.Equal(commandsBefore, reader.Commands);
        Assert.Equal(3, reader.Reads);

        _time.Advance(TimeSpan.FromMinutes(10));
        await service.StepAsync(CancellationToken.None); // 12:40: ours again

        Assert.Equal(4, reader.Reads);
        var entry = Assert.Single(_audit.Entries);
        Assert.Equal("evcc", entry.Target);
        Assert.Contains("Octopus dispatches the car 12:10–12:40 UTC (smart)", entry.Reason, StringComparison.Ordinal);
    }

    /// <summary>A loadpoint that counts reads and commands, and remembers nothing it is told (so every step commands).</summary>
    private sealed class CountingCharger : IEvChargerState, IEvChargerControl
    {
        public int Reads { get; private set; }

        public int Commands { get; private set; }

        public bool Connected { get; set; }

        public double ChargePowerW { get; set; }

        public Task<EvChargerState> ReadAsync(CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(new EvChargerState { Connected = Connected, ChargePowerW = ChargePowerW });
        }

        public Task SetModeAsync(EvChargeMode mode, string reason, CancellationToken cancellationToken) => Count();

        public Task SetMaxCurrentAsync(double amps, string reason, CancellationToken cancellationToken) => Count();

        public Task SetDeadlineAsync(EvDeadline deadline, string reason, CancellationToken cancellationToken) => Count();

        private Task Count()
        {
            Commands++;
            return Task.CompletedTask;
        }
    }
}
