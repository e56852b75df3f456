using System.Net;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Testing.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeEnergy.Host.Tests.Appliance;

/// <summary>
/// The whole appliance against a simulated Fox on loopback Modbus TCP whose battery is at 73 % while the configured
/// reserve is 20 %: no plan and no planned command before a telemetry read has measured the state of charge.
/// </summary>
public sealed class FirstPlanTests : IAsyncDisposable
{
    private const double CapacityKwh = 10.4;
    private const double MeasuredSocPercent = 73;
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-first-plan-test-").FullName;
    private readonly ModbusTcpServer _modbus;

    public FirstPlanTests()
    {
        var inverter = new SimulatedFoxEss(FoxRegisterMap.Embedded.Families["h1-g2"], TimeProvider.System,
            new SimulatedFoxEssOptions { CapacityKwh = CapacityKwh, InitialSocPercent = MeasuredSocPercent });
        _modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = inverter }), new IPEndPoint(IPAddress.Loopback, 0));
        _modbus.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _modbus.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task The_first_plan_starts_from_the_measured_state_of_charge_and_the_fallback_rules_act_until_then()
    {
        var started = DateTimeOffset.UtcNow;
        await using var app = ApplianceHost.Build(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Inverter:Endpoint"] = $"tcp://127.0.0.1:{_modbus.LocalEndpoint.Port}",
                ["Inverter:Family"] = "h1-g2",
                ["Inverter:Unit"] = "247",
                // A real Fox over TCP wants a pause after connecting (1 s by default): the first reading comes late.
                ["Inverter:SettleAfterConnectMilliseconds"] = "2000",
                ["Storage:Path"] = Path.Combine(_data, "edgeenergy.db"),
                ["Http:Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
                ["Site:BatteryCapacityKwh"] = "10.4",
                ["Site:ReserveSocPercent"] = "20",
                ["Control:PollSeconds"] = "1",
            }).Build(),
            replayPrices: true,
            minimumLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
        await app.StartAsync();
        var status = app.Services.GetRequiredService<IApplianceStatus>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (status.Current.Plan is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no plan within 60 s of the start");
            await Task.Delay(100);
        }

        await app.StopAsync();

        // The first plan of this process starts from the state of charge the inverter reported, not from a guess.
        var first = await app.Services.GetRequiredService<IPlanLog>().GetAsync(1, CancellationToken.None);
        Assert.NotNull(first);
        Assert.InRange(100 * first.Problem.Battery.SocKwh / CapacityKwh, MeasuredSocPercent - 1, MeasuredSocPercent + 1);

        // The first command came from the fallback rules: there was no plan to follow yet.
        var commands = (await app.Services.GetRequiredService<IAuditLog>().GetAsync(started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None))
            .Where(e => !e.Command.StartsWith("charge-period", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(commands);
        Assert.StartsWith("fallback: ", commands[0].Reason, StringComparison.Ordinal);
    }
}
