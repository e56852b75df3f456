using System.Diagnostics;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Runs a real outside program (promtool, chromium) with a time limit and returns what it said.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var path = Find(program) ?? throw new InvalidOperationException(
            $"'{program}' is not installed; tests/run-tests.sh installs it (Debian package {(program == "promtool" ? "prometheus" : program)}).");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
