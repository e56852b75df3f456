using System.CommandLine;

namespace EdgeEnergy.Host.Cli;

/// <summary>The command tree. Each command lives in its own file and is added here, one line each.</summary>
internal static class EdgeEnergyCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("EdgeEnergy: plans and runs a home battery and immersion heaters on Octopus Agile prices.");
        root.Subcommands.Add(RunCommand.Create(root));
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(FoxCommands.Create());
        root.Subcommands.Add(PricesCommands.Create());
        root.Subcommands.Add(BacktestCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(TariffsCommand.Create());
        root.Subcommands.Add(OctopusCommand.Create());
        root.Subcommands.Add(WebPreviewCommand.Create());
        root.Subcommands.Add(BenchApiCommand.Create());
        root.Subcommands.Add(RelayCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(FleetCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Bad usage is exit 2 with a one-line reason (the contract), not System.CommandLine's default 1.
            var reasons = string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')));
            await Console.Error.WriteLineAsync($"edgeenergy: {reasons} (see 'edgeenergy --help')");
            return ExitCodes.BadInput;
        }

        return await parsed.InvokeAsync();
    }
}
