using System.ComponentModel;
using System.Diagnostics;

namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>What a finished process left: its exit code and everything it wrote.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>For assertion messages: the command, its exit code and both streams.</summary>
    public override string ToString() => $"{Command}\nexit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real tools (systemd-analyze, bash, dotnet, qemu, docker-compose) the deploy checks rely on.</summary>
public static class ProcessRunner
{
    /// <summary>The Debian package that provides each tool; tests/run-tests.sh installs them.</summary>
    private static readonly Dictionary<string, string> s_packages = new(StringComparer.Ordinal)
    {
        ["systemd-analyze"] = "systemd",
        ["shellcheck"] = "shellcheck",
        ["docker-compose"] = "docker-compose",
        ["qemu-aarch64"] = "qemu-user",
    };

    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A nested dotnet must not inherit the test host's MSBuild settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var command = fileName + " " + string.Join(' ', info.ArgumentList);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{command}: did not start");
        }
        catch (Win32Exception e)
        {
            var package = s_packages.GetValueOrDefault(fileName, fileName);
            throw new InvalidOperationException($"{fileName} cannot be run ({e.Message}): install the Debian package '{package}' (tests/run-tests.sh does)", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command}: still running after {timeout ?? TimeSpan.FromMinutes(2)}");
            }

            return new ProcessResult(command, process.ExitCode, await stdout, await stderr);
        }
    }

    public static Task<ProcessResult> RunAsync(string fileName, params string[] arguments) => RunAsync(fileName, arguments, null);
}
