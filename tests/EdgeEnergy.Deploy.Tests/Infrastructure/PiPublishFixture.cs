namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>
/// The Raspberry Pi build, made once for the tests that need it, the way a user makes it: by the install script's
/// <c>--arch arm64 --publish-only DIR</c>, which runs <c>dotnet publish src/EdgeEnergy.Host -c Release -r linux-arm64
/// --self-contained</c> and then checks the output is complete.
/// </summary>
public sealed class PiPublishFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();

    public string Directory => _temp.Combine("linux-arm64");

    public ProcessResult Publish { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Publish = await ProcessRunner.RunAsync(
            "bash",
            [Repository.PathOf("deploy/systemd/install.sh"), "--arch", "arm64", "--publish-only", Directory],
            timeout: TimeSpan.FromMinutes(10));
    }

    /// <summary>Fails the calling test with the publish log when the publish did not succeed.</summary>
    public void AssertPublished() => Assert.True(Publish.ExitCode == 0, $"the linux-arm64 publish failed:\n{Publish}");

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _temp.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PiPublishGroup : ICollectionFixture<PiPublishFixture>
{
    public const string Name = "linux-arm64 publish";
}
