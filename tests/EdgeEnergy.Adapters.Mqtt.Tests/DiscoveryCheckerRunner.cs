using System.Diagnostics;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>Runs the vendored tests/tools/check_discovery.py (our organisation's HA discovery checker) on a capture.</summary>
internal static class DiscoveryCheckerRunner
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string capture, params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("edgeenergy-capture-").FullName;
        try
        {
            var file = Path.Combine(folder, "capture.txt");
            await File.WriteAllTextAsync(file, capture);
            var script = Path.Combine(AppContext.BaseDirectory, "tools", "check_discovery.py");
            Assert.True(File.Exists(script), $"the vendored checker is missing at {script}");
            var start = new ProcessStartInfo("/usr/bin/python3", [script, .. arguments, file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return new Result(process.ExitCode, await stdout + await stderr + $"\n--- capture ---\n{capture}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
