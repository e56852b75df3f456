using System.Globalization;
using System.Net;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeEnergy.Host.Tests.Appliance;

/// <summary>
/// What a person sets from Home Assistant survives a restart: the whole appliance (simulated Fox inverter on loopback
/// Modbus, a real Mosquitto broker, SQLite in a data folder) is started, told things over MQTT, stopped, and started
/// again on the same folder.
/// </summary>
public sealed class UserStateRestartTests
{
    private const string Reserve = "edgeenergy/state/reserve_soc";
    private const string Immersion = "edgeenergy/state/immersion_tank";
    private const string Duration = "edgeenergy/state/override_duration";
    private const string Mode = "edgeenergy/state/override_mode";
    private const string Availability = "edgeenergy/availability";

    /// <summary>The peers that outlive a restart: the broker, the inverter and the data folder.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-restart-test-").FullName;

        private Rig(MosquittoBroker broker, ModbusTcpServer modbus) => (Broker, Modbus) = (broker, modbus);

        public MosquittoBroker Broker { get; }

        public ModbusTcpServer Modbus { get; }

        public string DatabasePath => Path.Combine(_data, "edgeenergy.db");

        public static async Task<Rig> StartAsync()
        {
            var broker = await MosquittoBroker.StartAsync();
            var inverter = new SimulatedFoxEss(FoxRegisterMap.Embedded.Families["h1-g2"], TimeProvider.System, new SimulatedFoxEssOptions { CapacityKwh = 10.4, InitialSocPercent = 50 });
            var modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = inverter }), new IPEndPoint(IPAddress.Loopback, 0));
            modbus.Start();
            return new Rig(broker, modbus);
        }

        public WebApplication Build() => ApplianceHost.Build(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Inverter:Endpoint"] = $"tcp://127.0.0.1:{Modbus.LocalEndpoint.Port}",
                ["Inverter:Family"] = "h1-g2",
                ["Inverter:Unit"] = "247",
                ["Inverter:SettleAfterConnectMilliseconds"] = "0",
                ["Storage:Path"] = DatabasePath,
                ["Http:Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
                ["Mqtt:Host"] = MosquittoBroker.Host,
                ["Mqtt:Port"] = Broker.Port.ToString(CultureInfo.InvariantCulture),
                ["Mqtt:StateIntervalSeconds"] = "0.2",
                ["Mqtt:ConnectionCheckSeconds"] = "0.5",
                ["Site:BatteryCapacityKwh"] = "10.4",
                ["Site:BatteryMinSocPercent"] = "10",
                ["Site:ReserveSocPercent"] = "20",
                ["Site:Immersions:0:Id"] = "tank",
                ["Site:Immersions:0:Name"] = "Tank",
                ["Control:PollSeconds"] = "1",
            }).Build(),
            replayPrices: true,
            minimumLevel: Microsoft.Extensions.Logging.LogLevel.Warning);

        public async ValueTask DisposeAsync()
        {
            await Modbus.DisposeAsync();
            await Broker.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_data, recursive: true);
        }
    }

    /// <summary>The store keeps times to the millisecond.</summary>
    private static Override ToMilliseconds(Override o) => o with
    {
        StartUtc = DateTimeOffset.FromUnixTimeMilliseconds(o.StartUtc.ToUnixTimeMilliseconds()),
        ExpiresUtc = DateTimeOffset.FromUnixTimeMilliseconds(o.ExpiresUtc.ToUnixTimeMilliseconds()),
    };

    [Fact]
    public async Task Reserve_immersion_switch_duration_and_override_set_from_Home_Assistant_are_in_force_and_published_after_a_restart()
    {
        await using var rig = await Rig.StartAsync();
        await using var watch = await MosquittoSubscriber.StartAsync(rig.Broker.Port, Availability, Reserve, Immersion, Duration, Mode);
        Override asked;
        await using (var first = rig.Build())
        {
            await first.StartAsync();
            await watch.WaitForAsync(Reserve, "20", timeoutSeconds: 30);
            var mark = watch.Mark;
            await MosquittoPublisher.PublishAsync(rig.Broker.Port, "edgeenergy/cmd/reserve_soc", "35");
            await MosquittoPublisher.PublishAsync(rig.Broker.Port, "edgeenergy/cmd/immersion_tank", "OFF");
            await MosquittoPublisher.PublishAsync(rig.Broker.Port, "edgeenergy/cmd/override_duration", "90");
            await MosquittoPublisher.PublishAsync(rig.Broker.Port, "edgeenergy/cmd/override_mode", "force-charge");
            await watch.WaitForAsync(Reserve, "35", after: mark);
            await watch.WaitForAsync(Immersion, "OFF", after: mark);
            await watch.WaitForAsync(Duration, "90", after: mark);
            await watch.WaitForAsync(Mode, "force-charge", after: mark);
            asked = ToMilliseconds(first.Services.GetRequiredService<OverrideService>().Current!);
            Assert.Equal(TimeSpan.FromMinutes(90), asked.ExpiresUtc - asked.StartUtc);
            await first.StopAsync();
        }

        await watch.WaitForAsync(Availability, "offline");
        var restart = watch.Mark;
        await using var second = rig.Build();
        await second.StartAsync();

        // Published at start with the restored values: the first reserve after the restart is the person's, never the default.
        Assert.Equal("35", (await watch.WaitForAsync(m => m.Topic == Reserve, after: restart, timeoutSeconds: 30)).Payload);
        Assert.Equal("OFF", (await watch.WaitForAsync(m => m.Topic == Immersion, after: restart)).Payload);
        Assert.Equal("90", (await watch.WaitForAsync(m => m.Topic == Duration, after: restart)).Payload);
        Assert.Equal("force-charge", (await watch.WaitForAsync(m => m.Topic == Mode, after: restart)).Payload);

        // The override is the one asked for, to the millisecond, so it stays in force until its original expiry...
        Assert.Equal(asked, second.Services.GetRequiredService<OverrideService>().Current);
        var status = second.Services.GetRequiredService<IApplianceStatus>();
        Assert.Equal(asked, status.Current.UserOverride);
        // ...and the control loop acts on it again.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (status.Current.Recommendation?.Source != RecommendationSource.Override && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(RecommendationSource.Override, status.Current.Recommendation?.Source);
        Assert.Equal(35, status.Current.ReserveSocPercent);
        Assert.False(Assert.Single(status.Current.Immersions).Enabled);

        // The planner works to the person's settings too: their reserve as the floor, no energy for the heater they switched off.
        while (status.Current.Plan is null && DateTime.UtcNow < deadline.AddSeconds(30))
        {
            await Task.Delay(100);
        }

        var problem = Assert.IsType<ActivePlan>(status.Current.Plan).Problem;
        Assert.Equal(10.4 * 0.35, problem.Battery.MinSocKwh, 9);
        Assert.Empty(problem.Immersions);
        await second.StopAsync();
    }

    [Fact]
    public async Task A_stored_reserve_now_out_of_range_is_not_applied_the_configured_one_is_published_and_the_status_says_why()
    {
        await using var rig = await Rig.StartAsync();
        using (var db = new SqliteDatabase(rig.DatabasePath))
        {
            var settings = new SqliteSettingsStore(db);
            await settings.SetAsync(UserSettings.ReserveKey, "5", CancellationToken.None); // below Site:BatteryMinSocPercent 10
            await settings.SetAsync(UserSettings.ImmersionKey("tank"), "false", CancellationToken.None);
        }

        await using var watch = await MosquittoSubscriber.StartAsync(rig.Broker.Port, Reserve, Immersion);
        await using var app = rig.Build();
        await app.StartAsync();

        Assert.Equal("20", (await watch.WaitForAsync(m => m.Topic == Reserve, timeoutSeconds: 30)).Payload);
        Assert.Equal("OFF", (await watch.WaitForAsync(m => m.Topic == Immersion)).Payload); // the valid one still applies
        var settingsHealth = Assert.Single(app.Services.GetRequiredService<IApplianceStatus>().Current.Components, c => c.Component == "settings");
        Assert.Equal(HealthState.Degraded, settingsHealth.State);
        Assert.Contains("user.reserve_soc_percent '5' ignored", settingsHealth.Detail, StringComparison.Ordinal);
        Assert.Contains("using the configured 20 % (Site:ReserveSocPercent)", settingsHealth.Detail, StringComparison.Ordinal);

        // Setting it again from Home Assistant clears the complaint.
        await MosquittoPublisher.PublishAsync(rig.Broker.Port, "edgeenergy/cmd/reserve_soc", "25");
        await watch.WaitForAsync(Reserve, "25");
        Assert.DoesNotContain(app.Services.GetRequiredService<IApplianceStatus>().Current.Components, c => c.Component == "settings");
        await app.StopAsync();
    }
}
