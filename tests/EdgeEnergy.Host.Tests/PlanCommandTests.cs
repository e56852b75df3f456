using System.Text.Json;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests;

public class PlanCommandTests
{
    [Fact]
    public async Task Prints_an_optimal_plan_as_contract_json()
    {
        var r = await CliRunner.RunAsync(["plan", PlanProblems.PathOf("2022-winter-48")]);

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("optimal", root.GetProperty("status").GetString());
        Assert.Equal(PlanProblems.ReferenceObjectives["2022-winter-48"], root.GetProperty("objectivePence").GetDouble(), 0.5);
        var slots = root.GetProperty("slots");
        Assert.Equal(48, slots.GetArrayLength());
        var first = slots[0];
        foreach (var field in new[] { "start", "importKwh", "exportKwh", "chargeKwh", "dischargeKwh", "pvUsedKwh", "socKwh", "immersionKwh", "mode", "reason" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"slot field {field} missing");
        }

        Assert.Equal("2022-01-12T16:00:00+00:00", first.GetProperty("start").GetString());
        Assert.Contains(first.GetProperty("mode").GetString(), new[] { "charge", "discharge", "hold", "self-use", "export" });
    }

    [Fact]
    public async Task Reads_the_problem_from_stdin()
    {
        var r = await CliRunner.RunAsync(["plan", "-"], stdin: File.ReadAllText(PlanProblems.PathOf("horizon-24")));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(24, JsonDocument.Parse(r.Stdout).RootElement.GetProperty("slots").GetArrayLength());
    }

    [Theory]
    [InlineData("{ \"start\": ", "malformed JSON")]
    [InlineData("{ \"start\": \"2024-01-10T16:00:00Z\", \"slots\": [] }", "missing required field")]
    public async Task Bad_input_exits_2_with_one_line_and_no_plan(string json, string expected)
    {
        var r = await CliRunner.RunAsync(["plan", "-"], stdin: json);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(string.Empty, r.Stdout);
        var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("edgeenergy plan: stdin: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public async Task An_infeasible_problem_exits_2_with_its_reason()
    {
        var json = File.ReadAllText(PlanProblems.PathOf("horizon-24")).Replace("\"maxImportKw\": 15.0", "\"maxImportKw\": 0.0", StringComparison.Ordinal)
            .Replace("\"socKwh\": 5.0", "\"socKwh\": 0.0", StringComparison.Ordinal).Replace("\"minSocKwh\": 1.0", "\"minSocKwh\": 0.0", StringComparison.Ordinal);
        var r = await CliRunner.RunAsync(["plan", "-"], stdin: json);

        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"infeasible: slots\[\d+\]\.loadKwh: .* exceeds what the grid import limit, solar and battery can supply", r.Stderr);
    }

    [Fact]
    public async Task A_missing_file_exits_2_naming_it()
    {
        var r = await CliRunner.RunAsync(["plan", "/nonexistent/p.json"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/p.json", r.Stderr);
    }

    [Fact]
    public async Task Unknown_commands_are_bad_usage()
    {
        var r = await CliRunner.RunAsync(["frobnicate"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("frobnicate", r.Stderr);
    }

    [Fact]
    public async Task Help_describes_the_plan_command()
    {
        var r = await CliRunner.RunAsync(["plan", "--help"]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("PROBLEM.json", r.Stdout);
    }
}
