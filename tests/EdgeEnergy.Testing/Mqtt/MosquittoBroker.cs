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

    private MosquittoBroker(int port) => Port = port;

    public int Port { get; }

    public const string Host = "127.0.0.1";

    /// <summary>What the broker logged (stdout and stderr), for failure messages.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    private string LogPath => Path.Combine(_folder, "mosquitto.log");

    public static async Task<MosquittoBroker> StartAsync()
    {
        var broker = new MosquittoBroker(FreeTcpPort.Next());
        await broker.StartProcessAsync();
        return broker;
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
            allow_anonymous true
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
            $"'{name}' is not installed: install the Debian packages mosquitto and mosquitto-clients (tests/run-tests.sh does)");
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
