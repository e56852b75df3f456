using System.CommandLine;
using System.Text.Json;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Host.Cli;

/// <summary><c>edgeenergy plan PROBLEM.json</c>: solves one problem and prints the plan JSON on stdout.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("PROBLEM.json") { Description = "The plan problem (docs/contracts.md section 2); '-' reads stdin." };
        var command = new Command("plan", "Solves one plan problem and prints the plan as JSON on stdout.");
        command.Arguments.Add(file);
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(file)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"edgeenergy plan: {path}: cannot read: {e.Message}");
            return ExitCodes.BadInput;
        }

        var parsed = PlanProblemParser.Parse(json, path == "-" ? "stdin" : Path.GetFileName(path));
        foreach (var warning in parsed.Warnings)
        {
            await Console.Error.WriteLineAsync($"edgeenergy plan: warning: {warning}");
        }

        if (parsed.Problem is null)
        {
            await Console.Error.WriteLineAsync($"edgeenergy plan: {parsed.Error}");
            return ExitCodes.BadInput;
        }

        var plan = new OrToolsScheduleOptimiser().Solve(parsed.Problem, cancellationToken);
        if (plan.Status == PlanStatus.Infeasible)
        {
            await Console.Error.WriteLineAsync($"edgeenergy plan: {path}: infeasible: {plan.Reason}");
            return ExitCodes.BadInput;
        }

        await using var stdout = Console.OpenStandardOutput();
        await JsonSerializer.SerializeAsync(stdout, plan, PlanJson.Output.For<Plan>(), cancellationToken);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
        return ExitCodes.Success;
    }
}
