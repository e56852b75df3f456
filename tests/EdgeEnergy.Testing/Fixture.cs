namespace EdgeEnergy.Testing;

/// <summary>Locates test fixture files copied next to the test assembly (see Fixtures/README.md for sources).</summary>
public static class Fixture
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string Text(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>The repository root (the folder holding EdgeEnergy.sln), for tests that check shipped files.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeEnergy.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"no EdgeEnergy.sln above {AppContext.BaseDirectory}");
    }
}
