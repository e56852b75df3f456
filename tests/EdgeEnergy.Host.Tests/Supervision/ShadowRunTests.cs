using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Simulation;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Mqtt;
using EdgeEnergy.Testing.Net;
using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Host.Tests.Supervision;

/// <summary>
/// Issue 16's first "done when": the real <c>edgeenergy run</c> (its own process) with <c>Control:Mode=shadow</c>
/// against a simulated Fox behind a Modbus TCP server that records every request frame, a real Mosquitto and Agile
/// prices on loopback. Over start-up, a replan, an override request (refused, "shadow mode"), a broker outage and a
/// stop (SIGTERM), not one write frame (function 05, 06, 15 or 16) reaches the inverter, while it is read all along,
/// planning runs, the mode is shown everywhere and each poll records what it would have commanded.
/// </summary>
public sealed class ShadowRunTests : IAsyncDisposable
{
    private const string Base = "edgeenergy";
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-shadow-run-test-").FullName;
    private readonly ModbusFrameRecorder _frames = new();
    private readonly ModbusTcpServer _modbus;
    private readonly List<Process> _children = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ShadowRunTests()
    {
        // No solar, so what the inverter does on its own does not depend on the hour the test runs at.
        var inverter = new SimulatedFoxEss(FoxRegisterMap.Embedded.Families["h1-g2"], TimeProvider.System,
            new SimulatedFoxEssOptions { CapacityKwh = 10.4, InitialSocPercent = 55, PvW = _ => 0 });
        _modbus = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = inverter }), new IPEndPoint(IPAddress.Loopback, 0), recorder: _frames);
        _modbus.Start();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _children)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }

        _http.Dispose();
        await _modbus.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Agile-shaped prices around now (a daily swing, cheap nights and a dear evening, in every half hour of
    /// two days either side), so the planner has something to decide whatever the time of day.</summary>
    private static List<Rate> Prices(DateTimeOffset now, double scale)
    {
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-2);
        return [.. Enumerable.Range(0, 48 * 5).Select(i =>
            new Rate(start.AddMinutes(30 * i), start.AddMinutes(30 * (i + 1)), Math.Round(scale * (25 + 18 * Math.Sin(2 * Math.PI * (i - 12) / 48.0)), 2)))];
    }

    private static async Task<T> WaitFor<T>(Func<Task<T?>> probe, TimeSpan limit, Func<string> what)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{what()} not seen within {limit.TotalSeconds} s");
    }

    private async Task<JsonNode?> GetJson(Uri url)
    {
        try
        {
            using var response = await _http.GetAsync(url);
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task An_unknown_mode_stops_the_start_with_exit_2_naming_the_key_and_the_value()
    {
        var result = await CliRunner.RunAsync(["run"], timeout: TimeSpan.FromSeconds(90), environment: new Dictionary<string, string>
        {
            ["EDGEENERGY__Control__Mode"] = "sideways",
            ["EDGEENERGY__Inverter__Endpoint"] = $"tcp://127.0.0.1:{_modbus.LocalEndpoint.Port}",
            ["EDGEENERGY__Inverter__Family"] = "h1-g2",
            ["EDGEENERGY__Storage__Path"] = Path.Combine(_data, "edgeenergy.db"),
            ["EDGEENERGY__Http__Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
            ["EDGEENERGY__Mqtt__EmbeddedBroker"] = "true",
            ["EDGEENERGY__Mqtt__EmbeddedBrokerPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
        });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("edgeenergy: configuration: Control:Mode 'sideways' is not a mode: use active or shadow", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, _frames.Count);
    }

    [Fact]
    public async Task A_shadow_run_sends_no_write_frame_through_start_replan_refused_override_broker_outage_and_stop()
    {
        var now = DateTimeOffset.UtcNow;
        var api = new FakeOctopusApi()
            .WithTariff("E-1R-AGILE-24-10-01-C", Prices(now, 1))
            .WithTariff("E-1R-AGILE-OUTGOING-19-05-13-C", Prices(now, 0.5));
        await using var octopus = await LoopbackHttpServer.StartAsync(api.HandleAsync);
        await using var broker = await MosquittoBroker.StartAsync();
        var web = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}/");
        var database = Path.Combine(_data, "edgeenergy.db");
        var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, $"{Base}/#", "homeassistant/#");

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { CliRunner.HostDll, "run" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["EDGEENERGY__Control__Mode"] = "shadow",
            ["EDGEENERGY__Control__PollSeconds"] = "1",
            ["EDGEENERGY__Inverter__Endpoint"] = $"tcp://127.0.0.1:{_modbus.LocalEndpoint.Port}",
            ["EDGEENERGY__Inverter__Family"] = "h1-g2",
            ["EDGEENERGY__Inverter__SettleAfterConnectMilliseconds"] = "0",
            ["EDGEENERGY__Storage__Path"] = database,
            ["EDGEENERGY__Http__Urls"] = web.ToString().TrimEnd('/'),
            ["EDGEENERGY__Mqtt__Host"] = MosquittoBroker.Host,
            ["EDGEENERGY__Mqtt__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["EDGEENERGY__Mqtt__StateIntervalSeconds"] = "0.5",
            ["EDGEENERGY__Mqtt__ConnectionCheckSeconds"] = "0.5",
            ["EDGEENERGY__Octopus__BaseUrl"] = octopus.BaseUrl.ToString(),
            ["EDGEENERGY__Site__BatteryCapacityKwh"] = "10.4",
        })
        {
            psi.Environment[k] = v;
        }

        var service = Process.Start(psi)!;
        _children.Add(service);
        var stderr = service.StandardError.ReadToEndAsync();
        _ = service.StandardOutput.ReadToEndAsync();
        string Said() => stderr.IsCompleted ? stderr.Result : "(still running)";

        // Start-up: the mode is shown on the API, on MQTT (state and the discovery of the Mode select) and in /metrics.
        var status = await WaitFor(() => GetJson(new Uri(web, "api/v1/status")), TimeSpan.FromSeconds(60), () => "/api/v1/status");
        Assert.Equal("shadow", status["mode"]!.GetValue<string>());
        await subscriber.WaitForAsync($"{Base}/state/control_mode", "shadow", timeoutSeconds: 30);
        var discovery = await subscriber.WaitForAsync(m => m.Topic == "homeassistant/device/edgeenergy/config", timeoutSeconds: 30);
        var config = JsonNode.Parse(discovery.Payload)!["components"]!["control_mode"]!;
        Assert.Equal("select", config["platform"]!.GetValue<string>());
        Assert.Equal("Mode", config["name"]!.GetValue<string>());
        Assert.Equal($"{Base}/cmd/control_mode", config["command_topic"]!.GetValue<string>());
        Assert.Equal(["shadow", "active"], config["options"]!.AsArray().Select(o => o!.GetValue<string>()));
        var metrics = await _http.GetStringAsync(new Uri(web, "metrics"));
        Assert.Contains("edgeenergy_control_mode{mode=\"shadow\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edgeenergy_control_mode{mode=\"active\"} 0", metrics, StringComparison.Ordinal);

        // Planning runs in shadow: a first plan, then a replan asked from Home Assistant.
        var first = await WaitFor(() => GetJson(new Uri(web, "api/v1/plan")), TimeSpan.FromSeconds(120), () => "a first plan; service said: " + Said());
        var firstCreated = first["createdUtc"]!.GetValue<DateTimeOffset>();
        await MosquittoPublisher.PublishAsync(broker.Port, $"{Base}/cmd/replan", "PRESS");
        await WaitFor(
            async () => await GetJson(new Uri(web, "api/v1/plan")) is { } p && p["createdUtc"]!.GetValue<DateTimeOffset>() > firstCreated ? p : null,
            TimeSpan.FromSeconds(120), () => "a replan");

        // An override from Home Assistant is refused, and says why.
        var mark = subscriber.Mark;
        await MosquittoPublisher.PublishAsync(broker.Port, $"{Base}/cmd/override_mode", "force-charge");
        var outcome = JsonNode.Parse((await subscriber.WaitForAsync(m => m.Topic == $"{Base}/status" && m.Payload.Contains("override_mode", StringComparison.Ordinal), mark, 30)).Payload)!;
        Assert.Equal("rejected", outcome["result"]!.GetValue<string>());
        Assert.Contains("shadow mode", outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("shadow", (await GetJson(new Uri(web, "api/v1/status")))!["mode"]!.GetValue<string>());

        // A broker outage: the service keeps reading the inverter (and writes nothing) until the broker is back.
        await subscriber.DisposeAsync();
        await broker.StopAsync();
        var outageFrom = DateTimeOffset.UtcNow;
        var framesAtOutage = _frames.Count;
        await WaitFor(() => Task.FromResult(_frames.Count > framesAtOutage + 30 ? "read" : null), TimeSpan.FromSeconds(60), () => "polls during the outage");
        var outageTo = DateTimeOffset.UtcNow;
        await broker.RestartAsync();
        await using var again = await MosquittoSubscriber.StartAsync(broker.Port, $"{Base}/#");
        await again.WaitForAsync($"{Base}/availability", "online", timeoutSeconds: 60);
        await again.WaitForAsync($"{Base}/state/control_mode", "shadow", timeoutSeconds: 30);
        var framesAfterOutage = _frames.Count;
        await WaitFor(() => Task.FromResult(_frames.Count > framesAfterOutage + 10 ? "read" : null), TimeSpan.FromSeconds(30), () => "polls after the outage");

        // Stop: SIGTERM, the way systemd stops the service; a clean exit.
        using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await service.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var log = await stderr;
        Assert.True(service.ExitCode == 0, $"exit {service.ExitCode}: {log}");

        // Not one write frame reached the inverter, of any function code, over the whole run; reads went on throughout.
        var frames = _frames.Frames;
        Assert.All(frames, f => Assert.Contains(f.Function, new byte[] { 0x03, 0x04 }));
        Assert.Empty(_frames.Writes);
        Assert.Contains("Control mode shadow at start: Control:Mode is shadow", log, StringComparison.Ordinal);

        // Each poll recorded what EdgeEnergy would have commanded and why, beside what the inverter did.
        using var db = new SqliteDatabase(database);
        var audit = await new SqliteAuditLog(db).GetAsync(now.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        Assert.True(audit.Count >= 3, $"{audit.Count} audit rows");
        Assert.Contains(audit, a => a.TimestampUtc > outageFrom && a.TimestampUtc < outageTo);
        Assert.Equal(audit.Count, audit.Select(a => a.TimestampUtc).Distinct().Count());
        Assert.All(audit, a => Assert.StartsWith("shadow: not sent; inverter did: battery ", a.Outcome, StringComparison.Ordinal));
        Assert.All(audit, a => Assert.Contains("SoC ", a.Outcome, StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Reason!.StartsWith("plan: ", StringComparison.Ordinal));
    }
}
