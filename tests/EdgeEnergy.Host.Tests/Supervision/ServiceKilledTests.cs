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
        var simulator = Start(["fox", "simulate", "--listen", "127.0.0.1:0", "--family", "h1-g2", "--soc", "40"]);
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
        var reverted = await WaitFor(
            async () => await probe.ReadTelemetryAsync(CancellationToken.None) is { RemoteControl.Enabled: false } t ? t : null,
            TimeSpan.FromSeconds(RemoteTimeoutSeconds + 10), "the inverter's own revert");
        Assert.True(killedAt.Elapsed <= TimeSpan.FromSeconds(RemoteTimeoutSeconds + 2), $"reverted after {killedAt.Elapsed.TotalSeconds:0.0} s; service said: {await stderr}");
        var solarSurplus = Math.Max(0, reverted.PvPowerW!.Value - reverted.LoadPowerW!.Value);
        Assert.True(-reverted.BatteryPowerW!.Value <= solarSurplus + 50,
            $"self-use: the battery charges from solar surplus only, never from the grid (battery {reverted.BatteryPowerW} W, PV {reverted.PvPowerW} W, load {reverted.LoadPowerW} W)");

        // The fault clears: started again, the service resumes the override with no one's help.
        var again = Start(["run"], environment);
        _ = again.StandardError.ReadToEndAsync();
        await WaitFor(Charging, TimeSpan.FromSeconds(90), "force charge after the restart");
    }
}
