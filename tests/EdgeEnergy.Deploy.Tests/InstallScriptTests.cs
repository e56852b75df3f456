using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>deploy/systemd/install.sh: what its dry run would do, in order, and what it refuses.</summary>
[Collection(PublishGroup.Name)]
public sealed class InstallScriptTests(PiPublishFixture publish) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Dry_run_publishes_for_the_pi_then_installs_enables_and_starts_in_that_order()
    {
        var result = await InstallAsync("--dry-run", "--arch", "arm64");

        Assert.True(result.ExitCode == 0, result.ToString());
        var steps = Steps(result);
        var root = Repository.Root;
        AssertInOrder(
            steps,
            $"dotnet publish {root}/src/EdgeEnergy.Host -c Release -r linux-arm64 --self-contained -o ",
            "mv /opt/edgeenergy.new /opt/edgeenergy",
            $"install -m 0644 {root}/deploy/systemd/edgeenergy.service /etc/systemd/system/edgeenergy.service",
            "systemctl daemon-reload",
            "systemctl enable edgeenergy",
            "systemctl restart edgeenergy");
        // The state and config directories are made for the service user; the SQLite data is never removed.
        Assert.Contains(steps, s => s == "install -d -m 0750 -o edgeenergy -g edgeenergy /var/lib/edgeenergy");
        Assert.DoesNotContain(steps, s => s.Contains("rm -rf /var/lib/edgeenergy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dry_run_changes_nothing_on_the_machine()
    {
        string[] paths = ["/opt/edgeenergy", "/opt/edgeenergy.new", "/etc/systemd/system/edgeenergy.service", "/etc/edgeenergy"];
        var before = paths.Where(p => Path.Exists(p)).ToList();

        var result = await InstallAsync("--dry-run", "--arch", "x64");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("dry run", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, paths.Where(p => Path.Exists(p)).ToList());
    }

    [Fact]
    public async Task Dry_run_installs_an_existing_arm64_publish_without_publishing_again()
    {
        publish.AssertPublished();

        var result = await InstallAsync("--dry-run", "--arch", "arm64", "--from", publish.Directory);

        Assert.True(result.ExitCode == 0, result.ToString());
        var steps = Steps(result);
        Assert.DoesNotContain(steps, s => s.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains($"cp -a {publish.Directory} /opt/edgeenergy.new", steps);
    }

    [Fact]
    public async Task Install_refuses_a_publish_for_the_wrong_architecture()
    {
        publish.AssertPublished();

        var result = await InstallAsync("--dry-run", "--arch", "x64", "--from", publish.Directory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("edgeenergy is not a linux-x64 binary", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_refuses_a_publish_without_the_OR_Tools_native_library()
    {
        publish.AssertPublished();
        var incomplete = _temp.Combine("incomplete");
        Directory.CreateDirectory(incomplete);
        foreach (var file in Directory.EnumerateFiles(publish.Directory).Where(f => !f.EndsWith("/libortools.so.9", StringComparison.Ordinal)))
        {
            File.CreateSymbolicLink(Path.Combine(incomplete, Path.GetFileName(file)), file);
        }

        var result = await InstallAsync("--dry-run", "--arch", "arm64", "--from", incomplete);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("libortools.so.9 is missing", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_keeps_config_and_history_unless_purged()
    {
        var keep = await InstallAsync("--dry-run", "--uninstall");
        var purge = await InstallAsync("--dry-run", "--uninstall", "--purge");

        Assert.True(keep.ExitCode == 0, keep.ToString());
        Assert.True(purge.ExitCode == 0, purge.ToString());
        AssertInOrder(Steps(keep), "systemctl disable --now edgeenergy", "rm -f /etc/systemd/system/edgeenergy.service", "systemctl daemon-reload", "rm -rf /opt/edgeenergy");
        Assert.DoesNotContain(Steps(keep), s => s.Contains("/var/lib/edgeenergy", StringComparison.Ordinal) || s.Contains("/etc/edgeenergy", StringComparison.Ordinal));
        Assert.Contains("rm -rf /etc/edgeenergy /var/lib/edgeenergy", Steps(purge));
    }

    [Theory]
    [InlineData("--arch arm32", "--arch must be arm64 or x64")]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("--purge", "--purge only goes with --uninstall")]
    public async Task Bad_usage_exits_2_and_says_why(string arguments, string message)
    {
        var result = await InstallAsync(["--dry-run", .. arguments.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    private static Task<ProcessResult> InstallAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("bash", [Repository.PathOf("deploy/systemd/install.sh"), .. arguments]);

    /// <summary>The commands the script would run: its '+ ' lines.</summary>
    private static List<string> Steps(ProcessResult result) =>
        result.Stdout.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();

    private static void AssertInOrder(List<string> steps, params string[] prefixes)
    {
        var at = -1;
        foreach (var prefix in prefixes)
        {
            var next = steps.FindIndex(at + 1, s => s.StartsWith(prefix, StringComparison.Ordinal));
            Assert.True(next > at, $"'{prefix}' missing or out of order in:\n{string.Join('\n', steps)}");
            at = next;
        }
    }
}
