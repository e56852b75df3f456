using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Backtest;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// Tariffs' published rates for the commands that replay a history on another tariff (<c>tariffs compare</c>, a fleet
/// backtest's <c>tariff</c> column): read through the service's own Octopus client, from the live API or from
/// Octopus-shaped files in a folder (<c>--prices DIR</c>, offline), expanded to one rate per half hour, with the
/// standing charges over the same period.
/// </summary>
internal sealed class PublishedTariffs : IDisposable
{
    private readonly HttpClient _client;
    private readonly OctopusPriceSource _source;

    internal PublishedTariffs(OctopusOptions options, string? pricesDirectory)
    {
        _client = pricesDirectory is null ? new HttpClient { Timeout = options.Timeout } : new HttpClient(new OctopusDirectoryHandler(pricesDirectory));
        _source = new OctopusPriceSource(_client, Options.Create(options), TimeProvider.System, NullLogger<OctopusPriceSource>.Instance);
    }

    /// <summary>
    /// <paramref name="code"/>'s half-hour rates over <paramref name="range"/> in <paramref name="region"/> (null: the
    /// options' region) and its standing charges there. <paramref name="option"/> names where the code came from, for the
    /// messages. A tariff without a standing-charges list (most export tariffs) has none; one with a list must cover
    /// every day, or it is a <see cref="BacktestInputException"/>. Throws <see cref="TariffNotFoundException"/> for an
    /// unknown product or region, <see cref="PriceSourceException"/> when the rates cannot be read.
    /// </summary>
    public async Task<(TariffPrices Prices, TariffRates Rates)> FetchAsync(string code, TimeRange range, string option, string? region, CancellationToken cancellationToken)
    {
        var rates = await _source.FetchTariffAsync(code, range, option, withStandingCharges: true, region, cancellationToken);
        try
        {
            var standing = rates.Tariff.HasStandingCharges ? TariffExpansion.StandingPence(rates.StandingCharges, range, UkTime.Zone) : 0;
            return (new TariffPrices(code, rates.Slots, standing), rates);
        }
        catch (ArgumentException e)
        {
            throw new BacktestInputException($"{option} {code}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// The command-line options that say where published rates come from: <c>--prices DIR</c> (Octopus-shaped files,
/// offline), else the API at <c>--base-url</c>; <c>--region</c>, the GSP region letter used when a tariff names none.
/// </summary>
internal sealed record TariffRatesSource(string? PricesDirectory, string Region, string BaseUrl)
{
    /// <summary>What is wrong with the options, each naming its option; empty when rates can be read.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (new OctopusOptionsValidator().Validate(null, Options) is { Failed: true } invalid)
        {
            // The validator names configuration keys; here they came from options.
            problems.AddRange(invalid.Failures.Select(f => f.Replace("Octopus:Region", "--region", StringComparison.Ordinal).Replace("Octopus:BaseUrl", "--base-url", StringComparison.Ordinal)));
        }

        if (PricesDirectory is not null && !Directory.Exists(PricesDirectory))
        {
            problems.Add($"--prices '{PricesDirectory}' is not a directory");
        }

        return problems;
    }

    public PublishedTariffs Open() => new(Options, PricesDirectory);

    /// <summary>The region letter as the API spells it (upper case).</summary>
    public string RegionLetter => Region.Trim().ToUpperInvariant();

    private OctopusOptions Options => new()
    {
        Region = RegionLetter,
        BaseUrl = PricesDirectory is null ? BaseUrl : OctopusDirectoryHandler.BaseUrl.ToString(),
    };
}
