using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Data;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Web;

/// <summary>One pair of the last comparison, pence; <paramref name="Current"/>: the tariffs the service is on now.</summary>
internal sealed record TariffPairView(string Import, string Export, double BillPence, double StandingPence, double SavingsVsNoBatteryPence, bool Current);

/// <summary>
/// <c>GET /api/v1/tariffs/compare</c>: the last <c>tariffs compare --save</c> run kept in the store, with what it was
/// computed on and the tariffs in force now (import and export products, null when not known).
/// </summary>
internal sealed record TariffCompareView(
    DateTimeOffset Ran, DateTimeOffset From, DateTimeOffset To, int Slots, string Region, string History, double Seconds,
    string? CurrentImport, string? CurrentExport, IReadOnlyList<TariffPairView> Pairs)
{
    public static async Task<IResult> ResultAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<ISettingsStore>() is not { } settings)
        {
            return WebJson.Error("No store is configured, so no tariff comparison is kept.", StatusCodes.Status404NotFound);
        }

        StoredTariffComparison? stored;
        try
        {
            stored = await StoredTariffComparison.LoadAsync(settings, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return WebJson.Error(e.Message, StatusCodes.Status500InternalServerError);
        }

        if (stored is null)
        {
            return WebJson.Error("No tariff comparison yet: run edgeenergy tariffs compare --history FILE.csv --site SITE.json --import … --export … --save (docs/tariffs.md).", StatusCodes.Status404NotFound);
        }

        var (import, export) = Current(services);
        var pairs = stored.Pairs.Select(p => new TariffPairView(
            p.Import, p.Export, Math.Round(p.BillPence, 2), Math.Round(p.StandingPence, 2), Math.Round(p.SavingsVsNoBatteryPence, 2),
            Same(p.Import, import) && Same(p.Export, export))).ToList();
        return WebJson.Result(
            new TariffCompareView(stored.RanUtc, stored.FromUtc, stored.ToUtc, stored.Slots, stored.Region, stored.History, stored.Seconds, import, export, pairs));
    }

    /// <summary>The products in force (configured, else the account's), as the price source uses them.</summary>
    private static (string? Import, string? Export) Current(IServiceProvider services)
    {
        if (services.GetService<IOptions<OctopusOptions>>() is not { } options)
        {
            return (null, null);
        }

        var account = services.GetService<OctopusAccountState>() ?? new OctopusAccountState(importProductExplicit: true, exportProductExplicit: true);
        return (Blank(account.Effective(RateKind.Import, options.Value).Product), Blank(account.Effective(RateKind.Export, options.Value).Product));
    }

    private static string? Blank(string? product) => string.IsNullOrWhiteSpace(product) ? null : product.Trim().ToUpperInvariant();

    private static bool Same(string product, string? current) => current is not null && string.Equals(product, current, StringComparison.OrdinalIgnoreCase);
}
