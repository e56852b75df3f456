using System.Globalization;
using System.Text.RegularExpressions;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>deploy/systemd/edgeenergy.service, checked by systemd's own analyser.</summary>
public sealed partial class SystemdUnitTests : IDisposable
{
    private const string UnitPath = "deploy/systemd/edgeenergy.service";
    private const string InstalledExecutable = "/opt/edgeenergy/edgeenergy";
    private readonly TempDirectory _temp = new();
    private readonly UnitFile _unit = new(Repository.Read(UnitPath));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Unit_verifies_with_no_diagnostic_at_all()
    {
        // systemd-analyze exits 0 even on unknown keys (they only go to stderr), so the check is an empty stderr.
        var result = await VerifyAsync(Repository.Read(UnitPath));

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
    }

    [Theory]
    [InlineData("Type=notify", "Type=notifyy")]
    [InlineData("WatchdogSec=60", "WatchdogSek=60")]
    [InlineData("ProtectSystem=strict", "ProtectSystem=stricct")]
    public async Task Verify_reports_a_misspelt_setting(string good, string bad)
    {
        // The same check on a broken copy must complain, or the check above proves nothing.
        var text = Repository.Read(UnitPath);
        Assert.Contains(good, text, StringComparison.Ordinal);

        var result = await VerifyAsync(text.Replace(good, bad, StringComparison.Ordinal));

        Assert.NotEqual(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Security_exposure_is_at_most_2()
    {
        var unit = WriteTestCopy(Repository.Read(UnitPath));

        var result = await ProcessRunner.RunAsync("systemd-analyze", "security", "--offline=true", unit);

        var match = ExposureLine().Match(result.Stdout);
        Assert.True(match.Success, result.ToString());
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} > 2.0:\n{result.Stdout}");
    }

    [Fact]
    public void Service_is_notify_type_with_a_watchdog_and_restarts_on_failure()
    {
        Assert.Equal("notify", _unit.Get("Service", "Type"));
        Assert.Equal("main", _unit.Get("Service", "NotifyAccess"));
        Assert.Equal("on-failure", _unit.Get("Service", "Restart"));
        var watchdog = int.Parse(_unit.Get("Service", "WatchdogSec")!, CultureInfo.InvariantCulture);
        Assert.InRange(watchdog, 30, 300);
        Assert.Equal($"{InstalledExecutable} run --config /etc/edgeenergy/appsettings.json", _unit.Get("Service", "ExecStart"));
        Assert.Equal("multi-user.target", _unit.Get("Install", "WantedBy"));
    }

    [Fact]
    public void Service_runs_as_its_own_user_with_serial_and_gpio_and_no_capabilities()
    {
        Assert.Equal("edgeenergy", _unit.Get("Service", "User"));
        Assert.Equal(["dialout", "gpio"], _unit.Get("Service", "SupplementaryGroups")!.Split(' '));
        Assert.Equal("edgeenergy", _unit.Get("Service", "StateDirectory"));
        Assert.Equal("edgeenergy", _unit.Get("Service", "ConfigurationDirectory"));
        Assert.Equal("/var/lib/edgeenergy/edgeenergy.db", EnvironmentValue("EDGEENERGY__STORAGE__PATH"));
        Assert.Equal(string.Empty, _unit.Get("Service", "CapabilityBoundingSet"));
        Assert.Equal(string.Empty, _unit.Get("Service", "AmbientCapabilities"));
        Assert.Equal("yes", _unit.Get("Service", "NoNewPrivileges"));
        Assert.Equal("strict", _unit.Get("Service", "ProtectSystem"));
        Assert.Equal("yes", _unit.Get("Service", "ProtectHome"));
        Assert.Equal("yes", _unit.Get("Service", "PrivateTmp"));
        Assert.Equal("AF_UNIX AF_INET AF_INET6 AF_NETLINK", _unit.Get("Service", "RestrictAddressFamilies"));
        // The serial and GPIO device classes, and nothing else.
        Assert.Equal("closed", _unit.Get("Service", "DevicePolicy"));
        Assert.Equal(
            ["char-gpiochip rw", "char-ttyACM rw", "char-ttyAMA rw", "char-ttyS rw", "char-ttyUSB rw"],
            _unit.All("Service", "DeviceAllow").Order(StringComparer.Ordinal));
    }

    private string EnvironmentValue(string name) =>
        _unit.All("Service", "Environment").Select(e => e.Split('=', 2)).Single(kv => kv[0] == name)[1];

    /// <summary>
    /// A copy whose ExecStart names the edgeenergy built with these tests: systemd-analyze rejects an ExecStart that
    /// is not an executable on this machine, and /opt/edgeenergy is not installed here.
    /// </summary>
    private string WriteTestCopy(string text)
    {
        Assert.Contains($"ExecStart={InstalledExecutable} ", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Repository.BuiltExecutable), $"{Repository.BuiltExecutable} was not built");
        var path = _temp.Combine("edgeenergy.service");
        File.WriteAllText(path, text.Replace($"ExecStart={InstalledExecutable} ", $"ExecStart={Repository.BuiltExecutable} ", StringComparison.Ordinal));
        return path;
    }

    private Task<ProcessResult> VerifyAsync(string text) =>
        ProcessRunner.RunAsync("systemd-analyze", "verify", WriteTestCopy(text));

    [GeneratedRegex(@"Overall exposure level for edgeenergy\.service: (\d+\.\d+)")]
    private static partial Regex ExposureLine();
}
