using System.Diagnostics;
using System.Text;

namespace EdgeEnergy.Testing.Mqtt;

/// <summary>One message seen by <see cref="MosquittoSubscriber"/>.</summary>
/// <param name="Retained">The broker delivered it from its retained store.</param>
public sealed record CapturedMessage(bool Retained, string Topic, string Payload, int Index);

/// <summary>
/// <c>mosquitto_sub -F '%r %t %p'</c> as an independent observer: every line is "retained-flag topic payload", the
/// format tests/tools/check_discovery.py reads. Started subscribed (it waits for a marker message it publishes itself).
/// To show that something did not arrive, wait for a message that would have come after it (see the retained-command
/// and state-round tests), never for a while of wall-clock time.
/// </summary>
public sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<CapturedMessage> _messages = [];
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly StringBuilder _stderr = new();
    private int _nextIndex;

    private MosquittoSubscriber(Process process) => _process = process;

    public IReadOnlyList<CapturedMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    /// <summary>The raw capture, one line per message, as check_discovery.py reads it.</summary>
    public string Capture
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines) + "\n";
            }
        }
    }

    public static Task<MosquittoSubscriber> StartAsync(int port, params string[] topics) => StartAsync(port, [], topics);

    public static async Task<MosquittoSubscriber> StartAsync(int port, IReadOnlyList<string> clientArguments, params string[] topics)
    {
        var marker = $"edgeenergy-test/ready/{Guid.NewGuid():N}";
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", $"test-sub-{Guid.NewGuid():N}"[..20], "-q", "1", "-F", "%r %t %p", "-t", marker };
        args.AddRange(clientArguments);
        foreach (var topic in topics)
        {
            args.AddRange(["-t", topic]);
        }

        var start = new ProcessStartInfo(MosquittoBroker.FindExecutable("mosquitto_sub"), args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start");
        var subscriber = new MosquittoSubscriber(process);
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => subscriber.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (subscriber._lock)
            {
                subscriber._stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!subscriber.Messages.Any(m => m.Topic == marker))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto_sub did not subscribe on port {port}: {subscriber._stderr}");
            }

            await MosquittoPublisher.PublishAsync(port, marker, "ready", clientArguments: clientArguments);
            await Task.Delay(50);
        }

        lock (subscriber._lock)
        {
            subscriber._messages.RemoveAll(m => m.Topic == marker);
            subscriber._lines.RemoveAll(l => l.Contains(marker, StringComparison.Ordinal));
        }

        return subscriber;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        var first = line.IndexOf(' ', StringComparison.Ordinal);
        var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
        if (first < 0)
        {
            return;
        }

        var topic = second < 0 ? line[(first + 1)..] : line[(first + 1)..second];
        var payload = second < 0 ? "" : line[(second + 1)..];
        lock (_lock)
        {
            _lines.Add(line);
            _messages.Add(new CapturedMessage(line[..first] == "1", topic, payload == "(null)" ? "" : payload, _nextIndex++));
        }
    }

    /// <summary>Messages on <paramref name="topic"/>, oldest first.</summary>
    public IReadOnlyList<CapturedMessage> On(string topic) => Messages.Where(m => m.Topic == topic).ToArray();

    /// <summary>The latest payload on <paramref name="topic"/>, or null.</summary>
    public string? Latest(string topic) => Messages.LastOrDefault(m => m.Topic == topic)?.Payload;

    /// <summary>Waits until a message after index <paramref name="after"/> matches; fails with what was seen.</summary>
    public async Task<CapturedMessage> WaitForAsync(Func<CapturedMessage, bool> match, int after = -1, double timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds);
        while (true)
        {
            var found = Messages.FirstOrDefault(m => m.Index > after && match(m));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = string.Join("\n", Messages.Where(m => m.Index > after).TakeLast(30).Select(m => $"{m.Retained} {m.Topic} {m.Payload}"));
                throw new TimeoutException($"no matching message within {timeoutSeconds} s; last seen:\n{seen}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits for <paramref name="payload"/> on <paramref name="topic"/> after index <paramref name="after"/>.</summary>
    public Task<CapturedMessage> WaitForAsync(string topic, string payload, int after = -1, double timeoutSeconds = 10) =>
        WaitForAsync(m => m.Topic == topic && m.Payload == payload, after, timeoutSeconds);

    /// <summary>Index of the newest message so far (−1 when none): pass to WaitForAsync to see only newer ones.</summary>
    public int Mark
    {
        get
        {
            lock (_lock)
            {
                return _nextIndex - 1;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary><c>mosquitto_pub</c>: publishes one message as Home Assistant (or a user's script) would.</summary>
public static class MosquittoPublisher
{
    public static async Task PublishAsync(int port, string topic, string payload, bool retain = false, int qos = 1, IReadOnlyList<string>? clientArguments = null)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", $"test-pub-{Guid.NewGuid():N}"[..20], "-q", qos.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic };
        if (payload.Length == 0)
        {
            args.Add("-n");
        }
        else
        {
            args.AddRange(["-m", payload]);
        }

        if (retain)
        {
            args.Add("-r");
        }

        args.AddRange(clientArguments ?? []);

        var start = new ProcessStartInfo(MosquittoBroker.FindExecutable("mosquitto_pub"), args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_pub did not start");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_pub to {topic} exited {process.ExitCode}: {await stderr}");
        }
    }
}
