namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Where the repository is, found from the test's output folder (tests read it; they write nothing there).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

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
