using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// One page in Debian's headless chromium, driven over the DevTools protocol, so a test can ask the page what it
/// shows (computed styles, not markup). Loopback only, a fresh profile per page.
/// </summary>
internal sealed partial class ChromiumPage : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private string? _sessionId;
    private int _nextId;

    private ChromiumPage(Process process, DirectoryInfo profile) => (_process, _profile) = (process, profile);

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex Listening();

    /// <summary>Opens <paramref name="url"/> at the given viewport, with <c>prefers-color-scheme</c> set when given.</summary>
    public static async Task<ChromiumPage> OpenAsync(Uri url, int width, int height, string? colorScheme = null)
    {
        var chromium = ExternalTool.Find("chromium") ?? throw new InvalidOperationException("'chromium' is not installed; tests/run-tests.sh installs it (Debian package chromium).");
        var profile = Directory.CreateTempSubdirectory("edgeenergy-chromium-");
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
            $"--user-data-dir={profile.FullName}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var page = new ChromiumPage(process, profile);
        try
        {
            var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderr = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }

                if (e.Data is not null && Listening().Match(e.Data) is { Success: true } m)
                {
                    endpoint.TrySetResult(new Uri(m.Groups[1].Value));
                }
            };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            Uri browser;
            try
            {
                browser = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                lock (stderr)
                {
                    throw new InvalidOperationException($"chromium gave no DevTools endpoint in 30 s:\n{stderr}");
                }
            }

            await page._socket.ConnectAsync(browser, CancellationToken.None);
            var target = await page.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
            var attached = await page.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
            page._sessionId = attached["sessionId"]!.GetValue<string>();
            await page.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
            if (colorScheme is not null)
            {
                await page.SendAsync("Emulation.setEmulatedMedia", new JsonObject
                {
                    ["features"] = new JsonArray(new JsonObject { ["name"] = "prefers-color-scheme", ["value"] = colorScheme }),
                });
            }

            await page.SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates a JavaScript expression in the page (a promise is awaited) and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"the page threw: {exception.ToJsonString()}");
        }

        return JsonSerializer.SerializeToElement(result["result"]!["value"]);
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (_sessionId is not null)
        {
            message["sessionId"] = _sessionId;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                text.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var reply = JsonNode.Parse(text.ToArray())!.AsObject();
            if (reply["id"]?.GetValue<int>() != id)
            {
                continue; // an event, or the answer to nothing we wait for
            }

            if (reply["error"] is { } error)
            {
                throw new InvalidOperationException($"DevTools {method}: {error.ToJsonString()}");
            }

            return reply["result"]!.AsObject();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // chromium's last writes can race the delete; the folder is in the temp directory
        }
    }
}
