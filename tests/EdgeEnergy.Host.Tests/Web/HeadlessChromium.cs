namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// Debian's chromium, headless, on loopback only: each run gets a fresh profile and logs the page's console to
/// stderr, so a test can insist the page logged nothing (no error, no uncaught exception, no failed load).
/// </summary>
internal static class HeadlessChromium
{
    public sealed record Run(int ExitCode, string Stdout, IReadOnlyList<string> ConsoleLines, string Stderr);

    public static async Task<Run> RunAsync(Uri url, int width, int height, params string[] action)
    {
        var profile = Directory.CreateTempSubdirectory("edgeenergy-chromium-");
        try
        {
            string[] args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                $"--user-data-dir={profile.FullName}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                $"--window-size={width},{height}", .. action, url.ToString(),
            ];
            var result = await ExternalTool.RunAsync("chromium", args, timeout: TimeSpan.FromSeconds(90));
            var console = result.Stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)).ToArray();
            return new Run(result.ExitCode, result.Stdout, console, result.Stderr);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    /// <summary>The DOM after the page's scripts ran.</summary>
    public static async Task<string> DumpDomAsync(Uri url, int width, int height)
    {
        var run = await RunAsync(url, width, height, "--dump-dom");
        AssertClean(run, url);
        return run.Stdout;
    }

    private static void AssertClean(Run run, Uri url)
    {
        Assert.True(run.ExitCode == 0, $"chromium exit {run.ExitCode} on {url}:\n{run.Stderr}");
        Assert.True(run.ConsoleLines.Count == 0, $"the page logged to the console ({url}):\n{string.Join('\n', run.ConsoleLines)}");
    }
}
