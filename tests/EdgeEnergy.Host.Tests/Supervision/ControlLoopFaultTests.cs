using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Fallback;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Supervision;

/// <summary>
/// The real control loop against the simulated Fox on loopback Modbus TCP (and a fake Home Assistant on loopback
/// Kestrel), with the faults injected: the link cut and restored, stale prices, an old plan.
/// </summary>
public sealed class ControlLoopFaultTests : IAsyncLifetime, IAsyncDisposable
{
    private bool _disposed;

    private static readonly SiteOptions s_site = new() { BatteryCapacityKwh = 10.4, BatteryMaxChargeKw = 3, BatteryMaxDischargeKw = 3, ReserveSocPercent = 15, GridMaxExportKw = 3.68 };
    private readonly SimulatedFoxEss _simulator = new(FoxRegisterMap.Embedded["h1-g2"], TimeProvider.System, new SimulatedFoxEssOptions { InitialSocPercent = 50 });
    private readonly MemoryRates _rates = new();
    private readonly InMemoryAuditLog _audit = new();
    private readonly ApplianceStatusStore _status = new();
    private readonly PlanInForce _plan = new();
    private readonly ConcurrentQueue<string> _haCalls = new();
    private readonly CapturingLoggerFactory _logs = new();
    private ModbusTcpServer? _modbus;
    private int _port;
    private FoxEssDevice _device = null!;
    private LoopbackHttpServer _ha = null!;

    public async Task InitializeAsync()
    {
        StartModbus(0);
        _device = new FoxEssDevice(
            Options.Create(new FoxEssOptions { Endpoint = $"tcp://127.0.0.1:{_port}", Family = "h1-g2", SettleAfterConnectMilliseconds = 0, Retries = 0, RequestTimeoutMilliseconds = 1000, InterRequestGapMilliseconds = 0 }),
            new ModbusBusRegistry(TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        _ha = await LoopbackHttpServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            context.Response.ContentType = "application/json";
            if (path == "/api/states/sensor.battery_soc")
            {
                await context.Response.WriteAsync("""{"state":"48","attributes":{"unit_of_measurement":"%"}}""");
            }
            else if (path.StartsWith("/api/services/", StringComparison.Ordinal))
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                _haCalls.Enqueue($"{path["/api/services/".Length..]} {body.RootElement.GetRawText()}");
                await context.Response.WriteAsync("[]");
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _device.DisposeAsync();
        if (_modbus is not null)
        {
            await _modbus.DisposeAsync();
        }

        await _ha.DisposeAsync();
    }

    private void StartModbus(int port)
    {
        _modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = _simulator }), new IPEndPoint(IPAddress.Loopback, port));
        _modbus.Start();
        _port = _modbus.LocalEndpoint.Port;
    }

    private ControlLoop Loop(bool withHomeAssistant = false)
    {
        BatteryPath? ha = null;
        if (withHomeAssistant)
        {
            var options = new HomeAssistantOptions { BaseUrl = _ha.BaseUrl.ToString(), Token = "t", RetryAttempts = 0 };
            options.Entities.BatterySoc = "sensor.battery_soc";
            options.Entities.WorkModeSelect = "select.work_mode";
            options.Entities.MinSocNumber = "number.min_soc_on_grid";
            options.Entities.ChargePowerNumber = "number.force_charge_power";
            options.Entities.DischargePowerNumber = "number.force_discharge_power";
            var client = new HomeAssistantRestClient(new HttpClient(), Options.Create(options), TimeProvider.System, NullLogger<HomeAssistantRestClient>.Instance);
            var battery = new HomeAssistantBattery(client, client, Options.Create(options));
            ha = new BatteryPath("home-assistant", battery, battery);
        }

        return new ControlLoop(
            new ControlLoopParts
            {
                Primary = new BatteryPath("fox-modbus", _device, _device), HomeAssistant = ha, NativeSchedule = _device, Rates = _rates,
                TelemetryStore = new MemoryTelemetry(), Audit = _audit, Plan = _plan, Status = _status, Site = s_site,
                Options = new ControlOptions { HomeAssistantAfterFailedPolls = 2, MinimumDwellSeconds = 0, PricesRequiredAheadHours = 2, PlanMaxAgeMinutes = 20 },
            },
            TimeProvider.System, _logs.For<ControlLoop>());
    }

    private static DateTimeOffset SlotStart(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.FromMinutes(30).Ticks), TimeSpan.Zero);

    /// <summary>Agile-like prices from an hour ago for <paramref name="hours"/> ahead: cheap at 01:00-05:00 UTC, dear at 16:00-19:00.</summary>
    private void PricesFor(double hours)
    {
        var start = SlotStart(DateTimeOffset.UtcNow).AddHours(-1);
        _rates.Import = [.. Enumerable.Range(0, (int)((hours + 1) * 2)).Select(i =>
        {
            var s = start.AddMinutes(30 * i);
            var pence = s.Hour is >= 1 and < 5 ? 8 : s.Hour is >= 16 and < 19 ? 38 : 22;
            return new Rate(s, s.AddMinutes(30), pence);
        })];
    }

    /// <summary>A plan from now whose first slots charge (cheap now, dear later), made <paramref name="age"/> ago.</summary>
    private void PlanMade(TimeSpan age)
    {
        var problem = PlanProblems.Small([5, 5, 40, 40, 40, 40], socKwh: 2) with { Start = SlotStart(DateTimeOffset.UtcNow) };
        var plan = new ActivePlan(problem, new OrToolsScheduleOptimiser().Solve(problem), DateTimeOffset.UtcNow - age);
        _plan.Replace(plan);
    }

    private ComponentHealth Inverter => _status.Current.Components.Single(c => c.Component == "inverter");

    [Fact]
    public async Task A_cut_Modbus_link_goes_unhealthy_then_commands_go_through_Home_Assistant_and_the_loop_recovers_by_itself()
    {
        PricesFor(30);
        var loop = Loop(withHomeAssistant: true);
        var first = await loop.RunOnceAsync(CancellationToken.None);
        Assert.True(first.Healthy, first.Problem);
        Assert.Equal("fox-modbus", first.PathUsed);
        Assert.Equal(HealthState.Healthy, Inverter.State);

        await _modbus!.DisposeAsync();
        _modbus = null;

        // First failed poll: unhealthy (the watchdog is not fed), nothing sent anywhere, status says why.
        var cut = await loop.RunOnceAsync(CancellationToken.None);
        Assert.False(cut.Healthy);
        Assert.Contains("fox-modbus", cut.Problem);
        Assert.Equal(HealthState.Unhealthy, Inverter.State);
        Assert.Empty(_haCalls);

        // Second failed poll (Control:HomeAssistantAfterFailedPolls = 2): the same decision goes through Home Assistant.
        var viaHa = await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal("home-assistant", viaHa.PathUsed);
        Assert.True(viaHa.Healthy, viaHa.Problem);
        Assert.NotNull(viaHa.Sent);
        Assert.Equal(48, _status.Current.Telemetry!.BatterySocPercent);
        Assert.Equal(HealthState.Degraded, Inverter.State);
        Assert.Contains("carrying on through home-assistant", Inverter.Detail);
        Assert.Contains(_haCalls, c => c.StartsWith("select/select_option", StringComparison.Ordinal) && c.Contains("select.work_mode"));
        Assert.Contains(_audit.Entries, e => e.Target == "home-assistant" && e.Outcome == "ok");

        // The link comes back on the same port: Modbus is the path again with no restart.
        StartModbus(_port);
        ControlStepResult back = viaHa;
        for (var attempt = 0; attempt < 10 && back.PathUsed != "fox-modbus" | !back.Healthy; attempt++)
        {
            await Task.Delay(200);
            back = await loop.RunOnceAsync(CancellationToken.None);
        }

        Assert.True(back.Healthy, back.Problem);
        Assert.Equal("fox-modbus", back.PathUsed);
        Assert.Equal(HealthState.Healthy, Inverter.State);
        Assert.Contains(_audit.Entries, e => e.Target == "fox-modbus" && e.TimestampUtc > _audit.Entries.First(h => h.Target == "home-assistant").TimestampUtc);
    }

    [Fact]
    public async Task Without_Home_Assistant_a_cut_link_stays_unhealthy_and_sends_nothing()
    {
        PricesFor(30);
        var loop = Loop();
        Assert.True((await loop.RunOnceAsync(CancellationToken.None)).Healthy);
        var sentBefore = _audit.Entries.Count;
        await _modbus!.DisposeAsync();
        _modbus = null;
        for (var poll = 0; poll < 3; poll++)
        {
            var step = await loop.RunOnceAsync(CancellationToken.None);
            Assert.False(step.Healthy);
            Assert.Null(step.Sent);
            Assert.Equal("fox-modbus", step.PathUsed);
        }

        Assert.Equal(HealthState.Unhealthy, Inverter.State);
        Assert.Equal(sentBefore, _audit.Entries.Count(e => e.Outcome == "ok"));
        Assert.NotNull(_status.Current.Sources.Single(s => s.Source == "inverter").LastError);
    }

    [Fact]
    public async Task Stale_prices_and_an_old_plan_put_the_fallback_rules_in_charge_with_the_cause_and_the_plan_returns_when_they_clear()
    {
        PricesFor(30);
        PlanMade(TimeSpan.FromMinutes(1));
        var loop = Loop();
        var planned = await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal(RecommendationSource.Plan, planned.Decision!.Source);
        Assert.False(_status.Current.Fallback.Active);

        // Prices known for only half an hour more: fewer than Control:PricesRequiredAheadHours.
        PricesFor(0.5);
        var stale = await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal(RecommendationSource.Fallback, stale.Decision!.Source);
        Assert.True(_status.Current.Fallback.Active);
        Assert.Contains("prices are stale", _status.Current.Fallback.Cause);
        Assert.NotNull(_status.Current.Fallback.SinceUtc);
        Assert.Equal(HealthState.Degraded, _status.Current.Components.Single(c => c.Component == "planner").State);
        Assert.True(stale.Healthy, "the fallback rules still drive the inverter: the loop stays healthy");
        Assert.Contains(_audit.Entries, e => e.Reason!.StartsWith("fallback:", StringComparison.Ordinal) && e.Outcome == "ok");

        // Prices back, but the plan is now older than Control:PlanMaxAgeMinutes.
        PricesFor(30);
        PlanMade(TimeSpan.FromMinutes(45));
        await loop.RunOnceAsync(CancellationToken.None);
        Assert.Contains("minutes old", _status.Current.Fallback.Cause);

        // A fresh plan: the fallback ends by itself.
        PlanMade(TimeSpan.Zero);
        var recovered = await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal(RecommendationSource.Plan, recovered.Decision!.Source);
        Assert.Equal(FallbackState.Inactive, _status.Current.Fallback);
    }

    [Fact]
    public async Task The_native_fallback_charge_period_lands_in_the_simulated_inverters_registers()
    {
        PricesFor(30);
        var loop = Loop();
        Assert.True((await loop.RunOnceAsync(CancellationToken.None)).Healthy);
        var expected = NativeFallbackPlanner.Plan(DateTimeOffset.UtcNow, new RateSeries(_rates.Import), s_site);
        Assert.NotNull(expected);

        // Read back over Modbus from the simulator, through a second connection.
        await using var reader = new FoxEssDevice(Options.Create(new FoxEssOptions { Endpoint = $"tcp://127.0.0.1:{_port}", Family = "h1-g2", SettleAfterConnectMilliseconds = 0 }),
            new ModbusBusRegistry(TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        var periods = (await reader.ReadTelemetryAsync(CancellationToken.None)).ChargePeriods!;
        Assert.True(periods.Contains(expected.Period), $"{string.Join(", ", periods)}\n{_logs.All}");
        Assert.Contains(_audit.Entries, e => e.Command.StartsWith($"charge-period {expected.Period.Start:HH\\:mm}-{expected.Period.End:HH\\:mm}", StringComparison.Ordinal));

        // Once written, the next polls do not spend the persistent-write budget again.
        var writes = _audit.Entries.Count(e => e.Command.StartsWith("charge-period", StringComparison.Ordinal));
        await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal(writes, _audit.Entries.Count(e => e.Command.StartsWith("charge-period", StringComparison.Ordinal)));
    }

    private sealed class MemoryRates : IRateStore
    {
        public IReadOnlyList<Rate> Import { get; set; } = [];

        public Task<int> SaveAsync(RateKind kind, IReadOnlyList<Rate> rates, DateTimeOffset fetchedUtc, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Rate>> GetAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Rate>>(kind == RateKind.Import ? [.. Import.Where(r => r.StartUtc >= range.FromUtc && r.StartUtc < range.ToUtc)] : []);
    }

    private sealed class MemoryTelemetry : ITelemetryStore
    {
        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TelemetrySample>>([]);
    }
}
