namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>
/// A build made once for the tests that need it, the way a user makes it: by the install script's
/// <c>--arch ARCH --publish-only DIR</c>, which runs <c>dotnet publish src/EdgeEnergy.Host -c Release -r linux-ARCH
/// --self-contained</c> (a Native AOT binary) and then checks the output is complete.
/// </summary>
public abstract class PublishFixture(string arch) : IAsyncLifetime, IDisposable
{
    // Every publish rebuilds the referenced projects into the one shared artifacts/ folder (a publish for a runtime
    // identifier restores and rewrites each library's deps.json there), so two at once collide on the same files.
    // xunit starts the async fixtures of a collection together (Task.WhenAll), so sharing a collection is not enough.
    private static readonly SemaphoreSlim s_onePublishAtATime = new(1, 1);

    private readonly TempDirectory _temp = new();

    public string Directory => _temp.Combine($"linux-{arch}");

    public ProcessResult Publish { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await s_onePublishAtATime.WaitAsync();
        try
        {
            Publish = await ProcessRunner.RunAsync(
                "bash",
                [Repository.PathOf("deploy/systemd/install.sh"), "--arch", arch, "--publish-only", Directory],
                timeout: TimeSpan.FromMinutes(10));
        }
        finally
        {
            s_onePublishAtATime.Release();
        }
    }

    /// <summary>Fails the calling test with the publish log when the publish did not succeed.</summary>
    public void AssertPublished() => Assert.True(Publish.ExitCode == 0, $"the linux-{arch} publish failed:\n{Publish}");

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The Raspberry Pi build: linux-arm64, cross-compiled here and run under qemu-aarch64.</summary>
public sealed class PiPublishFixture() : PublishFixture("arm64");

/// <summary>The linux-x64 build: the binary the footprint benchmark measures, run natively.</summary>
public sealed class X64PublishFixture() : PublishFixture("x64");

/// <summary>
/// One collection for both builds, so the tests that run one binary do not run beside the other's publish; the
/// publishes themselves take turns by <see cref="PublishFixture"/>'s own gate.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PublishGroup : ICollectionFixture<PiPublishFixture>, ICollectionFixture<X64PublishFixture>
{
    public const string Name = "native publishes";
}
