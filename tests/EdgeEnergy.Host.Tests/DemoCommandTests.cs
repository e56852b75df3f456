using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Net;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// The newcomer's command, as a real process: `edgeenergy demo` must plan on the replayed real prices, drive the
/// simulated Fox inverter, announce itself to Home Assistant on the embedded broker, and stop cleanly on SIGTERM.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Runs_the_whole_appliance_and_stops_cleanly()
    {
        var http = FreeTcpPort.Next();
        var mqtt = FreeTcpPort.Next();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { CliRunner.HostDll, "demo", "--data", _data, "--urls", $"http://127.0.0.1:{http}", "--mqtt-port", mqtt.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var demo = Process.Start(psi)!;
        var stderr = demo.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(5) };
            JsonElement recommendation = default;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    var r = await client.GetAsync(new Uri("/api/v1/recommendation/now", UriKind.Relative));
                    if (r.IsSuccessStatusCode)
                    {
                        recommendation = await r.Content.ReadFromJsonAsync<JsonElement>();
                        if (recommendation.GetProperty("source").GetString() == "plan")
                        {
                            break;
                        }
                    }
                }
                catch (HttpRequestException)
                {
                }

                Assert.False(demo.HasExited, "demo exited early: " + (demo.HasExited ? await stderr : string.Empty));
                await Task.Delay(500);
            }

            Assert.Equal("plan", recommendation.GetProperty("source").GetString());
            Assert.False(string.IsNullOrWhiteSpace(recommendation.GetProperty("reason").GetString()));

            var plan = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/plan", UriKind.Relative));
            Assert.True(plan.ToString().Contains("\"reason\"", StringComparison.Ordinal));

            // Home Assistant sees the appliance on the embedded broker: retained discovery and availability.
            var sub = await ProcessRunner.RunAsync("mosquitto_sub", ["-h", "127.0.0.1", "-p", mqtt.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "demo-test", "-v", "-t", "homeassistant/#", "-t", "edgeenergy/availability", "-W", "3"], timeout: TimeSpan.FromSeconds(20));
            Assert.Contains("homeassistant/", sub.Stdout);
            Assert.Contains("edgeenergy/availability online", sub.Stdout);
        }
        finally
        {
            if (!demo.HasExited)
            {
                Process.Start("kill", ["-TERM", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            }

            var exited = demo.WaitForExit(TimeSpan.FromSeconds(20));
            if (!exited)
            {
                demo.Kill(entireProcessTree: true);
            }

            Assert.True(exited, "demo did not stop within 20 s of SIGTERM");
            Assert.Equal(0, demo.ExitCode);
        }

        Assert.True(File.Exists(Path.Combine(_data, "edgeenergy.db")));
    }
}
