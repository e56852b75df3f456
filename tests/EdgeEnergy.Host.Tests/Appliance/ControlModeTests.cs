using System.Net;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Web;
using EdgeEnergy.Simulation;
using EdgeEnergy.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Appliance;

/// <summary>
/// Switching the control mode (docs/contracts.md section 5): the 2-minute confirmation of shadow → active on a fake
/// clock, which mode a restart keeps (stored MQTT choice against <c>Control:Mode</c>), and the hand-back of a simulated
/// Fox to the settings it had before EdgeEnergy's first write, seen as register writes on a recording Modbus server.
/// </summary>
public sealed class ControlModeTests : IAsyncDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-mode-test-").FullName;
    private readonly List<ServiceProvider> _providers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _providers)
        {
            await p.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }


    /// <summary>The mode service as the host builds it, with <paramref name="configure"/> adding what a test needs.</summary>
    private ServiceProvider Build(string configuredMode, ISettingsStore store, TimeProvider time, Action<IServiceCollection, IConfiguration>? configure = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Control:Mode"] = configuredMode,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddSingleton(store);
        services.AddSingleton<ApplianceStatusStore>();
        services.AddSingleton<IApplianceStatusPublisher>(sp => sp.GetRequiredService<ApplianceStatusStore>());
        services.AddSingleton<IAuditLog, InMemoryAuditLog>();
        services.Configure<ControlOptions>(config.GetSection(ControlOptions.SectionName));
        services.TryAddControlMode();
        configure?.Invoke(services, config);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    [Fact]
    public async Task Shadow_to_active_takes_a_second_active_within_two_minutes_of_the_first()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));
        var sp = Build("shadow", new MemorySettings(), time);
        var mode = sp.GetRequiredService<ControlModeService>();
        await mode.StartAsync(CancellationToken.None);
        var status = sp.GetRequiredService<ApplianceStatusStore>();
        Assert.Equal(ControlMode.Shadow, mode.Gate.Mode);
        Assert.Equal(ControlMode.Shadow, status.Current.Mode);

        // First 'active': nothing changes yet; the person is told to confirm, and until when.
        var said = await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        Assert.StartsWith("confirm within 2 minutes: send active again before 03:02:00 UTC", said, StringComparison.Ordinal);
        Assert.Equal(ControlMode.Shadow, mode.Gate.Mode);
        Assert.Equal(time.GetUtcNow().AddMinutes(2), status.Current.ModeConfirmUntilUtc);

        // Too late: 2 minutes and a second later the second 'active' only starts a new window.
        time.Advance(TimeSpan.FromSeconds(121));
        said = await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        Assert.StartsWith("confirm within 2 minutes", said, StringComparison.Ordinal);
        Assert.Equal(ControlMode.Shadow, mode.Gate.Mode);
        Assert.Throws<WriteRefusedException>(() => mode.Gate.Check("a write"));

        // In time: 1 min 59 s after that one, it switches.
        time.Advance(TimeSpan.FromSeconds(119));
        said = await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        Assert.StartsWith("active", said, StringComparison.Ordinal);
        Assert.Equal(ControlMode.Active, mode.Gate.Mode);
        Assert.Equal(ControlMode.Active, status.Current.Mode);
        Assert.Null(status.Current.ModeConfirmUntilUtc);
        mode.Gate.Check("a write");

        // Active → shadow needs no confirmation: stopping writing is always safe.
        said = await mode.RequestAsync(ControlMode.Shadow, "mqtt", CancellationToken.None);
        Assert.StartsWith("shadow: nothing is written from now on", said, StringComparison.Ordinal);
        Assert.Equal(ControlMode.Shadow, mode.Gate.Mode);
    }

    [Fact]
    public async Task A_restart_keeps_the_mode_set_over_mqtt_until_control_mode_is_changed_in_the_configuration()
    {
        using var db = new SqliteDatabase(Path.Combine(_data, "edgeenergy.db"));
        var store = new SqliteSettingsStore(db);

        async Task<ControlModeService> Start(string configured)
        {
            var service = Build(configured, store, TimeProvider.System).GetRequiredService<ControlModeService>();
            await service.StartAsync(CancellationToken.None);
            return service;
        }

        // Configured active; a person switches to shadow over MQTT.
        var first = await Start("active");
        Assert.Equal(ControlMode.Active, first.Mode);
        await first.RequestAsync(ControlMode.Shadow, "mqtt", CancellationToken.None);

        // Restarted with the same configuration: the person's choice stands, and the log says why.
        var second = await Start("active");
        Assert.Equal(ControlMode.Shadow, second.Mode);
        Assert.Equal("shadow was set over MQTT (Control:Mode is still active)", second.StartReason);

        // The configuration changes to shadow: the configuration is the newer choice.
        var third = await Start("shadow");
        Assert.Equal(ControlMode.Shadow, third.Mode);
        Assert.StartsWith("Control:Mode is shadow, changed since", third.StartReason, StringComparison.Ordinal);

        // And back to active: the overruled MQTT choice does not come back.
        var fourth = await Start("active");
        Assert.Equal(ControlMode.Active, fourth.Mode);
        Assert.Equal("Control:Mode is active", fourth.StartReason);

        // Confirmed over MQTT under Control:Mode=shadow, active survives a restart too.
        var fifth = await Start("shadow");
        await fifth.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        await fifth.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        Assert.Equal(ControlMode.Active, (await Start("shadow")).Mode);
    }

    [Fact]
    public async Task Active_to_shadow_hands_the_inverter_back_to_its_settings_before_the_first_write_then_writes_nothing()
    {
        var frames = new ModbusFrameRecorder();
        var fox = new SimulatedFoxEss(FoxRegisterMap.Embedded.Families["h1-g2"], TimeProvider.System, new SimulatedFoxEssOptions { InitialSocPercent = 60, PvW = _ => 0 });
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = fox }), new IPEndPoint(IPAddress.Loopback, 0), recorder: frames);
        server.Start();
        var endpoint = $"tcp://127.0.0.1:{server.LocalEndpoint.Port}";

        // The household's own settings, as the installer left them (written by a tool outside the service).
        var foxOptions = new FoxEssOptions { Endpoint = endpoint, Family = "h1-g2", SettleAfterConnectMilliseconds = 0 };
        await using var installer = new FoxEssDevice(Options.Create(foxOptions), new ModbusBusRegistry(TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        var own = await installer.GetAsync(CancellationToken.None);
        await own.SetWorkModeAsync(InverterWorkMode.FeedInFirst, CancellationToken.None);
        await own.SetMinSocOnGridAsync(25, CancellationToken.None);
        await own.SetChargePeriodsAsync([new ChargePeriod(true, new TimeOnly(1, 0), new TimeOnly(4, 0)), new ChargePeriod(false, TimeOnly.MinValue, TimeOnly.MinValue)], CancellationToken.None);
        var before = await installer.ReadTelemetryAsync(CancellationToken.None);

        var store = new MemorySettings();
        var sp = Build("active", store, TimeProvider.System, (services, config) => services.AddFoxEss(config), new Dictionary<string, string?>
        {
            ["Inverter:Endpoint"] = endpoint,
            ["Inverter:Family"] = "h1-g2",
            ["Inverter:SettleAfterConnectMilliseconds"] = "0",
        });
        var mode = sp.GetRequiredService<ControlModeService>();
        await mode.StartAsync(CancellationToken.None);
        var device = sp.GetRequiredService<FoxEssDevice>();
        frames.Clear();

        // EdgeEnergy takes over: its first write is preceded by reading and storing the household's settings.
        await device.ApplyAsync(InverterCommand.ForceCharge(2000, 20), CancellationToken.None);
        var baseline = await device.GetBaselineAsync(CancellationToken.None);
        Assert.NotNull(baseline);
        Assert.Equal("feed-in-first", baseline.WorkMode);
        Assert.Equal(25, baseline.MinSocOnGridPercent);
        Assert.Equal(before.ChargePeriods, baseline.ChargePeriods);
        Assert.False(baseline.RemoteControlEnabled);
        var firstWrite = frames.Frames.TakeWhile(f => !f.IsWrite).Count();
        Assert.True(firstWrite > 0, "the settings are read before the first write");

        // ... and changes them: self-use with its own reserve, its own native charge period.
        await device.ApplyAsync(InverterCommand.SelfUse(30), CancellationToken.None);
        await device.WriteAsync(new ChargePeriod(true, new TimeOnly(2, 30), new TimeOnly(5, 0)), 20, CancellationToken.None);
        var changed = await installer.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal("self-use", changed.WorkMode);
        Assert.Equal(20, changed.MinSocOnGridPercent);

        // Active → shadow: the hand-back writes, then nothing more.
        frames.Clear();
        var said = await mode.RequestAsync(ControlMode.Shadow, "mqtt", CancellationToken.None);
        Assert.Contains("work mode feed-in-first: written", said, StringComparison.Ordinal);
        Assert.Contains("min SoC on grid 25%: written", said, StringComparison.Ordinal);
        Assert.Contains("charge periods grid 01:00-04:00, off 00:00-00:00: written", said, StringComparison.Ordinal);
        var handBack = frames.Writes;
        Assert.NotEmpty(handBack);
        var after = await installer.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal(before.WorkMode, after.WorkMode);
        Assert.Equal(before.MinSocOnGridPercent, after.MinSocOnGridPercent);
        Assert.Equal(before.ChargePeriods, after.ChargePeriods);
        Assert.False(after.RemoteControl!.Enabled);

        // The gate is closed: any later write, whatever the path, is refused before the wire.
        await Assert.ThrowsAsync<WriteRefusedException>(() => device.ApplyAsync(InverterCommand.ForceDischarge(3000, 20), CancellationToken.None));
        await Assert.ThrowsAsync<WriteRefusedException>(() => device.WriteAsync(new ChargePeriod(true, new TimeOnly(2, 30), new TimeOnly(5, 0)), 20, CancellationToken.None));
        Assert.Equal(handBack.Count, frames.Writes.Count);

        // Recorded: the hand-back in the audit log, the mode in the store, the baseline forgotten (read again next time).
        var audit = Assert.Single(((InMemoryAuditLog)sp.GetRequiredService<IAuditLog>()).Entries);
        Assert.Equal("hand back", audit.Command);
        Assert.Equal("shadow", store.Values[ControlModeService.ModeKey]);
        Assert.Null(await device.GetBaselineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task With_nothing_known_from_before_the_hand_back_is_self_use_with_remote_control_off()
    {
        var frames = new ModbusFrameRecorder();
        var fox = new SimulatedFoxEss(FoxRegisterMap.Embedded.Families["h1-g2"], TimeProvider.System, new SimulatedFoxEssOptions { PvW = _ => 0 });
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = fox }), new IPEndPoint(IPAddress.Loopback, 0), recorder: frames);
        server.Start();
        var endpoint = $"tcp://127.0.0.1:{server.LocalEndpoint.Port}";
        var foxOptions = new FoxEssOptions { Endpoint = endpoint, Family = "h1-g2", SettleAfterConnectMilliseconds = 0 };
        await using var installer = new FoxEssDevice(Options.Create(foxOptions), new ModbusBusRegistry(TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        await (await installer.GetAsync(CancellationToken.None)).SetWorkModeAsync(InverterWorkMode.FeedInFirst, CancellationToken.None);

        var sp = Build("active", new MemorySettings(), TimeProvider.System, (services, config) => services.AddFoxEss(config), new Dictionary<string, string?>
        {
            ["Inverter:Endpoint"] = endpoint,
            ["Inverter:Family"] = "h1-g2",
            ["Inverter:SettleAfterConnectMilliseconds"] = "0",
        });
        var mode = sp.GetRequiredService<ControlModeService>();
        var said = await mode.RequestAsync(ControlMode.Shadow, "mqtt", CancellationToken.None);

        Assert.Contains("work mode self-use (nothing known from before): written", said, StringComparison.Ordinal);
        Assert.EndsWith("(no settings known from before EdgeEnergy's first write)", said, StringComparison.Ordinal);
        var after = await installer.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal("self-use", after.WorkMode);
        Assert.False(after.RemoteControl!.Enabled);
    }
    /// <summary>A hand-back that records each call and whether the write gate let its writes through.</summary>
    private sealed class RecordingHandBack(Func<WriteGate> gate) : IInverterHandBack
    {
        public List<bool> GateOpenAtCalls { get; } = [];

        public Task<string> HandBackAsync(CancellationToken cancellationToken)
        {
            GateOpenAtCalls.Add(gate().IsOpen);
            return Task.FromResult("work mode self-use: written");
        }
    }

    private static async Task Until(Func<bool> done, string what)
    {
        for (var i = 0; i < 500 && !done(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(done(), what);
    }

    [Fact]
    public async Task Alternate_days_hand_back_at_the_uk_midnight_that_starts_a_b_day_and_take_control_at_the_next()
    {
        // 23:00 UTC = 23:00 UK on Wednesday 2 December 2026, an A day (day 9832 since 2000-01-01).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 23, 0, 0, TimeSpan.Zero));
        var store = new MemorySettings();
        RecordingHandBack? handBack = null;
        var sp = Build("active", store, time, (services, _) =>
        {
            services.AddSingleton<IInverterHandBack>(p => handBack = new RecordingHandBack(() => p.GetRequiredService<WriteGate>()));
            services.AddHostedService<AbScheduleService>();
        }, new Dictionary<string, string?> { ["Control:AbSchedule"] = "alternate-days" });
        var mode = sp.GetRequiredService<ControlModeService>();
        var status = sp.GetRequiredService<ApplianceStatusStore>();
        await mode.StartAsync(CancellationToken.None);
        var loop = sp.GetServices<IHostedService>().OfType<AbScheduleService>().Single();
        await loop.StartAsync(CancellationToken.None);

        Assert.Equal(ControlMode.Active, mode.Mode);
        Assert.Equal("active", store.Values["control.day_mode.2026-12-02"]);
        Assert.Equal("A/B: today A (EdgeEnergy in control), next switch 00:00", StatusView.From(status.Current, time.GetUtcNow()).Ab!.Text);

        // One minute before midnight nothing changes.
        time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(50);
        Assert.Equal(ControlMode.Active, mode.Mode);

        // UK midnight: Thursday 3 December is a B day. The gate closes and the inverter is handed back through the gate's
        // hand-back path (its writes pass), recorded in the audit log, the status and the store.
        time.Advance(TimeSpan.FromMinutes(1));
        await Until(() => mode.Mode == ControlMode.Shadow && handBack?.GateOpenAtCalls.Count == 1, "switched to shadow with one hand-back at midnight");
        Assert.Equal([true], handBack!.GateOpenAtCalls);
        Assert.Throws<WriteRefusedException>(() => mode.Gate.Check("a write after the hand-back"));
        Assert.Equal(ControlMode.Shadow, status.Current.Mode);
        var audit = Assert.Single(((InMemoryAuditLog)sp.GetRequiredService<IAuditLog>()).Entries);
        Assert.Equal("hand back", audit.Command);
        Assert.Contains("Control:AbSchedule alternate-days: 2026-12-03 is B", audit.Reason, StringComparison.Ordinal);
        await Until(() => store.Values.ContainsKey("control.day_mode.2026-12-03"), "the B day recorded");
        Assert.Equal("shadow", store.Values["control.day_mode.2026-12-03"]);
        Assert.Equal("active", store.Values["control.day_mode.2026-12-02"]);
        Assert.Equal("A/B: today B (handed back), next switch 00:00", StatusView.From(status.Current, time.GetUtcNow()).Ab!.Text);
        // The person's choice is still active, and the store keeps no MQTT choice: a restart resumes the schedule.
        Assert.Equal(ControlMode.Active, mode.Chosen);
        Assert.False(store.Values.ContainsKey(ControlModeService.ModeKey));
        Assert.StartsWith("already active (today is a B day of Control:AbSchedule alternate-days: control is handed back until 2026-12-04 00:00 UTC)",
            await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None), StringComparison.Ordinal);

        // The next UK midnight: Friday 4 December is an A day again; EdgeEnergy writes again, nothing more is handed back.
        time.Advance(TimeSpan.FromDays(1));
        await Until(() => mode.Mode == ControlMode.Active, "active again at the next midnight");
        mode.Gate.Check("a write on an A day");
        Assert.Single(handBack.GateOpenAtCalls);
        await Until(() => store.Values.ContainsKey("control.day_mode.2026-12-04"), "the A day recorded");
        Assert.Equal("active", store.Values["control.day_mode.2026-12-04"]);
        await loop.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_midnight_switch_follows_the_wall_clock_when_it_is_stepped_during_the_wait()
    {
        // 22:00 UTC = 22:00 UK on Wednesday 2 December 2026, an A day; Thursday is a B day. While the service waits for UK
        // midnight, NTP steps the clock 1 h 50 min forward (a Pi that booted without the time): on the wall clock midnight
        // is then 10 minutes away, though 2 hours of the wait are left. One long delay would switch at 01:50 UK.
        var elapsed = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 22, 0, 0, TimeSpan.Zero));
        var time = new SteppedClock(elapsed);
        var sp = Build("active", new MemorySettings(), time, (services, _) =>
        {
            services.AddSingleton<IInverterHandBack>(p => new RecordingHandBack(() => p.GetRequiredService<WriteGate>()));
            services.AddHostedService<AbScheduleService>();
        }, new Dictionary<string, string?> { ["Control:AbSchedule"] = "alternate-days" });
        var mode = sp.GetRequiredService<ControlModeService>();
        await mode.StartAsync(CancellationToken.None);
        var loop = sp.GetServices<IHostedService>().OfType<AbScheduleService>().Single();
        await loop.StartAsync(CancellationToken.None);
        Assert.Equal(ControlMode.Active, mode.Mode);
        await Task.Delay(200); // the service reads the clock and starts its wait (a step before that would be no test)

        time.Offset = TimeSpan.FromMinutes(110);
        elapsed.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(50);
        Assert.Equal(ControlMode.Active, mode.Mode); // 23:59 on the wall clock

        elapsed.Advance(TimeSpan.FromMinutes(1));
        await Until(() => mode.Mode == ControlMode.Shadow, "switched at the wall clock's midnight, not when the first delay would have ended");
        await loop.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_start_on_a_b_day_starts_with_the_gate_closed_and_shadow_chosen_over_mqtt_pauses_the_schedule()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)); // a B day
        var store = new MemorySettings();
        var sp = Build("active", store, time, settings: new Dictionary<string, string?> { ["Control:AbSchedule"] = "alternate-days" });
        var mode = sp.GetRequiredService<ControlModeService>();
        await mode.StartAsync(CancellationToken.None);

        Assert.Equal(ControlMode.Shadow, mode.Mode);
        Assert.Throws<WriteRefusedException>(() => mode.Gate.Check("a write on a B day"));
        Assert.Equal("shadow", store.Values["control.day_mode.2026-12-03"]);

        // Shadow chosen over MQTT: stored as the person's choice; the next A day stays shadow.
        Assert.Equal("shadow: nothing is written from now on; handed back: already handed back (a B day of Control:AbSchedule)",
            await mode.RequestAsync(ControlMode.Shadow, "mqtt", CancellationToken.None));
        time.Advance(TimeSpan.FromDays(1));
        await mode.ApplyScheduleAsync(CancellationToken.None);
        Assert.Equal(ControlMode.Shadow, mode.Mode);
        Assert.Equal("shadow", store.Values["control.day_mode.2026-12-04"]);
        Assert.Equal("A/B: paused (shadow chosen), today would be A", StatusView.From(sp.GetRequiredService<ApplianceStatusStore>().Current, time.GetUtcNow()).Ab!.Text);

        // Active confirmed on that A day: EdgeEnergy takes control at once, and the day is recorded mixed.
        await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None);
        Assert.Equal("active: EdgeEnergy now commands the inverter", await mode.RequestAsync(ControlMode.Active, "mqtt", CancellationToken.None));
        Assert.Equal(ControlMode.Active, mode.Mode);
        Assert.Equal("mixed", store.Values["control.day_mode.2026-12-04"]);
    }

    [Fact]
    public async Task A_start_on_a_b_day_hands_back_as_the_midnight_switch_does_once_a_day()
    {
        // 09:00 UTC on Thursday 3 December 2026, a B day: the service was stopped on the A day before and starts now.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var store = new MemorySettings();
        var settings = new Dictionary<string, string?> { ["Control:AbSchedule"] = "alternate-days" };

        async Task<(ServiceProvider Provider, RecordingHandBack HandBack, AbScheduleService Loop)> StartAsync()
        {
            RecordingHandBack? handBack = null;
            var sp = Build("active", store, time, (services, _) =>
            {
                services.AddSingleton<IInverterHandBack>(p => handBack = new RecordingHandBack(() => p.GetRequiredService<WriteGate>()));
                services.AddHostedService<AbScheduleService>();
            }, settings);
            _ = sp.GetRequiredService<IInverterHandBack>();
            await sp.GetRequiredService<ControlModeService>().StartAsync(CancellationToken.None);
            var loop = sp.GetServices<IHostedService>().OfType<AbScheduleService>().Single();
            await loop.StartAsync(CancellationToken.None);
            return (sp, handBack!, loop);
        }

        var (first, handBack, loop) = await StartAsync();
        var mode = first.GetRequiredService<ControlModeService>();

        // The gate closed from the start and the inverter handed back through the gate's hand-back path, as at midnight.
        await Until(() => handBack.GateOpenAtCalls.Count == 1, "handed back once after a start on a B day");
        Assert.Equal([true], handBack.GateOpenAtCalls);
        Assert.Equal(ControlMode.Shadow, mode.Mode);
        Assert.Throws<WriteRefusedException>(() => mode.Gate.Check("a write after the hand-back"));
        var audit = Assert.Single(((InMemoryAuditLog)first.GetRequiredService<IAuditLog>()).Entries);
        Assert.Equal("hand back", audit.Command);
        Assert.Contains("Control:AbSchedule alternate-days: started on 2026-12-03, a B day", audit.Reason, StringComparison.Ordinal);
        Assert.Equal(ControlMode.Shadow, first.GetRequiredService<ApplianceStatusStore>().Current.Mode);
        Assert.Equal("shadow", store.Values["control.day_mode.2026-12-03"]);
        Assert.Equal(ControlMode.Active, mode.Chosen);
        await loop.StopAsync(CancellationToken.None);

        // A second start the same B day: already handed back today (its settings from before are forgotten), nothing more.
        time.Advance(TimeSpan.FromHours(2));
        var (second, again, secondLoop) = await StartAsync();
        await Task.Delay(200);
        Assert.Empty(again.GateOpenAtCalls);
        Assert.Empty(((InMemoryAuditLog)second.GetRequiredService<IAuditLog>()).Entries);
        await secondLoop.StopAsync(CancellationToken.None);
    }
}
