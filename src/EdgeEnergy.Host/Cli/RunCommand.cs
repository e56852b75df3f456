using System.CommandLine;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Cli;

/// <summary><c>edgeenergy run [--config FILE]</c> (also a bare <c>edgeenergy</c>): the service.</summary>
internal static class RunCommand
{
    public static Option<string?> ConfigOption() => new("--config") { Description = "appsettings.json to use (default: the one next to the binary); EDGEENERGY__SECTION__KEY variables override it." };

    public static Command Create(RootCommand root)
    {
        var config = ConfigOption();
        var command = new Command("run", "Runs the service: control loop, planning, prices, MQTT, API and dashboard (systemd-aware).");
        command.Options.Add(config);
        command.SetAction((parse, ct) => RunAsync(() => EdgeEnergyConfiguration.Load(parse.GetValue(config)), replayPrices: false, ct));
        root.SetAction((_, ct) => RunAsync(() => EdgeEnergyConfiguration.Load(null), replayPrices: false, ct));
        return command;
    }

    /// <summary>Builds and runs the appliance; configuration problems are exit 2 with the key named, never a stack trace.</summary>
    public static async Task<int> RunAsync(Func<IConfiguration> configuration, bool replayPrices, CancellationToken cancellationToken, Func<WebApplication, Task>? started = null)
    {
        WebApplication app;
        try
        {
            // Checked whole before anything is opened or written: one line per problem, each naming its key.
            var config = configuration();
            if (!await ConfigCommand.ReportAsync(ConfigurationCheck.Run(config, replayPrices)))
            {
                return ExitCodes.BadInput;
            }

            app = ApplianceHost.Build(config, replayPrices);
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"edgeenergy: configuration: {e.Message}");
            return ExitCodes.BadInput;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy: configuration: {string.Join("; ", e.Failures)}");
                return ExitCodes.BadInput;
            }
            catch (InvalidOperationException e) when (e.InnerException is OptionsValidationException v)
            {
                await Console.Error.WriteLineAsync($"edgeenergy: configuration: {string.Join("; ", v.Failures)}");
                return ExitCodes.BadInput;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy: cannot start: {e.Message}");
                return ExitCodes.Failure;
            }

            if (started is not null)
            {
                await started(app);
            }

            await app.WaitForShutdownAsync(cancellationToken);
        }

        return ExitCodes.Success;
    }
}
