using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>
/// The Balena broker's entrypoint and health check, run against Debian's mosquitto on loopback: the login comes from
/// the same variables EdgeEnergy uses, and without one the broker is open but says so.
/// </summary>
public sealed class MosquittoServiceTests : IDisposable
{
    private const string User = "edgeenergy";
    private const string Password = "s3cret pass";
    private readonly TempDirectory _temp = new();
    private readonly int _port = LoopbackPort.Free();
    private Process? _broker;

    public MosquittoServiceTests()
    {
        // mosquitto started as root drops to its own user, which must reach these folders.
        File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(_temp.Combine("config"));
        Directory.CreateDirectory(_temp.Combine("data"));
        var conf = Repository.Read("deploy/balena/mosquitto/mosquitto.conf");
        Assert.Contains("\nlistener 1883\n", conf, StringComparison.Ordinal);
        File.WriteAllText(_temp.Combine("config/mosquitto.conf"), conf.Replace("\nlistener 1883\n", $"\nlistener {_port} 127.0.0.1\n", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (_broker is { HasExited: false })
        {
            _broker.Kill();
            _broker.WaitForExit(5000);
        }

        _broker?.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task With_a_login_the_broker_refuses_anonymous_clients_and_the_health_check_passes()
    {
        await StartBrokerAsync(User, Password);

        var anonymous = await PublishAsync();
        var withLogin = await PublishAsync("-u", User, "-P", Password);
        var health = await HealthAsync(User, Password);

        Assert.Equal(5, anonymous.ExitCode); // mosquitto_pub: "Connection Refused: not authorised"
        Assert.True(withLogin.ExitCode == 0, withLogin.ToString());
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.NotEqual(0, (await HealthAsync(User, "wrong")).ExitCode);
    }

    [Fact]
    public async Task Without_a_login_the_broker_is_anonymous_and_warns()
    {
        var warnings = await StartBrokerAsync(null, null);

        var anonymous = await PublishAsync();
        var health = await HealthAsync(null, null);

        Assert.True(anonymous.ExitCode == 0, anonymous.ToString());
        Assert.True(health.ExitCode == 0, health.ToString());
        // The warning was written before the broker listened; its reader thread may still be catching up.
        const string warning = "WARNING: EDGEENERGY__MQTT__USERNAME/PASSWORD are not set";
        for (var i = 0; i < 100 && !warnings().Contains(warning, StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(warning, warnings(), StringComparison.Ordinal);
    }

    private async Task<Func<string>> StartBrokerAsync(string? user, string? password)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Repository.PathOf("deploy/balena/mosquitto/entrypoint.sh"));
        info.Environment["MOSQUITTO_DIR"] = _temp.Path;
        info.Environment["EDGEENERGY__MQTT__USERNAME"] = user;
        info.Environment["EDGEENERGY__MQTT__PASSWORD"] = password;
        _broker = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        _broker.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        _broker.OutputDataReceived += (_, _) => { };
        _broker.BeginErrorReadLine();
        _broker.BeginOutputReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_broker.HasExited)
            {
                Assert.Fail($"the broker exited ({_broker.ExitCode}): {stderr}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, _port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }

        return () => { lock (stderr) { return stderr.ToString(); } };
    }

    private Task<ProcessResult> PublishAsync(params string[] login) =>
        ProcessRunner.RunAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "edgeenergy/test", "-m", "x", .. login]);

    private Task<ProcessResult> HealthAsync(string? user, string? password) =>
        ProcessRunner.RunAsync(
            "sh",
            [Repository.PathOf("deploy/balena/mosquitto/mqtt-health.sh")],
            environment: new Dictionary<string, string?>
            {
                ["MOSQUITTO_PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["EDGEENERGY__MQTT__USERNAME"] = user,
                ["EDGEENERGY__MQTT__PASSWORD"] = password,
            });
}
