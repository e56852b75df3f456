using System.CommandLine;
using System.Globalization;
using System.Text;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Host.Data;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy prices fetch</c> (prices, and forecasts when Solcast is configured, once into the store) and
/// <c>edgeenergy prices show</c> (the stored rates as CSV <c>slot_start_utc,kind,pence</c> on stdout).
/// </summary>
internal static class PricesCommands
{
    public static Command Create()
    {
        var prices = new Command("prices", "Fetches Octopus Agile prices into the store, or shows the stored rates.");
        prices.Subcommands.Add(CreateFetch());
        prices.Subcommands.Add(CreateShow());
        return prices;
    }

    private static Option<string?> ConfigOption() => new("--config") { Description = "appsettings JSON file (default: appsettings.json next to the binary); EDGEENERGY__SECTION__KEY variables override it." };

    private static Command CreateFetch()
    {
        var config = ConfigOption();
        var command = new Command("fetch", "Fetches missing prices (import and export; the gap detector re-fetches holes in the last Octopus:BackfillDays) and, when Solcast:Sites is set and the call budget allows, PV forecasts; then exits. Summary on stdout, logs on stderr.");
        command.Options.Add(config);
        command.SetAction((parse, cancellationToken) => FetchAsync(parse.GetValue(config), cancellationToken));
        return command;
    }

    private static Command CreateShow()
    {
        var config = ConfigOption();
        var from = new Option<string?>("--from") { Description = "First slot (ISO-8601; no offset means UTC). Default: 24 hours ago." };
        var to = new Option<string?>("--to") { Description = "End, exclusive (ISO-8601; no offset means UTC). Default: 48 hours ahead." };
        var command = new Command("show", "Prints the stored rates as CSV on stdout: slot_start_utc,kind,pence (kind import or export).");
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(config);
        command.SetAction((parse, cancellationToken) => ShowAsync(parse.GetValue(config), parse.GetValue(from), parse.GetValue(to), cancellationToken));
        return command;
    }

    private static async Task<int> FetchAsync(string? configFile, CancellationToken cancellationToken)
    {
        return await CliServices.RunAsync("prices fetch", configFile, (services, configuration) =>
        {
            services.AddHistory(configuration);
            services.AddPriceSources(configuration);
            services.AddSolcast(configuration);
        }, async provider =>
        {
            EdgeEnergyConfiguration.Require<StorageOptions>(provider);
            EdgeEnergyConfiguration.Require<OctopusOptions>(provider);
            var solcast = EdgeEnergyConfiguration.Require<SolcastOptions>(provider);
            var prices = await provider.GetRequiredService<PriceUpdater>().UpdateAsync(cancellationToken);
            var output = new StringBuilder();
            foreach (var kind in prices.Kinds)
            {
                output.Append(CultureInfo.InvariantCulture,
                    $"{Name(kind.Kind)}: {kind.Requests} request(s), {kind.Fetched} valid rates fetched, {kind.Saved} new or changed, {kind.Rejected} rejected, {kind.StillMissing.Count} range(s) still missing")
                    .Append('\n');
                foreach (var gap in kind.StillMissing)
                {
                    output.Append(CultureInfo.InvariantCulture, $"{Name(kind.Kind)}: missing {gap}").Append('\n');
                }
            }

            var failed = prices.Failed;
            if (solcast.Enabled)
            {
                var forecast = await provider.GetRequiredService<ForecastUpdater>().UpdateAsync(cancellationToken);
                output.Append(CultureInfo.InvariantCulture,
                    $"solcast: {forecast.Decision}; forecasts for {forecast.ForecastSites} site(s), actuals for {forecast.ActualSites}, {forecast.CallsUsedToday} of {solcast.DailyCallBudget} calls used today")
                    .Append('\n');
                failed |= forecast.Errors.Count > 0;
            }

            await Console.Out.WriteAsync(output.ToString());
            foreach (var error in prices.Kinds.SelectMany(k => k.Errors))
            {
                await Console.Error.WriteLineAsync($"edgeenergy prices fetch: {error}");
            }

            // An unknown product or region is bad input (exit 2, the message names the key); an outage is a failure.
            return prices.Kinds.Any(k => k.TariffNotFound) ? ExitCodes.BadInput : failed ? ExitCodes.Failure : ExitCodes.Success;
        });
    }

    private static async Task<int> ShowAsync(string? configFile, string? fromText, string? toText, CancellationToken cancellationToken)
    {
        return await CliServices.RunAsync("prices show", configFile, (services, configuration) => services.AddHistory(configuration), async provider =>
        {
            EdgeEnergyConfiguration.Require<StorageOptions>(provider);
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            var from = ParseTime("--from", fromText) ?? GapDetector.AlignDown(now - TimeSpan.FromHours(24), TimeSpan.FromMinutes(30));
            var to = ParseTime("--to", toText) ?? now + TimeSpan.FromHours(48);
            if (to <= from)
            {
                throw new ConfigurationException($"--to ({to:O}) must be after --from ({from:O})");
            }

            var store = provider.GetRequiredService<IRateStore>();
            var range = new TimeRange(from, to);
            var rows = new List<(DateTimeOffset Start, RateKind Kind, double Pence)>();
            foreach (var kind in new[] { RateKind.Import, RateKind.Export })
            {
                rows.AddRange((await store.GetAsync(kind, range, cancellationToken)).Select(r => (r.StartUtc, kind, r.Pence)));
            }

            var csv = new StringBuilder("slot_start_utc,kind,pence\n");
            foreach (var (start, kind, pence) in rows.OrderBy(r => r.Start).ThenBy(r => r.Kind))
            {
                csv.Append(start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append(',')
                    .Append(Name(kind)).Append(',')
                    .Append(pence.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }

            await Console.Out.WriteAsync(csv.ToString());
            return ExitCodes.Success;
        });
    }

    private static DateTimeOffset? ParseTime(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        throw new ConfigurationException($"{option} '{text}' is not an ISO-8601 time like 2024-01-10T16:00:00Z");
    }

    private static string Name(RateKind kind) => kind == RateKind.Import ? "import" : "export";
}
