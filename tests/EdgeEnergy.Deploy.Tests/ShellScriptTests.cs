using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>Every shell script we ship (and our tools) passes shellcheck (Debian's, offline) with no finding at all.</summary>
public sealed class ShellScriptTests
{
    [Theory]
    [InlineData("deploy/systemd/install.sh")]
    [InlineData("deploy/balena/stage.sh")]
    [InlineData("deploy/balena/mosquitto/entrypoint.sh")]
    [InlineData("deploy/balena/mosquitto/mqtt-health.sh")]
    [InlineData("tools/dashboard-screenshots.sh")]
    [InlineData("tests/bench/host-footprint.sh")]
    [InlineData("tests/bench/fleet-load.sh")]
    public async Task Script_is_shellcheck_clean(string script)
    {
        var result = await ProcessRunner.RunAsync("shellcheck", "--severity=style", Repository.PathOf(script));

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
