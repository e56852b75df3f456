using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Supervision;

/// <summary>
/// Safety layer (a) at the whole-service level: `edgeenergy run` force-charges a `fox simulate` inverter (both real
/// processes), is SIGKILLed, and the inverter goes back to self-use by its own remote-control timeout
/// (Inverter:RemoteTimeoutSeconds); started again, the service picks the command up again by itself.
/// </summary>
public sealed class ServiceKilledTests : IDisposable
{
    private const int RemoteTimeoutSeconds = 10;
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-kill-test-").FullName;
    private readonly List<Process> _children = [];

    public void Dispose()
    {
        foreach (var p in _children.Where(p => !p.HasExited))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }

        foreach (var p in _children)
        {
            p.Dispose();
        }

        Directory.Delete(_data, recursive: true);
    }

    private Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliRunner.HostDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi)!;
        _children.Add(process);
        return process;
    }

    private static async Task<T> WaitFor<T>(Func<Task<T?>> probe, TimeSpan limit, string what)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{what} not seen within {limit.TotalSeconds} s");
    }

    [Fact]
    public async Task A_killed_service_leaves_the_inverter_in_self_use_within_the_remote_timeout_and_a_restarted_one_takes_over_again()
    {
        var simulator = Start(["fox", "simulate", "--listen", "127.0.0.1:0", "--family", "h1-g2", "--soc", "40", "--pv-peak-kw", "0", "--load-w", "600"]);
        var endpoint = (await simulator.StandardOutput.ReadLineAsync())!.Trim();
        Assert.StartsWith("tcp://127.0.0.1:", endpoint, StringComparison.Ordinal);

        // The person's force-charge override, as the service stores it (it survives restarts).
        var database = Path.Combine(_data, "edgeenergy.db");
        using (var db = new SqliteDatabase(database))
        {
            await new SqliteOverrideStore(db, TimeProvider.System).SaveAsync(
                new Override { Mode = OverrideMode.ForceCharge, StartUtc = DateTimeOffset.UtcNow.AddMinutes(-1), ExpiresUtc = DateTimeOffset.UtcNow.AddHours(2), PowerW = 2000, Source = "test" },
                CancellationToken.None);
        }

        var environment = new Dictionary<string, string>
        {
            ["EDGEENERGY__Inverter__Endpoint"] = endpoint,
            ["EDGEENERGY__Inverter__Family"] = "h1-g2",
            ["EDGEENERGY__Inverter__SettleAfterConnectMilliseconds"] = "0",
            ["EDGEENERGY__Inverter__RemoteTimeoutSeconds"] = RemoteTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["EDGEENERGY__Storage__Path"] = database,
            ["EDGEENERGY__Http__Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
            ["EDGEENERGY__Mqtt__EmbeddedBroker"] = "true",
            ["EDGEENERGY__Mqtt__EmbeddedBrokerPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
            ["EDGEENERGY__Control__PollSeconds"] = "2",
            // A closed loopback port: no price is ever known, so no native charge period is written (hermetic).
            ["EDGEENERGY__Octopus__BaseUrl"] = $"http://127.0.0.1:{FreeTcpPort.Next()}/",
        };

        await using var probe = new FoxEssDevice(Options.Create(new FoxEssOptions { Endpoint = endpoint, Family = "h1-g2", SettleAfterConnectMilliseconds = 0 }),
            new ModbusBusRegistry(TimeProvider.System), TimeProvider.System, NullLoggerFactory.Instance);
        async Task<InverterTelemetry?> Charging()
        {
            var t = await probe.ReadTelemetryAsync(CancellationToken.None);
            return t.RemoteControl is { Enabled: true } && t.BatteryPowerW < -1000 ? t : null;
        }

        var service = Start(["run"], environment);
        var stderr = service.StandardError.ReadToEndAsync();
        var charging = await WaitFor(Charging, TimeSpan.FromSeconds(90), "force charge under remote control");
        Assert.Equal(RemoteTimeoutSeconds, charging.RemoteControl!.TimeoutSeconds);

        // SIGKILL: no shutdown code runs, nothing hands the inverter back.
        service.Kill();
        await service.WaitForExitAsync();
        var killedAt = Stopwatch.StartNew();
        await WaitFor(
            async () => await probe.ReadTelemetryAsync(CancellationToken.None) is { RemoteControl.Enabled: false } t ? t : null,
            TimeSpan.FromSeconds(RemoteTimeoutSeconds + 10), "the inverter's own revert");
        Assert.True(killedAt.Elapsed <= TimeSpan.FromSeconds(RemoteTimeoutSeconds + 2), $"reverted after {killedAt.Elapsed.TotalSeconds:0.0} s; service said: {await stderr}");

        // The revert is judged on a reading taken wholly after it: one telemetry read spans several requests, and the
        // one that saw remote control off may have read the battery power just before the watchdog fired.
        var after = await probe.ReadTelemetryAsync(CancellationToken.None);
        var state = $"battery {after.BatteryPowerW} W, grid {after.GridPowerW} W, load {after.LoadPowerW} W, work mode {after.WorkMode}, "
            + $"remote {after.RemoteControl}, periods [{string.Join("; ", after.ChargePeriods ?? [])}]; service said: {await stderr}";
        // The documented safe state with no price known (so no native charge period written) and no solar (pinned, so
        // this holds at any hour): self-use, the battery above its floor supplies the house and nothing charges it.
        Assert.False(after.RemoteControl!.Enabled, state);
        Assert.Equal("self-use", after.WorkMode);
        Assert.All(after.ChargePeriods!, p => Assert.False(p.ChargeFromGrid, state));
        Assert.Equal(0, after.PvPowerW);
        Assert.True(after.BatteryPowerW >= after.LoadPowerW - 50 && after.GridPowerW <= 50, "self-use: the battery supplies the load, never charges from the grid: " + state);

        // The fault clears: started again, the service resumes the override with no one's help.
        var again = Start(["run"], environment);
        _ = again.StandardError.ReadToEndAsync();
        await WaitFor(Charging, TimeSpan.FromSeconds(90), "force charge after the restart");
    }
}
