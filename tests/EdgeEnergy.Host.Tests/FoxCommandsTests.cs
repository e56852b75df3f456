using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests;

/// <summary><c>edgeenergy fox read</c> as a user runs it: a real process, JSON on stdout, exit codes per docs/contracts.md section 1.</summary>
public class FoxCommandsTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edgeenergy.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Fox_read_prints_the_contract_fields_with_our_signs()
    {
        var sim = new SimulatedFoxEss(FoxRegisterMap.Embedded["h1-rs485"], TimeProvider.System, new SimulatedFoxEssOptions { InitialSocPercent = 63, PvW = _ => 0, LoadW = _ => 500 });
        await using var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = sim }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        var (code, stdout, stderr) = await Run("fox", "read", "--endpoint", $"tcp://127.0.0.1:{server.LocalEndpoint.Port}", "--settle-ms", "0");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("h1-rs485", root.GetProperty("family").GetString());
        Assert.Equal("H1-5.0-E", root.GetProperty("model").GetString());
        Assert.Equal(63, root.GetProperty("batterySocPercent").GetDouble());
        Assert.Equal(500, root.GetProperty("batteryPowerW").GetDouble()); // discharging covers the 500 W load
        Assert.Equal(0, root.GetProperty("gridPowerW").GetDouble());
        Assert.Equal("self-use", root.GetProperty("workMode").GetString());
        Assert.Equal("on-grid", root.GetProperty("inverterState").GetString());
        foreach (var field in new[] { "loadPowerW", "pvPowerW", "pv1PowerW", "pv2PowerW", "batteryVoltageV", "batteryTemperatureC", "minSocOnGridPercent" })
        {
            Assert.Equal(JsonValueKind.Number, root.GetProperty(field).ValueKind);
        }

        Assert.Equal(JsonValueKind.Null, root.GetProperty("pv3PowerW").ValueKind); // the family lacks it: null, not absent
        var remote = root.GetProperty("remoteControl");
        Assert.False(remote.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, remote.GetProperty("timeoutSeconds").GetInt32());
        Assert.Equal(0, remote.GetProperty("activePowerW").GetDouble());
    }

    [Theory]
    [InlineData("read --endpoint modbus://x", "unknown scheme")]
    [InlineData("read --endpoint tcp://127.0.0.1:502 --family h9", "'h9'")]
    [InlineData("read --endpoint tcp://127.0.0.1:502 --unit 300", "--unit")]
    [InlineData("simulate --listen 127.0.0.1:0 --family h9", "'h9'")]
    [InlineData("simulate --listen 127.0.0.1:0 --soc 150", "--soc 0..100")]
    [InlineData("simulate --listen 127.0.0.1:0 --capacity-kwh 0", "--capacity-kwh above 0")]
    [InlineData("simulate --listen nowhere", "is not HOST:PORT")]
    public async Task Bad_usage_exits_2_with_a_one_line_reason_and_does_nothing(string args, string reason)
    {
        var (code, stdout, stderr) = await Run(["fox", .. args.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(reason, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_device_that_is_not_there_exits_1_with_the_reason()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var (code, stdout, stderr) = await Run("fox", "read", "--endpoint", $"tcp://127.0.0.1:{port}", "--timeout-ms", "300");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains($"tcp://127.0.0.1:{port}", stderr);
    }

    [Fact]
    public async Task Fox_simulate_serves_an_inverter_that_fox_read_reads_and_stops_cleanly_on_SIGTERM()
    {
        // The pair a user tries first (docs/fox-modbus.md): one shell serves a simulated inverter, another reads it.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "edgeenergy.dll"), "fox", "simulate", "--listen", "127.0.0.1:0", "--soc", "72", "--pv-peak-kw", "0", "--load-w", "600" })
        {
            psi.ArgumentList.Add(a);
        }

        using var simulator = Process.Start(psi)!;
        var stderr = simulator.StandardError.ReadToEndAsync();
        try
        {
            // It prints the endpoint it serves (port 0 picked a free one) once it is listening.
            var served = await simulator.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Matches(@"^tcp://127\.0\.0\.1:[1-9][0-9]*$", served);

            var (code, stdout, readErr) = await Run("fox", "read", "--endpoint", served!, "--settle-ms", "0");
            Assert.True(code == 0, readErr);
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.Equal("h1-rs485", root.GetProperty("family").GetString()); // the default family, detected by read
            Assert.Equal(72, root.GetProperty("batterySocPercent").GetDouble());
            Assert.Equal(0, root.GetProperty("pvPowerW").GetDouble());
            // No sun, self-use: the battery (+ discharging) carries the whole house and nothing is imported. A constant
            // 600 W, within the battery's 1,280 W at any hour (the default profile's 1.5 kW evening peak is not).
            Assert.Equal(600, root.GetProperty("loadPowerW").GetDouble());
            Assert.Equal(600, root.GetProperty("batteryPowerW").GetDouble(), 0);
            Assert.Equal(0, root.GetProperty("gridPowerW").GetDouble());
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", simulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            var exited = simulator.WaitForExit(TimeSpan.FromSeconds(20));
            if (!exited)
            {
                simulator.Kill(entireProcessTree: true);
            }

            Assert.True(exited, "fox simulate did not stop within 20 s of SIGTERM");
        }

        Assert.Equal(0, simulator.ExitCode);
        Assert.Contains("stopping", await stderr);
    }

    [Fact]
    public async Task Fox_simulate_on_a_port_in_use_exits_1_naming_it()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, stdout, stderr) = await Run("fox", "simulate", "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", stderr);
    }

    [Fact]
    public void AddFoxEss_validates_the_inverter_section_at_start_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inverter:Endpoint"] = "serial:/dev/ttyUSB0",
            ["Inverter:Family"] = "h2",
            ["Inverter:Unit"] = "300",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddFoxEss(configuration).BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FoxEssOptions>>().Value);
        var message = string.Join(" | ", e.Failures);
        Assert.Contains("Inverter:Endpoint", message);
        Assert.Contains("Inverter:Family", message);
        Assert.Contains("Unit", message);
    }
}
