using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>The Raspberry Pi build: complete, all arm64, and it plans under qemu-aarch64 exactly as x64 does.</summary>
[Collection(PublishGroup.Name)]
public sealed class PiBuildTests(PiPublishFixture publish)
{
    [Theory]
    [InlineData("edgeenergy")]
    [InlineData("google-ortools-native.so")]
    [InlineData("libortools.so.9")]
    [InlineData("libe_sqlite3.so")]
    [InlineData("libSystem.IO.Ports.Native.so")]
    public void Publish_holds_the_binary_OR_Tools_SQLite_and_serial_for_arm64(string file)
    {
        publish.AssertPublished();
        var path = Path.Combine(publish.Directory, file);
        Assert.True(File.Exists(path), $"{file} is missing from the linux-arm64 publish");
        Assert.Equal(new ElfHeader(true, ElfHeader.AArch64), ElfHeader.Read(path));
    }

    [Fact]
    public void The_publish_is_a_Native_AOT_binary_with_no_runtime_or_assemblies_beside_it()
    {
        publish.AssertPublished();
        Assert.Empty(System.IO.Directory.EnumerateFiles(publish.Directory, "*.dll"));
        Assert.False(File.Exists(Path.Combine(publish.Directory, "libcoreclr.so")), "a JIT runtime (libcoreclr.so) was published");
        Assert.False(File.Exists(Path.Combine(publish.Directory, "edgeenergy.runtimeconfig.json")));
    }

    [Fact]
    public void Only_ML_NET_warns_in_the_AOT_publish_and_only_as_a_whole_assembly()
    {
        // The Host lets IL2104/IL3053 through as warnings for ML.NET (FastTree.rd.xml covers what it needs); any other
        // assembly warning, or any trim/AOT warning at a line of ours, is new reflection that may break on the Pi.
        publish.AssertPublished();
        var warnings = Regex.Matches(publish.Publish.Stdout + publish.Publish.Stderr, @"warning (IL\d{4}): ([^\[\r\n]*)")
            .Select(m => (Code: m.Groups[1].Value, Text: m.Groups[2].Value.Trim()))
            .Distinct()
            .ToList();
        var wholeAssembly = warnings.Where(w => w.Code is "IL2104" or "IL3053").Select(w => Regex.Match(w.Text, "Assembly '([^']+)'").Groups[1].Value).ToHashSet();
        Assert.Equal(["Microsoft.ML.Core", "Microsoft.ML.Data", "Microsoft.ML.DataView"], wholeAssembly.Order());
        Assert.Empty(warnings.Where(w => w.Code is not ("IL2104" or "IL3053")).Select(w => $"{w.Code}: {w.Text}"));
    }

    [Fact]
    public void Every_native_binary_in_the_publish_is_64_bit_arm()
    {
        publish.AssertPublished();
        var elves = System.IO.Directory.EnumerateFiles(publish.Directory, "*", SearchOption.AllDirectories)
            .Select(path => (path, header: ElfHeader.Read(path)))
            .Where(f => f.header is not null)
            .ToList();

        Assert.True(elves.Count > 20, $"only {elves.Count} native files: the runtime or OR-Tools is missing");
        var foreign = elves.Where(f => f.header != new ElfHeader(true, ElfHeader.AArch64)).Select(f => Path.GetFileName(f.path)).ToList();
        Assert.True(foreign.Count == 0, "not arm64: " + string.Join(", ", foreign));
    }

    [Fact]
    public async Task Pi_build_plans_the_example_under_qemu_exactly_as_the_x64_build()
    {
        publish.AssertPublished();
        var problem = Repository.PathOf(Repository.ExampleProblem);

        var arm = await ProcessRunner.RunAsync(
            "qemu-aarch64",
            ["-L", "/usr/aarch64-linux-gnu", Path.Combine(publish.Directory, "edgeenergy"), "plan", problem],
            timeout: TimeSpan.FromMinutes(3));
        var x64 = await ProcessRunner.RunAsync(Repository.BuiltExecutable, "plan", problem);

        Assert.True(arm.ExitCode == 0, arm.ToString());
        Assert.True(x64.ExitCode == 0, x64.ToString());
        using var armPlan = JsonDocument.Parse(arm.Stdout);
        using var x64Plan = JsonDocument.Parse(x64.Stdout);
        Assert.Equal("optimal", armPlan.RootElement.GetProperty("status").GetString());
        Assert.Equal(48, armPlan.RootElement.GetProperty("slots").GetArrayLength());
        var armObjective = armPlan.RootElement.GetProperty("objectivePence").GetDouble();
        var x64Objective = x64Plan.RootElement.GetProperty("objectivePence").GetDouble();
        Assert.True(Math.Abs(armObjective - x64Objective) <= 1e-6 * Math.Max(1, Math.Abs(x64Objective)),
            $"arm64 objective {armObjective} p, x64 {x64Objective} p");
    }

    [Fact]
    public async Task Pi_build_trains_the_learned_load_model_under_qemu()
    {
        // ML.NET picks generic methods at run time; under Native AOT only those in FastTree.rd.xml exist. A month of
        // history gives the model one training (it needs 21 days) and a walk-forward check that scores through ML.NET.
        publish.AssertPublished();
        using var temp = new TempDirectory();
        var report = temp.Combine("report.json");
        var arm = await ProcessRunner.RunAsync(
            "qemu-aarch64",
            ["-L", "/usr/aarch64-linux-gnu", Path.Combine(publish.Directory, "edgeenergy"), .. Repository.LearnedBacktest(report)],
            timeout: TimeSpan.FromMinutes(5));

        Assert.True(arm.ExitCode == 0, arm.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var model = json.RootElement.GetProperty("loadModel");
        Assert.True(model.GetProperty("trainings").GetInt32() >= 1, model.ToString());
        Assert.Equal(0, model.GetProperty("periodsFailed").GetInt32());
    }

    [Fact]
    public async Task Pi_build_reports_each_bad_configuration_key_as_the_x64_build_does()
    {
        // The check walks the options classes by reflection: under Native AOT only what OptionsTypes.xml keeps.
        publish.AssertPublished();
        var environment = new Dictionary<string, string?>
        {
            ["EDGEENERGY__SITE__BATTERYCAPACITYKWH"] = "5000",
            ["EDGEENERGY__SITE__IMMERSIONS__0__POWERKW"] = "lots",
            ["EDGEENERGY__SITE__IMMERSIONS__1__DAILYMAXKWH"] = "500",
            ["EDGEENERGY__MQTT__PORT"] = "abc",
            ["EDGEENERGY__CONTROL__MODE"] = "sometimes",
            ["EDGEENERGY__OCTOPUS__REGIN"] = "C",
        };
        var arm = await ProcessRunner.RunAsync(
            "qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", Path.Combine(publish.Directory, "edgeenergy"), "config", "check"],
            timeout: TimeSpan.FromMinutes(3), environment: environment);
        var x64 = await ProcessRunner.RunAsync(Repository.BuiltExecutable, ["config", "check"], environment: environment);

        Assert.Equal(2, x64.ExitCode);
        Assert.Contains("Site:Immersions:1:DailyMaxKwh:", x64.Stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean Octopus:Region?", x64.Stderr, StringComparison.Ordinal);
        Assert.True(arm.ExitCode == 2, arm.ToString());
        Assert.Equal(x64.Stderr, arm.Stderr);
        Assert.Equal(x64.Stdout, arm.Stdout);
    }
}
