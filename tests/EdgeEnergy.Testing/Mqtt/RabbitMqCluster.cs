using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Testing.Net;

namespace EdgeEnergy.Testing.Mqtt;

/// <summary>
/// A real RabbitMQ cluster with the MQTT plugin (Debian package <c>rabbitmq-server</c>, installed by
/// tests/run-tests.sh) on one machine: each node its own name (<c>eefleetN-&lt;random&gt;@localhost</c>), AMQP,
/// distribution and MQTT ports (free loopback ports), database and log folders in one temp folder, and one shared
/// Erlang cookie (the folder is the nodes' and rabbitmqctl's HOME). Nodes 2..N join node 1 with
/// <c>rabbitmqctl join_cluster</c>. <see cref="KillNode"/> kills one node hard (SIGKILL of its process tree), as a
/// crashed machine would; <see cref="DisposeAsync"/> kills them all and deletes the folder. The MQTT listeners accept
/// the default <c>guest</c> user, anonymously, on loopback only.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    public const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    public const string Ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    public const string Host = "127.0.0.1";

    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-rabbitmq-").FullName;
    private readonly List<Node> _nodes = [];

    private RabbitMqCluster()
    {
    }

    /// <summary>Each node's MQTT port, node 1 first.</summary>
    public IReadOnlyList<int> MqttPorts => [.. _nodes.Select(n => n.MqttPort)];

    /// <summary><c>127.0.0.1:port</c> of every node, comma-separated (the <c>--broker</c> of <c>fleet simulate</c>).</summary>
    public string BrokerList => string.Join(',', _nodes.Select(n => $"{Host}:{n.MqttPort}"));

    public IReadOnlyList<string> NodeNames => [.. _nodes.Select(n => n.Name)];

    /// <summary>Starts <paramref name="nodes"/> nodes and clusters them; throws with the nodes' logs if that fails.</summary>
    public static async Task<RabbitMqCluster> StartAsync(int nodes = 3, TimeSpan? timeout = null)
    {
        if (!File.Exists(Server))
        {
            throw new InvalidOperationException($"{Server} is missing: install the Debian package rabbitmq-server (tests/run-tests.sh does)");
        }

        var cluster = new RabbitMqCluster();
        try
        {
            // Three Erlang nodes starting, then two stopping, resetting, joining and restarting, on two cores shared
            // with the rest of the suite: 90 s ran out once in a fresh-clone run while the deploy tests compiled the
            // two Native AOT binaries beside it. A limit on starting a peer, not on anything a test asserts.
            await cluster.StartNodesAsync(nodes, timeout ?? TimeSpan.FromSeconds(240));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync(int count, TimeSpan timeout)
    {
        var cookie = Path.Combine(_folder, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, "EDGEENERGY" + Guid.NewGuid().ToString("N").ToUpperInvariant());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead); // Erlang refuses a cookie others can read
        }
        var plugins = Path.Combine(_folder, "enabled_plugins");
        await File.WriteAllTextAsync(plugins, "[rabbitmq_mqtt].\n");
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 1; i <= count; i++)
        {
            var node = new Node($"eefleet{i}-{tag}@localhost", Path.Combine(_folder, $"n{i}"), FreeTcpPort.Next(), FreeTcpPort.Next(), FreeTcpPort.Next());
            Directory.CreateDirectory(node.Folder);
            await File.WriteAllTextAsync(Path.Combine(node.Folder, "rabbitmq.conf"), string.Create(CultureInfo.InvariantCulture, $"""
                listeners.tcp.1 = 127.0.0.1:{node.AmqpPort}
                mqtt.listeners.tcp.1 = 127.0.0.1:{node.MqttPort}
                mqtt.allow_anonymous = true
                loopback_users = none
                log.console = false
                log.file.level = warning

                """));
            _nodes.Add(node);
        }

        foreach (var node in _nodes)
        {
            node.Process = StartNode(node, plugins);
        }

        using var deadline = new CancellationTokenSource(timeout);
        await Task.WhenAll(_nodes.Select(n => WaitForMqttAsync(n, deadline.Token)));
        foreach (var node in _nodes.Skip(1))
        {
            await CtlAsync(node, "stop_app");
            await CtlAsync(node, "reset");
            await CtlAsync(node, "join_cluster", _nodes[0].Name);
            await CtlAsync(node, "start_app");
            await WaitForMqttAsync(node, deadline.Token);
        }
    }

    private Process StartNode(Node node, string plugins)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec {Server} > '{node.Folder}/stdout.log' 2>&1"])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        var env = start.Environment;
        env["HOME"] = _folder;
        env["RABBITMQ_NODENAME"] = node.Name;
        env["RABBITMQ_NODE_PORT"] = node.AmqpPort.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = node.DistPort.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(node.Folder, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(node.Folder, "log");
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(node.Folder, "rabbitmq.conf");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = plugins;
        env["RABBITMQ_PID_FILE"] = Path.Combine(node.Folder, "pid");
        env["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(node.Folder, "plugins-expand");
        // Two schedulers a node: three nodes share a small machine with the tests.
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "+S 2:2";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Server} did not start");
        process.StandardInput.Close();
        return process;
    }

    private async Task WaitForMqttAsync(Node node, CancellationToken ct)
    {
        try
        {
            await FreeTcpPort.WaitUntilListeningAsync(node.MqttPort, TimeSpan.FromSeconds(120)).WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"RabbitMQ node {node.Name} did not open its MQTT port {node.MqttPort} in time:\n{Logs()}");
        }
    }

    /// <summary>Runs rabbitmqctl against node 1 (or <paramref name="nodeIndex"/>); returns stdout, throws on failure.</summary>
    public async Task<string> CtlAsync(int nodeIndex, params string[] args) => await CtlAsync(_nodes[nodeIndex], args);

    private async Task<string> CtlAsync(Node node, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(Ctl, ["-q", "-n", node.Name, .. args], timeout: TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["HOME"] = _folder });
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl -n {node.Name} {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}\n{Logs()}");
        }

        return result.Stdout;
    }

    /// <summary>The running nodes as node 1 sees them.</summary>
    public async Task<IReadOnlyList<string>> RunningNodesAsync(int askNode = 0)
    {
        var json = await CtlAsync(askNode, "cluster_status", "--formatter", "json");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("running_nodes").EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>Kills node <paramref name="nodeIndex"/> (0-based) at once, its whole process tree, like a power cut.</summary>
    public void KillNode(int nodeIndex)
    {
        var process = _nodes[nodeIndex].Process;
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>Every node's log tail, for failure messages.</summary>
    public string Logs() => string.Join("\n", _nodes.Select(n =>
    {
        var text = string.Join("\n", new[] { Path.Combine(n.Folder, "stdout.log") }
            .Concat(Directory.Exists(Path.Combine(n.Folder, "log")) ? Directory.GetFiles(Path.Combine(n.Folder, "log"), "*.log") : [])
            .Where(File.Exists).Select(File.ReadAllText));
        return $"--- {n.Name}:\n{(text.Length > 3000 ? text[^3000..] : text)}";
    }));

    public ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            try
            {
                if (node.Process is { HasExited: false } p)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            node.Process?.Dispose();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private sealed record Node(string Name, string Folder, int AmqpPort, int DistPort, int MqttPort)
    {
        public Process? Process { get; set; }
    }
}
