using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>The Balena Dockerfiles pass dockerfile-utils (npm; tests/run-tests.sh installs it) with no finding.</summary>
public sealed class DockerfileLintTests : IDisposable
{
    private static readonly string s_linter = Repository.PathOf("artifacts/tools/node_modules/.bin/dockerfile-utils");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("deploy/balena/Dockerfile.template")]
    [InlineData("deploy/balena/mosquitto/Dockerfile")]
    public async Task Dockerfile_lints_clean(string dockerfile)
    {
        var result = await LintAsync(Repository.PathOf(dockerfile));

        Assert.True(result.ExitCode == 0 && result.Stdout.Trim().Length == 0, result.ToString());
    }

    [Fact]
    public async Task Linter_reports_a_broken_copy_of_the_template()
    {
        // Proves the check above can fail: the same linter on a COPY that lost its destination.
        var text = Repository.Read("deploy/balena/Dockerfile.template");
        const string copy = "COPY --from=build /app/ /app/";
        Assert.Contains(copy, text, StringComparison.Ordinal);
        var broken = _temp.Combine("Dockerfile.template");
        File.WriteAllText(broken, text.Replace(copy, "COPY /app/", StringComparison.Ordinal));

        var result = await LintAsync(broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("COPY requires at least two arguments", result.Stdout, StringComparison.Ordinal);
    }

    private static Task<ProcessResult> LintAsync(string path)
    {
        Assert.True(File.Exists(s_linter), $"{s_linter} is missing: run tests/run-tests.sh, or npm install --prefix artifacts/tools dockerfile-utils@0.16.3");
        return ProcessRunner.RunAsync(s_linter, "lint", path);
    }
}
