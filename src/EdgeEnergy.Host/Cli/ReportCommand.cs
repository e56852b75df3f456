using System.CommandLine;
using System.Globalization;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Host.Reporting;
using EdgeEnergy.Optimiser;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy report --from YYYY-MM-DD --to YYYY-MM-DD [--config FILE] [--out FILE]</c> (docs/contracts.md section 5):
/// reads the store, runs <see cref="BillReportEngine"/> and prints the JSON on stdout (or writes --out); the plant
/// model's fit and the days complete go to stderr. With Octopus meters configured, each day also gets its billed figures
/// from Octopus's consumption endpoint. Bad dates, --from after --to, a range the store holds no telemetry for and a
/// key or meter Octopus refuses are exit 2 with the reason.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "First day (local date, YYYY-MM-DD).", Required = true };
        var to = new Option<string>("--to") { Description = "Last day, included (local date, YYYY-MM-DD).", Required = true };
        var config = RunCommand.ConfigOption();
        var output = new Option<string?>("--out") { Description = "Write the JSON here (default: stdout)." };
        var command = new Command("report", "Prints, per day, the metered bill and what no battery, EdgeEnergy's own decisions and perfect foresight would have cost, from the store alone (JSON).");
        foreach (var option in new Option[] { from, to, config, output })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(config), parse.GetValue(output), cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(string fromText, string toText, string? configFile, string? outPath, CancellationToken cancellationToken) =>
        CliServices.RunAsync("report", configFile, (services, configuration) =>
        {
            services.AddHistory(configuration);
            services.AddBilledConsumption(configuration);
            services.AddOptions<SiteOptions>().Bind(configuration.GetSection(SiteOptions.SectionName)).ValidateAnnotations<SiteOptions, SiteOptionsAnnotations>();
            services.AddOptions<ControlOptions>().Bind(configuration.GetSection(ControlOptions.SectionName)).ValidateAnnotations<ControlOptions, ControlOptionsAnnotations>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>());
        }, async provider =>
        {
            var (from, to) = (ParseDate("--from", fromText), ParseDate("--to", toText));
            if (from > to)
            {
                throw new ConfigurationException($"--from {fromText} is after --to {toText}");
            }

            var storage = EdgeEnergyConfiguration.Require<StorageOptions>(provider);
            _ = EdgeEnergyConfiguration.Require<OctopusOptions>(provider);
            var input = await BillReportReader.ReadAsync(provider, from, to, EdgeEnergyConfiguration.Require<SiteOptions>(provider), EdgeEnergyConfiguration.Require<ControlOptions>(provider), cancellationToken);
            if (!input.Telemetry.Any(s => s.TimestampUtc >= input.Span.Start && s.TimestampUtc < input.Span.End))
            {
                throw new ConfigurationException($"the store {storage.Path} holds no telemetry for {fromText} to {toText}");
            }

            // A meter Octopus refuses is bad input, named by its keys: never a report of days that look unpublished.
            if (input.Billed is { Refused: true, Problem: { } refused })
            {
                throw new ConfigurationException(refused);
            }

            var report = new BillReportEngine(new OrToolsScheduleOptimiser()).Run(input, cancellationToken);
            var json = BillReportJson.Write(report) + "\n";
            if (outPath is null)
            {
                await Console.Out.WriteAsync(json);
            }
            else
            {
                await File.WriteAllTextAsync(outPath, json, cancellationToken);
            }

            var plant = report.Plant;
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"edgeenergy report: {report.CompleteDays.Count()} of {report.Days.Count} days complete; plant model {plant.Fit} over {plant.FitSlots} half hours: charge efficiency {plant.Battery.ChargeEfficiency:0.000}, discharge efficiency {plant.Battery.DischargeEfficiency:0.000}, standby {plant.StandbyKw * 1000:0} W, limits {plant.Battery.MaxChargeKw:0.0}/{plant.Battery.MaxDischargeKw:0.0} kW, residual {plant.FitRmsKwh:0.000} kWh per half hour"));
            return ExitCodes.Success;
        }, LogLevel.Warning);

    private static DateOnly ParseDate(string option, string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ConfigurationException($"{option} '{text}' is not a date like 2026-12-01 (YYYY-MM-DD)");
}
