namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Where the repository and its test artifacts are, found from the test's output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>artifacts/test-results/screenshots, created on first use.</summary>
    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(Root, "artifacts", "test-results", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeEnergy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EdgeEnergy.sln not found above {AppContext.BaseDirectory}");
    }
}
