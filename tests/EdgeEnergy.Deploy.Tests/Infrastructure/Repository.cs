namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>Paths in the source tree under test (the folder holding EdgeEnergy.sln).</summary>
public static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeEnergy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no EdgeEnergy.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => s_root.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The x64 edgeenergy apphost built with this test project (it references the Host project).</summary>
    public static string BuiltExecutable => Path.Combine(AppContext.BaseDirectory, "edgeenergy");

    public const string ExampleProblem = "examples/problem-2022-12-winter.json";

    /// <summary>A month of a real home's history (README's backtest example) and its site.</summary>
    public const string ExampleHistory = "examples/history-2022-05-MAC000002.csv";

    public const string ExampleSite = "examples/site-london-9.5kwh.json";

    /// <summary>
    /// <c>edgeenergy</c>'s arguments for a backtest of the example month with the learned load model (FastTree: one
    /// training, it needs 21 days, and a walk-forward check that scores through ML.NET), its report written to
    /// <paramref name="report"/>. One thread: the results do not depend on it.
    /// </summary>
    public static string[] LearnedBacktest(string report) =>
        ["backtest", "--history", PathOf(ExampleHistory), "--site", PathOf(ExampleSite), "--load-forecast", "learned", "--threads", "1", "--quiet", "--out", report];
}
