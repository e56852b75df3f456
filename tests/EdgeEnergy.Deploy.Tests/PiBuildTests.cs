using System.Text.Json;
using EdgeEnergy.Deploy.Tests.Infrastructure;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>The Raspberry Pi build: complete, all arm64, and it plans under qemu-aarch64 exactly as x64 does.</summary>
[Collection(PiPublishGroup.Name)]
public sealed class PiBuildTests(PiPublishFixture publish)
{
    [Theory]
    [InlineData("edgeenergy")]
    [InlineData("edgeenergy.dll")]
    [InlineData("libcoreclr.so")]
    [InlineData("libclrjit.so")]
    [InlineData("Google.OrTools.dll")]
    [InlineData("google-ortools-native.so")]
    [InlineData("libortools.so.9")]
    [InlineData("libe_sqlite3.so")]
    [InlineData("libSystem.IO.Ports.Native.so")]
    [InlineData("System.Device.Gpio.dll")]
    [InlineData("EdgeEnergy.Adapters.Gpio.dll")]
    public void Publish_holds_the_runtime_OR_Tools_SQLite_serial_and_gpio_for_arm64(string file)
    {
        publish.AssertPublished();
        var path = Path.Combine(publish.Directory, file);
        Assert.True(File.Exists(path), $"{file} is missing from the linux-arm64 publish");
        if (!file.EndsWith(".dll", StringComparison.Ordinal))
        {
            Assert.Equal(new ElfHeader(true, ElfHeader.AArch64), ElfHeader.Read(path));
        }
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
}
