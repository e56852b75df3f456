using System.CommandLine;
using System.Globalization;
using System.Net;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Host.Configuration;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy demo</c>: the whole appliance on embedded defaults, nothing to install. A simulated Fox inverter on
/// loopback Modbus TCP, the embedded MQTT broker unless one is configured, real Agile prices replayed as if live,
/// SQLite in a data folder, dashboard and API on http://127.0.0.1:8080.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data folder for the SQLite file.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "edgeenergy-demo") };
        var urls = new Option<string>("--urls") { Description = "Where the dashboard and API listen.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "Port of the embedded MQTT broker (when no Mqtt:Host is configured).", DefaultValueFactory = _ => 1883 };
        var family = new Option<string>("--family") { Description = "Fox family the simulator plays.", DefaultValueFactory = _ => "h1-g2" };
        var config = RunCommand.ConfigOption();
        var command = new Command("demo", "Runs the whole appliance on embedded defaults: simulated Fox inverter, embedded MQTT broker, bundled real Agile prices, dashboard on http://127.0.0.1:8080.");
        command.Options.Add(data);
        command.Options.Add(urls);
        command.Options.Add(mqttPort);
        command.Options.Add(family);
        command.Options.Add(config);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(urls)!, parse.GetValue(mqttPort), parse.GetValue(family)!, parse.GetValue(config), ct));
        return command;
    }

    private static async Task<int> RunAsync(string dataFolder, string urls, int mqttPort, string familyKey, string? configFile, CancellationToken cancellationToken)
    {
        if (!FoxRegisterMap.Embedded.Families.TryGetValue(familyKey, out var family))
        {
            await Console.Error.WriteLineAsync($"edgeenergy demo: --family '{familyKey}' is not one of {string.Join(", ", FoxRegisterMap.Embedded.Families.Keys)}");
            return ExitCodes.BadInput;
        }

        Directory.CreateDirectory(dataFolder);
        const double capacityKwh = 10.4;
        var inverter = new SimulatedFoxEss(family, TimeProvider.System, new SimulatedFoxEssOptions { CapacityKwh = capacityKwh, InitialSocPercent = 50 });
        await using var modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = inverter }), new IPEndPoint(IPAddress.Loopback, 0));
        modbus.Start();

        IConfiguration Configuration()
        {
            var file = EdgeEnergyConfiguration.Load(configFile);
            var embeddedBroker = string.IsNullOrWhiteSpace(file["Mqtt:Host"]);
            // The demo's own settings win over the file and the environment. The file's values are copied, not chained:
            // a chained configuration drops empty values, and an empty value must reach the check as the error it is.
            return new ConfigurationBuilder().AddInMemoryCollection(file.AsEnumerable().Where(kv => kv.Value is not null)).AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Inverter:Endpoint"] = $"tcp://127.0.0.1:{modbus.LocalEndpoint.Port}",
                ["Inverter:Family"] = familyKey,
                ["Inverter:Unit"] = "247",
                ["Inverter:SettleAfterConnectMilliseconds"] = "0",
                ["Storage:Path"] = Path.Combine(dataFolder, "edgeenergy.db"),
                ["Http:Urls"] = urls,
                ["Mqtt:EmbeddedBroker"] = embeddedBroker ? "true" : "false",
                ["Mqtt:EmbeddedBrokerPort"] = mqttPort.ToString(CultureInfo.InvariantCulture),
                ["Site:BatteryCapacityKwh"] = capacityKwh.ToString(CultureInfo.InvariantCulture),
                ["Site:BatteryMaxChargeKw"] = "3",
                ["Site:BatteryMaxDischargeKw"] = "3",
            }).Build();
        }

        return await RunCommand.RunAsync(Configuration, replayPrices: true, cancellationToken, async app =>
        {
            await Console.Error.WriteLineAsync(
                $"edgeenergy demo: dashboard {urls}  |  simulated Fox {familyKey} on tcp://127.0.0.1:{modbus.LocalEndpoint.Port} (unit 247)  |  MQTT 127.0.0.1:{mqttPort}  |  data {dataFolder}  |  Ctrl+C stops");
        });
    }
}
