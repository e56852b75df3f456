namespace EdgeEnergy.Testing;

/// <summary>The outcome of one run of the edgeenergy executable.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the real edgeenergy executable (the Host build output next to the test assembly) as a child process, the way
/// a user or another tool does: arguments, stdin, exit code, stdout and stderr.
/// </summary>
public static class CliRunner
{
    public static string HostDll => System.IO.Path.Combine(AppContext.BaseDirectory, "edgeenergy.dll");

    public static Task<CliResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessRunner.RunAsync("dotnet", [HostDll, .. args], stdin, timeout, environment);
}
