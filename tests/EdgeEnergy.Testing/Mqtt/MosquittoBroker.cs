using System.Diagnostics;
using EdgeEnergy.Testing.Net;

namespace EdgeEnergy.Testing.Mqtt;

/// <summary>
/// A real Mosquitto (Debian package <c>mosquitto</c>, installed by tests/run-tests.sh) on 127.0.0.1 and a free port,
/// anonymous, no persistence, its config in a temp folder and its stdio redirected. <see cref="RestartAsync"/> stops it
/// and starts it again on the same port (retained messages are lost, as after a broker reboot without persistence).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-mosquitto-").FullName;
    private Process? _process;

    private readonly MosquittoSecurity? _security;

    private MosquittoBroker(int port, MosquittoSecurity? security)
    {
        Port = port;
        _security = security;
    }

    public int Port { get; }

    /// <summary>The broker's self-signed certificate (PEM; also its own CA) when TLS is on.</summary>
    public string CertificatePath => Path.Combine(_folder, "broker-cert.pem");

    /// <summary>Arguments mosquitto_sub/mosquitto_pub need for this broker (credentials, CA file).</summary>
    public IReadOnlyList<string> ClientArguments => _security switch
    {
        null => [],
        { Tls: true } s => ["-u", s.Username, "-P", s.Password, "--cafile", CertificatePath],
        var s => ["-u", s.Username, "-P", s.Password],
    };

    public const string Host = "127.0.0.1";

    /// <summary>What the broker logged (stdout and stderr), for failure messages.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    private string LogPath => Path.Combine(_folder, "mosquitto.log");

    public static async Task<MosquittoBroker> StartAsync(MosquittoSecurity? security = null)
    {
        var broker = new MosquittoBroker(FreeTcpPort.Next(), security);
        if (security is not null)
        {
            await broker.PrepareSecurityAsync(security);
        }

        await broker.StartProcessAsync();
        return broker;
    }

    private async Task PrepareSecurityAsync(MosquittoSecurity security)
    {
        await RunAsync(FindExecutable("mosquitto_passwd"), ["-c", "-b", Path.Combine(_folder, "passwd"), security.Username, security.Password]);
        if (security.Tls)
        {
            await RunAsync(FindExecutable("openssl"),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(_folder, "broker-key.pem"), "-out", CertificatePath,
            ]);
        }
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task StartProcessAsync()
    {
        var config = Path.Combine(_folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            user root
            per_listener_settings false
            listener {Port} 127.0.0.1
            {SecurityLines()}
            persistence false
            log_dest file {LogPath}
            log_type all

            """);
        var start = new ProcessStartInfo(FindExecutable("mosquitto"), ["-c", config])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await FreeTcpPort.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(10));
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{Port}: {Log}", ex);
        }
    }

    private string SecurityLines() => _security switch
    {
        null => "allow_anonymous true",
        var s => $"allow_anonymous false\npassword_file {Path.Combine(_folder, "passwd")}"
            + (s.Tls ? $"\ncertfile {CertificatePath}\nkeyfile {Path.Combine(_folder, "broker-key.pem")}" : ""),
    };

    /// <summary>The full path of a Mosquitto tool, or a clear error saying which package to install.</summary>
    public static string FindExecutable(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin"]))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' is not installed: install the Debian packages mosquitto, mosquitto-clients and openssl (tests/run-tests.sh does)");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Password (and optionally TLS with a self-signed certificate) for <see cref="MosquittoBroker"/>.</summary>
public sealed record MosquittoSecurity(string Username, string Password, bool Tls);
