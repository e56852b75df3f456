using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Web.Preview;
using EdgeEnergy.Testing.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// The whole appliance (as <c>edgeenergy demo</c> runs it) on the simulated Fox behind an RS485-to-Ethernet gateway on
/// loopback (RTU over TCP): the Modbus series the control loop causes appear on /metrics, read over HTTP, and a
/// request to a unit that is not on the bus adds exactly one timeout.
/// </summary>
public sealed class ModbusMetricsEndToEndTests : IAsyncLifetime, IAsyncDisposable
{
    private bool _disposed;
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-modbus-metrics-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpListener _gateway = new(IPAddress.Loopback, 0);
    private readonly List<ModbusRtuServer> _sessions = [];
    private Task _accepting = Task.CompletedTask;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private int GatewayPort => ((IPEndPoint)_gateway.LocalEndpoint).Port;

    public async Task InitializeAsync()
    {
        var simulator = new SimulatedFoxEss(FoxRegisterMap.Embedded["h1-g2"], TimeProvider.System, new SimulatedFoxEssOptions { CapacityKwh = 10.4, InitialSocPercent = 50 });
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = simulator });
        _gateway.Start();
        _accepting = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _gateway.AcceptSocketAsync(_stop.Token);
                lock (_sessions)
                {
                    _sessions.Add(new ModbusRtuServer(core, new NetworkStream(socket, ownsSocket: true)));
                }
            }
        });

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inverter:Endpoint"] = $"rtu-over-tcp://127.0.0.1:{GatewayPort}",
            ["Inverter:Family"] = "h1-g2",
            ["Inverter:Unit"] = "247",
            ["Inverter:SettleAfterConnectMilliseconds"] = "0",
            ["Inverter:Retries"] = "0",
            ["Inverter:RequestTimeoutMilliseconds"] = "3000",
            ["Storage:Path"] = Path.Combine(_data, "edgeenergy.db"),
            ["Http:Urls"] = "http://127.0.0.1:0",
            ["Mqtt:EmbeddedBroker"] = "true",
            ["Mqtt:EmbeddedBrokerPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Control:PollSeconds"] = "1",
            ["Site:BatteryCapacityKwh"] = "10.4",
        }).Build();
        _app = ApplianceHost.Build(configuration, replayPrices: true, minimumLevel: LogLevel.Warning);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(PreviewHost.BoundAddresses(_app).Single() + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _stop.CancelAsync();
        _gateway.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        _stop.Dispose();
        _gateway.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static double SumOf(string exposition, string prefix) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [Fact]
    public async Task The_control_loops_modbus_traffic_and_a_timeout_on_an_absent_unit_show_on_metrics()
    {
        // The loop polls the inverter every second: wait for its reads to be on /metrics.
        var text = string.Empty;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (SumOf(text, "edgeenergy_modbus_request_duration_seconds_count{") < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "no Modbus traffic on /metrics after 60 s:\n" + text);
            await Task.Delay(250);
            text = await _client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        }

        Assert.True(SumOf(text, "edgeenergy_modbus_requests_total{") >= 3, text);
        Assert.True(SumOf(text, "edgeenergy_modbus_request_duration_seconds_sum{") > 0, text);
        Assert.True(MetricsScrape.Sample(text, "edgeenergy_modbus_request_duration_seconds_bucket{function=\"3\",le=\"+Inf\"}") > 0
            || MetricsScrape.Sample(text, "edgeenergy_modbus_request_duration_seconds_bucket{function=\"4\",le=\"+Inf\"}") > 0, text);
        var timeoutsBefore = SumOf(text, "edgeenergy_modbus_timeouts_total{function=\"3\"}");

        // Unit 9 is not on the RS485 bus: the gateway passes the request on and nothing answers.
        var buses = _app.Services.GetRequiredService<ModbusBusRegistry>();
        await using (var lease = buses.Acquire(ModbusEndpoint.Parse($"rtu-over-tcp://127.0.0.1:{GatewayPort}"), new ModbusBusOptions()))
        {
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => new ModbusClient(lease.Bus, 9).ReadHoldingRegistersAsync(0, 1, CancellationToken.None));
        }

        var after = await _client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(timeoutsBefore + 1, MetricsScrape.Sample(after, "edgeenergy_modbus_timeouts_total{function=\"3\"}"));
        Assert.Contains("# TYPE edgeenergy_modbus_timeouts_total counter", after, StringComparison.Ordinal);
    }
}
