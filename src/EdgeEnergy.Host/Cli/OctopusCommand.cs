using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy octopus account</c>: reads the account once (<c>Octopus:AccountNumber</c> with <c>Octopus:ApiKey</c>)
/// and prints as JSON what was discovered: every electricity meter point (MPAN, export flag, serials, the tariff valid
/// now), the import and export tariff EdgeEnergy would price on and why, and on Intelligent Octopus Go the planned
/// dispatches. The key is never printed. Exit 2 when the keys are missing or Octopus refuses them, 1 on an outage.
/// </summary>
internal static class OctopusCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static Command Create()
    {
        var octopus = new Command("octopus", "Reads the Octopus account: tariffs, meters, Intelligent Octopus Go dispatches.");
        var config = new Option<string?>("--config") { Description = "appsettings JSON file (default: appsettings.json next to the binary); EDGEENERGY__SECTION__KEY variables override it." };
        var account = new Command("account", "Prints what the account says as JSON on stdout: meter points, the tariffs in use and why, dispatches on Intelligent Octopus Go. The API key is never printed.");
        account.Options.Add(config);
        account.SetAction((parse, cancellationToken) => AccountAsync(parse.GetValue(config), cancellationToken));
        octopus.Subcommands.Add(account);
        return octopus;
    }

    private static async Task<int> AccountAsync(string? configFile, CancellationToken cancellationToken)
    {
        return await CliServices.RunAsync("octopus account", configFile, (services, configuration) => services.AddOctopusAccount(configuration, poll: false), async provider =>
        {
            var options = EdgeEnergyConfiguration.Require<OctopusOptions>(provider);
            if (!options.AccountConfigured)
            {
                throw new ConfigurationException("Octopus:AccountNumber and Octopus:ApiKey are both needed to read the account");
            }

            var state = provider.GetRequiredService<OctopusAccountState>();
            try
            {
                state.Account = await provider.GetRequiredService<OctopusAccountClient>().GetAccountAsync(cancellationToken);
                var output = Describe(state, options);
                if (OctopusTariffCode.IsIntelligentGo(state.Effective(RateKind.Import, options).Product))
                {
                    var read = await provider.GetRequiredService<OctopusDispatchSource>().GetPlannedAsync(cancellationToken);
                    output["dispatches"] = new JsonObject
                    {
                        ["deviceId"] = read.DeviceId,
                        ["planned"] = new JsonArray([.. read.Dispatches.Select(d => (JsonNode)new JsonObject
                        {
                            ["start"] = d.StartUtc.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
                            ["end"] = d.EndUtc.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
                            ["kind"] = d.Kind.ToString().ToLowerInvariant(),
                            ["energyKwh"] = d.EnergyKwh,
                        })]),
                        ["skipped"] = new JsonArray([.. read.Skipped.Select(s => (JsonNode?)JsonValue.Create(s))]),
                    };
                }

                output["octopusCallsLastHour"] = provider.GetRequiredService<OctopusCallBudget>().Used;
                await Console.Out.WriteLineAsync(output.ToJsonString(s_json));
                return ExitCodes.Success;
            }
            catch (OctopusAccountRefusedException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy octopus account: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (OctopusAccountException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy octopus account: {e.Message}");
                return ExitCodes.Failure;
            }
        });
    }

    private static JsonObject Describe(OctopusAccountState state, OctopusOptions options)
    {
        var account = state.Account!;
        JsonObject Tariff(RateKind kind)
        {
            var effective = state.Effective(kind, options);
            return new JsonObject { ["product"] = effective.Product, ["region"] = effective.Region, ["code"] = effective.Code, ["source"] = effective.Source };
        }

        return new JsonObject
        {
            ["account"] = account.Number,
            ["apiKey"] = "set (not shown)",
            ["meterPoints"] = new JsonArray([.. account.MeterPoints.Select(p => (JsonNode)new JsonObject
            {
                ["property"] = p.PropertyId,
                ["mpan"] = p.Mpan,
                ["isExport"] = p.IsExport,
                ["serials"] = new JsonArray([.. p.Serials.Select(s => (JsonNode?)JsonValue.Create(s))]),
                ["currentTariff"] = p.CurrentTariff?.Code,
            })]),
            ["import"] = Tariff(RateKind.Import),
            ["export"] = Tariff(RateKind.Export),
            ["intelligentGo"] = OctopusTariffCode.IsIntelligentGo(state.Effective(RateKind.Import, options).Product),
            ["skipped"] = new JsonArray([.. account.Skipped.Select(s => (JsonNode?)JsonValue.Create(s))]),
        };
    }
}
