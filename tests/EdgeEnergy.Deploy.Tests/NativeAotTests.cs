using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>
/// The linux-x64 Native AOT binary, as shipped: the whole appliance runs and every JSON it serves is whole. The rest
/// of the suite runs on the JIT, where reflection-based JSON and reflection over options would still work.
/// </summary>
[Collection(PublishGroup.Name)]
public sealed class NativeAotTests(X64PublishFixture publish)
{
    [Fact]
    public async Task The_AOT_binary_runs_the_demo_and_its_api_answers_in_full()
    {
        // System.Text.Json has no reflection under Native AOT: a type without source-generated metadata would be {}.
        publish.AssertPublished();
        using var temp = new TempDirectory();
        var http = LoopbackPort.Free();
        var info = new ProcessStartInfo(Path.Combine(publish.Directory, "edgeenergy")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "demo",
            "--urls", $"http://127.0.0.1:{http}", "--mqtt-port", LoopbackPort.Free().ToString(CultureInfo.InvariantCulture), "--data", temp.Path })
        {
            info.ArgumentList.Add(argument);
        }

        using var demo = Process.Start(info)!;
        var log = new StringBuilder();
        demo.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        demo.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(10) };
            JsonDocument? plan = null;
            var deadline = Stopwatch.StartNew();
            while (plan is null && deadline.Elapsed < TimeSpan.FromMinutes(3) && !demo.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("/api/v1/plan", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        plan = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(500);
            }

            Assert.True(plan is not null, $"no plan from the demo within 3 min:\n{log}");
            using (plan)
            {
                Assert.Equal("optimal", plan.RootElement.GetProperty("status").GetString());
                Assert.True(plan.RootElement.GetProperty("slots").GetArrayLength() >= 24, plan.RootElement.ToString());
            }

            using var status = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/v1/status", UriKind.Relative)));
            Assert.Equal("active", status.RootElement.GetProperty("mode").GetString());
            Assert.True(status.RootElement.GetProperty("recommendation").TryGetProperty("reason", out _), status.RootElement.ToString());
            using var health = JsonDocument.Parse(await client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
            Assert.NotEqual(0, health.RootElement.GetProperty("components").GetArrayLength());
            // The collector's own figures (what the footprint benchmark reads) come from the AOT runtime too.
            var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var committed = metrics.Split('\n').Single(l => l.StartsWith("edgeenergy_gc_committed_bytes ", StringComparison.Ordinal));
            Assert.InRange(double.Parse(committed.Split(' ')[1], CultureInfo.InvariantCulture), 1e6, 1e9);
            using var missing = await client.GetAsync(new Uri("/api/v1/tariffs/compare", UriKind.Relative));
            using var error = JsonDocument.Parse(await missing.Content.ReadAsStringAsync());
            Assert.Contains("tariffs compare", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }

            await demo.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_AOT_binary_trains_the_learned_load_model_and_reports_as_the_JIT_build()
    {
        // On x64 FastTree also loads its native library (libFastTreeNative.so, published beside the binary).
        publish.AssertPublished();
        using var temp = new TempDirectory();
        var aot = await ProcessRunner.RunAsync(Path.Combine(publish.Directory, "edgeenergy"), Repository.LearnedBacktest(temp.Combine("aot.json")), timeout: TimeSpan.FromMinutes(3));
        var jit = await ProcessRunner.RunAsync(Repository.BuiltExecutable, Repository.LearnedBacktest(temp.Combine("jit.json")), timeout: TimeSpan.FromMinutes(3));

        Assert.True(aot.ExitCode == 0, aot.ToString());
        Assert.True(jit.ExitCode == 0, jit.ToString());
        using var aotReport = JsonDocument.Parse(File.ReadAllText(temp.Combine("aot.json")));
        using var jitReport = JsonDocument.Parse(File.ReadAllText(temp.Combine("jit.json")));
        Assert.True(aotReport.RootElement.GetProperty("loadModel").GetProperty("trainings").GetInt32() >= 1);
        Assert.Equal(0, aotReport.RootElement.GetProperty("loadModel").GetProperty("periodsFailed").GetInt32());
        foreach (var field in new[] { "trainings", "periodsOnModel", "choices" }) // not the training times
        {
            Assert.Equal(jitReport.RootElement.GetProperty("loadModel").GetProperty(field).ToString(), aotReport.RootElement.GetProperty("loadModel").GetProperty(field).ToString());
        }

        Assert.Equal(jitReport.RootElement.GetProperty("strategies").ToString(), aotReport.RootElement.GetProperty("strategies").ToString());
    }
}
