using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Runs a real outside program (promtool, chromium) found on PATH, or says which Debian package brings it.</summary>
internal static class ExternalTool
{
    public static Task<CliResult> RunAsync(string program, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var path = Find(program) ?? throw new InvalidOperationException(
            $"'{program}' is not installed; tests/run-tests.sh installs it (Debian package {(program == "promtool" ? "prometheus" : program)}).");
        return ProcessRunner.RunAsync(path, arguments, stdin, timeout);
    }

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
