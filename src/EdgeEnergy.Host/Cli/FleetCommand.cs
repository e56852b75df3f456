using System.CommandLine;
using System.Text.Json;
using EdgeEnergy.Host.Cli.Fleet;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy fleet simulate --homes N --broker HOST:PORT[,HOST:PORT...] --minutes M</c>: the fleet load test of
/// issue 21 §3 (<see cref="FleetSimulation"/>). Prints the figures as JSON on stdout; exit 0 when no state message
/// was lost and every command was answered as it should be, 1 otherwise, 2 for bad arguments.
/// </summary>
internal static class FleetCommand
{
    public static Command Create()
    {
        var fleet = new Command("fleet", "A fleet of homes on a fleet broker (docs/fleet.md).");
        fleet.Subcommands.Add(CreateSimulate());
        return fleet;
    }

    private static Command CreateSimulate()
    {
        var homes = new Option<int>("--homes") { Description = "Simulated homes, 1..20000.", DefaultValueFactory = _ => 100 };
        var broker = new Option<string>("--broker") { Description = "The fleet broker's nodes, HOST:PORT[,HOST:PORT...] (MQTT, no TLS); home i starts on node i mod count; the checking subscriber uses the first.", Required = true };
        var minutes = new Option<double>("--minutes") { Description = "How long commands are sent, minutes (0.1..1440).", DefaultValueFactory = _ => 1 };
        var stateSeconds = new Option<double>("--state-seconds") { Description = "Each home's state window, seconds (the appliance's is 300; shorter makes more messages).", DefaultValueFactory = _ => 5 };
        var commandSeconds = new Option<double>("--command-seconds") { Description = "Seconds between command rounds (one command to every home per round).", DefaultValueFactory = _ => 10 };
        var refuseEvery = new Option<int>("--refuse-every") { Description = "Every K-th home has Fleet:AcceptCommands=false (0: none).", DefaultValueFactory = _ => 5 };
        var resend = new Option<double>("--resend-seconds") { Description = "Re-send an unanswered command (same id) after this many seconds.", DefaultValueFactory = _ => 3 };
        var drain = new Option<double>("--drain-seconds") { Description = "After the last round, at most this long for queues to empty and answers to come.", DefaultValueFactory = _ => 60 };
        var command = new Command("simulate", "Runs N simulated homes (the appliance's fleet link, real override handling) against a fleet broker and checks that no state message is lost and every command is answered.");
        foreach (var o in new Option[] { homes, broker, minutes, stateSeconds, commandSeconds, refuseEvery, resend, drain })
        {
            command.Options.Add(o);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var brokers = FleetSimulation.ParseBrokers(parse.GetValue(broker) ?? "");
            var n = parse.GetValue(homes);
            var m = parse.GetValue(minutes);
            var s = parse.GetValue(stateSeconds);
            var c = parse.GetValue(commandSeconds);
            var r = parse.GetValue(resend);
            var d = parse.GetValue(drain);
            string? problem = brokers is null ? $"--broker '{parse.GetValue(broker)}' must be HOST:PORT[,HOST:PORT...] with ports 1..65535"
                : n is < 1 or > 20_000 ? $"--homes must be 1..20000, got {n}"
                : m is < 0.1 or > 1440 ? $"--minutes must be 0.1..1440, got {m}"
                : s is < 1 or > 3600 ? $"--state-seconds must be 1..3600, got {s}"
                : c is < 1 or > 3600 ? $"--command-seconds must be 1..3600, got {c}"
                : r is < 1 or > 600 ? $"--resend-seconds must be 1..600, got {r}"
                : d is < 0 or > 3600 ? $"--drain-seconds must be 0..3600, got {d}"
                : parse.GetValue(refuseEvery) < 0 ? "--refuse-every must be 0 or more"
                : null;
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync($"edgeenergy fleet simulate: {problem}");
                return ExitCodes.BadInput;
            }

            var settings = new FleetSimulationSettings(n, brokers!, TimeSpan.FromMinutes(m), TimeSpan.FromSeconds(s), TimeSpan.FromSeconds(c),
                parse.GetValue(refuseEvery), TimeSpan.FromSeconds(r), TimeSpan.FromSeconds(d));
            var report = await new FleetSimulation(settings, Console.Error, TimeProvider.System).RunAsync(cancellationToken);
            await Console.Out.WriteLineAsync(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return report["ok"]!.GetValue<bool>() ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
