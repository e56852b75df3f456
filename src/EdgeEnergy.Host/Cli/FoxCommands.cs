using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Simulation;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Host.Cli;

/// <summary><c>edgeenergy fox read|simulate|bench</c>: one telemetry read, a simulated inverter, the speed benchmark.</summary>
internal static class FoxCommands
{
    public static Command Create()
    {
        var fox = new Command("fox", "Fox ESS inverter over Modbus: read telemetry, simulate an inverter, benchmark.");
        fox.Subcommands.Add(CreateRead());
        fox.Subcommands.Add(CreateSimulate());
        fox.Subcommands.Add(CreateBench());
        return fox;
    }

    private static Option<string?> FamilyOption(string description) => new("--family") { Description = description };

    private static Option<int> UnitOption() => new("--unit") { Description = "Modbus unit id (Fox default 247).", DefaultValueFactory = _ => 247 };

    private static ILoggerFactory StderrLogging(LogLevel level) => LoggerFactory.Create(b => b
        .SetMinimumLevel(level)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    private static async Task<int> BadUsage(string command, string reason)
    {
        await Console.Error.WriteLineAsync($"edgeenergy fox {command}: {reason}");
        return ExitCodes.BadInput;
    }

    // ---- fox read -------------------------------------------------------------------------------------------------

    private static Command CreateRead()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "tcp://host:502, rtu-over-tcp://host:port or rtu:///dev/ttyUSB0?baud=9600&parity=none&stop=1", Required = true };
        var unit = UnitOption();
        var family = FamilyOption("h1-rs485, h1-lan, h1-g2, kh, h3, h3-pro; detected from the model string at holding 30000 when absent.");
        var timeout = new Option<int>("--timeout-ms") { Description = "Per-request timeout.", DefaultValueFactory = _ => 2000 };
        var settle = new Option<int?>("--settle-ms") { Description = "Quiet time after connecting (default 1000 for tcp://, the Fox LAN port; 0 otherwise)." };
        var maxPerRead = new Option<int?>("--max-per-read") { Description = "Largest block read (RS485 adapters may need 8 or 20)." };
        var command = new Command("read", "Reads one telemetry snapshot and prints it as JSON on stdout (units in the field names; batteryPowerW + = discharging, gridPowerW + = importing).");
        command.Options.Add(endpoint);
        command.Options.Add(unit);
        command.Options.Add(family);
        command.Options.Add(timeout);
        command.Options.Add(settle);
        command.Options.Add(maxPerRead);
        command.SetAction((parse, ct) => ReadAsync(
            new FoxEssOptions
            {
                Endpoint = parse.GetValue(endpoint)!,
                Unit = parse.GetValue(unit),
                Family = parse.GetValue(family),
                RequestTimeoutMilliseconds = parse.GetValue(timeout),
                SettleAfterConnectMilliseconds = parse.GetValue(settle),
                MaxRegistersPerRead = parse.GetValue(maxPerRead),
            },
            ct));
        return command;
    }

    private static async Task<int> ReadAsync(FoxEssOptions options, CancellationToken cancellationToken)
    {
        var problems = new FoxEssOptionsValidator().Validate(null, options);
        if (problems.Failed)
        {
            return await BadUsage("read", string.Join("; ", problems.Failures).Replace("Inverter:", "--", StringComparison.Ordinal));
        }

        if (options.Unit is < 1 or > 247 || options.RequestTimeoutMilliseconds is < 100 or > 60000 || options.MaxRegistersPerRead is < 2 or > 125 || options.SettleAfterConnectMilliseconds is < 0)
        {
            return await BadUsage("read", "--unit must be 1..247, --timeout-ms 100..60000, --max-per-read 2..125, --settle-ms >= 0");
        }

        using var logging = StderrLogging(LogLevel.Warning);
        var endpoint = ModbusEndpoint.Parse(options.Endpoint);
        await using var bus = ModbusBus.Create(endpoint, options.ToBusOptions(endpoint), TimeProvider.System, logging.CreateLogger("EdgeEnergy.Modbus"));
        try
        {
            await using var inverter = await FoxEssInverter.OpenAsync(
                new ModbusClient(bus, (byte)options.Unit), endpoint.Kind, options, TimeProvider.System, logging.CreateLogger("EdgeEnergy.FoxEss"), cancellationToken);
            var telemetry = await inverter.ReadTelemetryAsync(cancellationToken);
            await using var stdout = Console.OpenStandardOutput();
            await JsonSerializer.SerializeAsync(stdout, telemetry, CliJson.Indented.For<InverterTelemetry>(), cancellationToken);
            await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is ModbusException or FoxEssException)
        {
            await Console.Error.WriteLineAsync($"edgeenergy fox read: {endpoint} unit {options.Unit}: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    // ---- fox simulate ---------------------------------------------------------------------------------------------

    private static Command CreateSimulate()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT (Modbus TCP; port 0 picks a free one) or rtu:///dev/pts/N?baud=9600 (RTU on a serial device, e.g. one end of a socat pty pair).", Required = true };
        var family = FamilyOption("Family to simulate (default h1-rs485).");
        var unit = UnitOption();
        var soc = new Option<double>("--soc") { Description = "Initial state of charge, %.", DefaultValueFactory = _ => 50 };
        var capacity = new Option<double>("--capacity-kwh") { Description = "Battery capacity, kWh.", DefaultValueFactory = _ => 10.4 };
        var pvPeak = new Option<double>("--pv-peak-kw") { Description = "Solar peak at 12:00 UTC on a clear-sky-ish day, kW (0: no solar, the same at any hour).", DefaultValueFactory = _ => 4 };
        var loadW = new Option<double?>("--load-w") { Description = "A constant house load, W (default: a day's profile, 300 W base with a breakfast bump and a 1.5 kW evening peak, by the clock)." };
        var command = new Command("simulate", "Serves a simulated Fox inverter (register level, with battery physics and the remote-control watchdog) until SIGINT/SIGTERM. Prints the endpoint it serves on stdout.");
        command.Options.Add(listen);
        command.Options.Add(family);
        command.Options.Add(unit);
        command.Options.Add(soc);
        command.Options.Add(capacity);
        command.Options.Add(pvPeak);
        command.Options.Add(loadW);
        command.SetAction((parse, ct) => SimulateAsync(parse.GetValue(listen)!, parse.GetValue(family) ?? "h1-rs485", parse.GetValue(unit), parse.GetValue(soc), parse.GetValue(capacity), parse.GetValue(pvPeak), parse.GetValue(loadW), ct));
        return command;
    }

    private static async Task<int> SimulateAsync(string listen, string familyKey, int unit, double soc, double capacityKwh, double pvPeakKw, double? loadW, CancellationToken cancellationToken)
    {
        if (!FoxRegisterMap.Embedded.Families.TryGetValue(familyKey, out var family))
        {
            return await BadUsage("simulate", $"--family '{familyKey}' is not one of {string.Join(", ", FoxRegisterMap.Embedded.Families.Keys)}");
        }

        if (unit is < 1 or > 247 || soc is < 0 or > 100 || capacityKwh is <= 0 or > 1000 || !(pvPeakKw is >= 0 and <= 1000) || loadW is not (null or (>= 0 and <= 100_000)))
        {
            return await BadUsage("simulate", "--unit must be 1..247, --soc 0..100, --capacity-kwh above 0 and at most 1000, --pv-peak-kw 0..1000, --load-w 0..100000");
        }

        using var logging = StderrLogging(LogLevel.Information);
        var logger = logging.CreateLogger("EdgeEnergy.Simulator");
        var simulated = new SimulatedFoxEss(family, TimeProvider.System, new SimulatedFoxEssOptions
        {
            InitialSocPercent = soc, CapacityKwh = capacityKwh, PvW = t => SimulatedFoxEssOptions.ClearSkyPv(t, pvPeakKw * 1000),
            LoadW = loadW is { } constant ? _ => constant : SimulatedFoxEssOptions.DefaultLoad,
        }, logger);
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [(byte)unit] = simulated });
        IAsyncDisposable server;
        string served;
        if (listen.StartsWith("rtu:", StringComparison.OrdinalIgnoreCase))
        {
            ModbusEndpoint endpoint;
            try
            {
                endpoint = ModbusEndpoint.Parse(listen);
            }
            catch (FormatException e)
            {
                return await BadUsage("simulate", "--listen: " + e.Message);
            }

            try
            {
                server = ModbusRtuServer.OpenSerial(core, endpoint);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"edgeenergy fox simulate: cannot open {endpoint.DevicePath}: {e.Message}");
                return ExitCodes.Failure;
            }

            served = endpoint.ToString();
        }
        else
        {
            var text = listen.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) ? listen[6..] : listen;
            if (!IPEndPoint.TryParse(text, out var ip) && !TryResolve(text, out ip))
            {
                return await BadUsage("simulate", $"--listen '{listen}' is not HOST:PORT or rtu:///device");
            }

            var tcp = new ModbusTcpServer(core, ip!, logger);
            try
            {
                tcp.Start();
            }
            catch (SocketException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy fox simulate: cannot listen on {ip}: {e.Message}");
                return ExitCodes.Failure;
            }

            server = tcp;
            served = $"tcp://{tcp.LocalEndpoint}";
        }

        await using (server)
        {
            await Console.Error.WriteLineAsync($"edgeenergy fox simulate: {family.Key} ({family.SimulatedModel.Trim()}) unit {unit} on {served}; SIGINT or SIGTERM stops");
            await Console.Out.WriteLineAsync(served);
            await Console.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync("edgeenergy fox simulate: stopping");
            }
        }

        return ExitCodes.Success;
    }

    private static bool TryResolve(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = text[..colon];
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        endpoint = address is null ? null : new IPEndPoint(address, port);
        return endpoint is not null;
    }

    // ---- fox bench ------------------------------------------------------------------------------------------------

    private static Command CreateBench()
    {
        var family = FamilyOption("Family to benchmark (default h1-rs485).");
        var reads = new Option<int>("--reads") { Description = "Telemetry reads over loopback TCP.", DefaultValueFactory = _ => 200 };
        var rtuReads = new Option<int>("--rtu-reads") { Description = "Telemetry reads over the emulated 9600-baud RTU line.", DefaultValueFactory = _ => 5 };
        var command = new Command("bench", "Benchmarks one full telemetry read against the simulator: loopback Modbus TCP, and RTU on an emulated 9600 8N1 line against the time its bytes need on the wire. JSON on stdout.");
        command.Options.Add(family);
        command.Options.Add(reads);
        command.Options.Add(rtuReads);
        command.SetAction((parse, ct) => BenchAsync(parse.GetValue(family) ?? "h1-rs485", parse.GetValue(reads), parse.GetValue(rtuReads), ct));
        return command;
    }

    private static async Task<int> BenchAsync(string familyKey, int reads, int rtuReads, CancellationToken cancellationToken)
    {
        if (!FoxRegisterMap.Embedded.Families.TryGetValue(familyKey, out var family))
        {
            return await BadUsage("bench", $"--family '{familyKey}' is not one of {string.Join(", ", FoxRegisterMap.Embedded.Families.Keys)}");
        }

        if (reads is < 1 or > 100000 || rtuReads is < 1 or > 1000)
        {
            return await BadUsage("bench", "--reads must be 1..100000 and --rtu-reads 1..1000");
        }

        var options = new FoxEssOptions { Family = family.Key, Endpoint = "tcp://127.0.0.1:502" };
        var core = new ModbusServerCore(new Dictionary<byte, IModbusRegisterBank> { [247] = new SimulatedFoxEss(family, TimeProvider.System) });

        // Loopback TCP, no inter-request gap (the gap is Fox's request, not a cost of our stack; reported separately).
        await using var tcp = new ModbusTcpServer(core, new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Start();
        var tcpEndpoint = ModbusEndpoint.Parse($"tcp://127.0.0.1:{tcp.LocalEndpoint.Port}");
        var tcpTimes = await TimeReadsAsync(tcpEndpoint, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero }, null, options, reads, cancellationToken);
        var gapTimes = await TimeReadsAsync(tcpEndpoint, new ModbusBusOptions(), null, options, Math.Min(reads, 20), cancellationToken);

        // RTU at 9600 8N1 on an emulated line: each byte takes 10 bits / 9600 s on the wire.
        var rtuEndpoint = ModbusEndpoint.Parse("rtu:///emulated?baud=9600&parity=none&stop=1");
        var line = new EmulatedSerialLine(rtuEndpoint.BaudRate, rtuEndpoint.BitsPerCharacter, TimeProvider.System);
        await using var rtuServer = new ModbusRtuServer(core, line.B);
        var rtuTimes = await TimeReadsAsync(rtuEndpoint, new ModbusBusOptions { InterRequestGap = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5) }, () => line.A, options, rtuReads, cancellationToken);

        var plan = FoxReadPlanner.Plan(family, family.Registers, family.MaxRegistersPerRead);
        var requestBytes = plan.Count * 8;                       // unit + FC + address + count + CRC
        var replyBytes = plan.Sum(b => 5 + (2 * b.Count));       // unit + FC + byte count + data + CRC
        var charMs = 1000.0 * rtuEndpoint.BitsPerCharacter / rtuEndpoint.BaudRate;
        var silenceMs = rtuEndpoint.SilentInterval.TotalMilliseconds;
        // The strict lower bound is the bytes alone; a compliant master also keeps 3.5 characters of silence before each request.
        var bytesMs = (requestBytes + replyBytes) * charMs;
        var withSilenceMs = bytesMs + (plan.Count * silenceMs);
        var rtuMedian = Median(rtuTimes);
        var report = new JsonObject
        {
            ["family"] = family.Key,
            ["blocksPerRead"] = plan.Count,
            ["registersPerRead"] = plan.Sum(b => b.Count),
            ["tcpLoopback"] = new JsonObject { ["reads"] = reads, ["medianMs"] = Median(tcpTimes), ["p95Ms"] = Percentile(tcpTimes, 0.95), ["maxMs"] = tcpTimes.Max(), ["goalMs"] = 20.0 },
            ["tcpLoopbackWithFoxGap30Ms"] = new JsonObject { ["reads"] = gapTimes.Count, ["medianMs"] = Median(gapTimes) },
            ["rtu9600"] = new JsonObject
            {
                ["reads"] = rtuReads,
                ["medianMs"] = rtuMedian,
                ["wireBytesMs"] = Math.Round(bytesMs, 2),
                ["ratioToBytes"] = Math.Round(rtuMedian / bytesMs, 3),
                ["wireWithSilencesMs"] = Math.Round(withSilenceMs, 2),
                ["ratioToBytesAndSilences"] = Math.Round(rtuMedian / withSilenceMs, 3),
                ["goalRatio"] = 1.2,
                ["computation"] = FormattableString.Invariant(
                    $"{plan.Count} requests x 8 B + {plan.Count} replies ({replyBytes} B) = {requestBytes + replyBytes} B x {charMs:0.####} ms/char (1 start + 8 data + 1 stop bits at 9600 baud) = {bytesMs:0.##} ms; + {plan.Count} x 3.5-char silence ({silenceMs:0.###} ms) before each request = {withSilenceMs:0.##} ms"),
            },
        };
        await using var stdout = Console.OpenStandardOutput();
        await stdout.WriteAsync(Encoding.UTF8.GetBytes(report.ToJsonString(CliJson.Indented)), cancellationToken);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
        return ExitCodes.Success;
    }

    private static async Task<List<double>> TimeReadsAsync(
        ModbusEndpoint endpoint, ModbusBusOptions busOptions, Func<Stream>? openStream, FoxEssOptions options, int reads, CancellationToken cancellationToken)
    {
        IModbusTransport transport = endpoint.Kind == ModbusEndpointKind.Tcp
            ? new TcpModbusTransport(endpoint.Host, endpoint.Port, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            : new RtuModbusTransport(endpoint, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, openStream);
        await using var bus = new ModbusBus(transport, busOptions, TimeProvider.System);
        await using var inverter = await FoxEssInverter.OpenAsync(new ModbusClient(bus, 247), endpoint.Kind, options, TimeProvider.System, null, cancellationToken);
        await inverter.ReadTelemetryAsync(cancellationToken); // warm-up (JIT, connection)
        var times = new List<double>(reads);
        for (var i = 0; i < reads; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await inverter.ReadTelemetryAsync(cancellationToken);
            times.Add(Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 3));
        }

        return times;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
