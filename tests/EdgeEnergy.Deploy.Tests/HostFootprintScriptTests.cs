using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>
/// tests/bench/host-footprint.sh (the Pi footprint benchmark, run by hand for minutes): its arguments are checked
/// before any peer is started, so a wrong one costs nothing and says which option is wrong.
/// </summary>
public sealed class HostFootprintScriptTests
{
    private const string Script = "tests/bench/host-footprint.sh";

    [Theory]
    [InlineData(new string[0], "--binary is required")]
    [InlineData(new[] { "--binary", "/nonexistent/edgeenergy" }, "--binary '/nonexistent/edgeenergy' is not an executable file")]
    [InlineData(new[] { "--binary", "/bin/true", "--minutes", "3" }, "--minutes (3) must be 0 (start-up only) or more than --warmup-minutes (3)")]
    [InlineData(new[] { "--binary", "/bin/true", "--starts", "0" }, "--starts must be at least 1")]
    [InlineData(new[] { "--binary", "/bin/true", "--sample-seconds", "five" }, "--sample-seconds must be a whole number, not 'five'")]
    [InlineData(new[] { "--binary", "/bin/true", "--env", "DOTNET_gcServer" }, "--env needs KEY=VALUE, not 'DOTNET_gcServer'")]
    [InlineData(new[] { "--binary", "/bin/true", "--fast" }, "unknown argument '--fast'")]
    public async Task Bad_arguments_are_exit_2_naming_the_option(string[] args, string message)
    {
        var result = await ProcessRunner.RunAsync("bash", [Repository.PathOf(Script), .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("host-footprint: " + message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Help_names_every_option_and_what_is_measured()
    {
        var result = await ProcessRunner.RunAsync("bash", Repository.PathOf(Script), "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var option in new[] { "--binary", "--simulator", "--runner", "--env", "--minutes", "--warmup-minutes", "--sample-seconds", "--starts", "--header" })
        {
            Assert.Contains(option, result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("VmRSS", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("first write by a client", result.Stdout, StringComparison.Ordinal);
    }
}
