using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Modbus.Tests.Peers;

/// <summary>Runs external programs for the peer tests.</summary>
internal static class Tools
{
    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"'{tool}' is not installed: apt-get install {package} (tests/run-tests.sh does this)");
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    public static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}

/// <summary>A socat pty pair: <see cref="Server"/> and <see cref="Client"/> are two linked serial devices.</summary>
internal sealed class PtyPair : IDisposable
{
    private readonly Process _socat;
    private readonly string _dir;

    public PtyPair()
    {
        var socat = Tools.Require("socat", "socat");
        _dir = Directory.CreateTempSubdirectory("ee-pty-").FullName;
        Server = Path.Combine(_dir, "ttyS_srv");
        Client = Path.Combine(_dir, "ttyS_cli");
        _socat = Tools.Start(socat, $"pty,raw,echo=0,link={Server}", $"pty,raw,echo=0,link={Client}");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!(File.Exists(Server) && File.Exists(Client)))
        {
            if (DateTime.UtcNow > deadline || _socat.HasExited)
            {
                throw new InvalidOperationException($"socat did not create the pty pair: {_socat.StandardError.ReadToEnd()}");
            }

            Thread.Sleep(20);
        }
    }

    public string Server { get; }
    public string Client { get; }

    public void Dispose()
    {
        Tools.Stop(_socat);
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Compiles <c>fox_fixture_server.c</c> once per test run.</summary>
internal static class FixtureServerBinary
{
    private static readonly Lazy<Task<string>> s_binary = new(CompileAsync);

    public static Task<string> PathAsync => s_binary.Value;

    private static async Task<string> CompileAsync()
    {
        var gcc = Tools.Require("gcc", "gcc");
        var pkgConfig = Tools.Require("pkg-config", "pkg-config");
        if (!File.Exists("/usr/include/modbus/modbus.h"))
        {
            throw new InvalidOperationException("libmodbus headers missing: apt-get install libmodbus-dev");
        }

        var flags = await Tools.RunAsync(pkgConfig, "--cflags", "--libs", "libmodbus");
        var output = Path.Combine(Directory.CreateTempSubdirectory("ee-mbfix-").FullName, "fox_fixture_server");
        var args = new List<string> { "-O2", "-o", output, Path.Combine(AppContext.BaseDirectory, "Peers", "fox_fixture_server.c") };
        args.AddRange(flags.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var result = await Tools.RunAsync(gcc, [.. args]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc failed: {result.Stderr}");
        }

        return output;
    }
}

/// <summary>The libmodbus fixture server on loopback TCP holding the given raw values.</summary>
internal sealed class LibmodbusTcpServer : IDisposable
{
    private readonly Process _process;
    private readonly string _values;

    private LibmodbusTcpServer(Process process, string values, int port)
    {
        _process = process;
        _values = values;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Lines "h ADDRESS VALUE", "i ADDRESS VALUE", "c ADDRESS 0|1".</summary>
    public static async Task<LibmodbusTcpServer> StartAsync(IEnumerable<string> values)
    {
        var binary = await FixtureServerBinary.PathAsync;
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, values);
        var process = Tools.Start(binary, "tcp", "0", file);
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (!int.TryParse(line, out var port))
        {
            var err = await process.StandardError.ReadToEndAsync();
            Tools.Stop(process);
            throw new InvalidOperationException($"fixture server did not start: '{line}' {err}");
        }

        return new LibmodbusTcpServer(process, file, port);
    }

    public void Dispose()
    {
        Tools.Stop(_process);
        File.Delete(_values);
    }
}

/// <summary>Our simulator on a loopback TCP port, with an inverter client opened on it.</summary>
internal sealed class SimulatorOnTcp : IAsyncDisposable
{
    private SimulatorOnTcp(SimulatedFoxEss simulator, ModbusTcpServer server, ModbusBus bus)
    {
        Simulator = simulator;
        Server = server;
        Bus = bus;
    }

    public SimulatedFoxEss Simulator { get; }
    public ModbusTcpServer Server { get; }
    public ModbusBus Bus { get; }
    public int Port => Server.LocalEndpoint.Port;

    public static SimulatorOnTcp Start(string family, TimeProvider simulatorTime, SimulatedFoxEssOptions? options = null, ModbusBusOptions? busOptions = null, TimeProvider? clientTime = null, EdgeEnergyMetrics? metrics = null) =>
        Start(FoxRegisterMap.Embedded[family], simulatorTime, options, busOptions, clientTime, metrics);

    public static SimulatorOnTcp Start(FoxFamily family, TimeProvider simulatorTime, SimulatedFoxEssOptions? options = null, ModbusBusOptions? busOptions = null, TimeProvider? clientTime = null, EdgeEnergyMetrics? metrics = null)
    {
        var simulator = new SimulatedFoxEss(family, simulatorTime, options);
        var server = new ModbusTcpServer(new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = simulator }), new IPEndPoint(IPAddress.Loopback, 0));
        server.Start();
        var bus = new ModbusBus(
            new TcpModbusTransport("127.0.0.1", server.LocalEndpoint.Port, NullLogger.Instance),
            busOptions ?? new ModbusBusOptions { InterRequestGap = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5), Retries = 0 },
            clientTime ?? TimeProvider.System,
            metrics: metrics);
        return new SimulatorOnTcp(simulator, server, bus);
    }

    public Task<FoxEssInverter> OpenAsync(FoxEssOptions? options = null, TimeProvider? time = null) =>
        FoxEssInverter.OpenAsync(new ModbusClient(Bus, 247), ModbusEndpointKind.Tcp, options ?? new FoxEssOptions(), time ?? TimeProvider.System, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Server.DisposeAsync();
    }
}

internal static class Ports
{
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
