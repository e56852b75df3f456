using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>What one product's tariff published over a range: one rate per half-hour slot, its standing charges (pence per day) and every rejection.</summary>
public sealed record TariffRates(OctopusTariff Tariff, IReadOnlyList<Rate> Slots, IReadOnlyList<TariffRow> StandingCharges, IReadOnlyList<RateRejection> Rejected, int Pages);

/// <summary>
/// Unit rates of any Octopus product from the public REST API: reads the product (<c>/v1/products/{P}/</c>) for the
/// region's tariff code and whether it is single or two-register, reads its rate lists (following <c>next</c> pages),
/// converts every time to UTC (a time without offset is Europe/London, as the API documents) and expands rows of any
/// span into half-hour slots (<see cref="TariffExpansion"/>), validated. A later page that cannot be read ends the list
/// with what was read so far and a rejection naming the page; the gap detector re-fetches the missing range later.
/// </summary>
/// <remarks>With <paramref name="account"/>, each kind's product and region are <see cref="OctopusAccountState.Effective"/>'s (configured explicitly, else the account's).</remarks>
public sealed class OctopusPriceSource(HttpClient client, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusPriceSource> logger, OctopusAccountState? account = null)
    : IPriceSource, IStandingChargeSource
{
    private readonly OctopusOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
    private readonly OctopusAccountState _account = account ?? new OctopusAccountState(importProductExplicit: true, exportProductExplicit: true);

    public bool Supports(RateKind kind) => kind == RateKind.Import || _account.Effective(kind, _options).Product is not null;

    public async Task<PriceFetchResult> FetchAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken)
    {
        var effective = _account.Effective(kind, _options);
        var key = effective.Source == "account" ? $"the account's {kind.ToString().ToLowerInvariant()} tariff" : $"Octopus:{kind}Product";
        var product = effective.Product;
        if (string.IsNullOrEmpty(product))
        {
            throw new PriceSourceException($"{key} is not configured");
        }

        var rates = await FetchTariffAsync(product, range, key, withStandingCharges: false, effective.Region, cancellationToken);
        var kindName = kind.ToString().ToLowerInvariant();
        foreach (var rejection in rates.Rejected)
        {
            logger.RateRejected(kindName, rejection.ToString());
        }

        logger.RatesFetched(kindName, rates.Tariff.Code, rates.Slots.Count, rates.Pages, range, rates.Rejected.Count);
        return new PriceFetchResult(kind, rates.Slots, rates.Rejected, rates.Pages);
    }

    /// <summary>
    /// The standing charges of <paramref name="kind"/>'s tariff in force (the configured product, else the account's):
    /// the product, then only its <c>standing-charges</c> list (two calls). No product configured for the kind, or a
    /// tariff without that list: <see cref="StandingCharges.None"/>. A page that cannot be read is a
    /// <see cref="PriceSourceException"/>: a partly read list would make days look uncharged.
    /// </summary>
    public async Task<StandingCharges> FetchStandingChargesAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken)
    {
        var effective = _account.Effective(kind, _options);
        var key = effective.Source == "account" ? $"the account's {kind.ToString().ToLowerInvariant()} tariff" : $"Octopus:{kind}Product";
        if (string.IsNullOrWhiteSpace(effective.Product))
        {
            return StandingCharges.None($"no {kind.ToString().ToLowerInvariant()} tariff ({key} is not configured)");
        }

        var retry = new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        var product = effective.Product.Trim().ToUpperInvariant();
        var tariff = await ReadProductAsync(product, effective.Region.Trim().ToUpperInvariant(), key, retry, cancellationToken);
        if (!tariff.HasStandingCharges)
        {
            return StandingCharges.None(tariff.Code);
        }

        var rejected = new List<RateRejection>();
        var (rows, _) = await ReadRowsAsync(tariff, "standing-charges", range, rejected, retry, cancellationToken);
        if (rejected.FirstOrDefault(r => r.StartUtc is null) is { } unread)
        {
            throw new PriceSourceException($"{tariff.Code} standing charges: {unread.Reason}");
        }

        return new StandingCharges(tariff.Code, true, rows);
    }

    /// <summary>
    /// The rates of <paramref name="product"/> in the configured region over <paramref name="range"/>, one per half hour;
    /// with <paramref name="withStandingCharges"/> also its standing charges. <paramref name="key"/> names where the
    /// product code came from, for the messages. Throws <see cref="TariffNotFoundException"/> when the product or the
    /// region's tariff does not exist, <see cref="PriceSourceException"/> when the API cannot be read.
    /// </summary>
    public Task<TariffRates> FetchTariffAsync(string product, TimeRange range, string key, bool withStandingCharges, CancellationToken cancellationToken) =>
        FetchTariffAsync(product, range, key, withStandingCharges, null, cancellationToken);

    /// <summary>As the overload, in <paramref name="region"/> (null: <c>Octopus:Region</c>).</summary>
    public async Task<TariffRates> FetchTariffAsync(string product, TimeRange range, string key, bool withStandingCharges, string? region, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(product);
        product = product.Trim().ToUpperInvariant();
        region = (region ?? _options.Region).Trim().ToUpperInvariant();
        var retry = new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        var tariff = await ReadProductAsync(product, region, key, retry, cancellationToken);
        var rejected = new List<RateRejection>();
        var pages = 0;
        var lists = new List<IReadOnlyList<Rate>>();
        foreach (var list in tariff.UnitRateLists)
        {
            var (rows, read) = await ReadRowsAsync(tariff, list, range, rejected, retry, cancellationToken);
            pages += read;
            lists.Add(TariffExpansion.ToSlots(rows, range, rejected));
        }

        var slots = tariff.TwoRegister ? TariffExpansion.Registers(lists[0], lists[1], _options.NightHours) : lists[0];
        var validation = RateValidator.Validate(slots, new RateLimits { MinPence = _options.MinPence, MaxPence = _options.MaxPence });
        rejected.AddRange(validation.Rejected);
        IReadOnlyList<TariffRow> standing = [];
        if (withStandingCharges && tariff.HasStandingCharges)
        {
            var (rows, read) = await ReadRowsAsync(tariff, "standing-charges", range, rejected, retry, cancellationToken);
            pages += read;
            standing = rows;
        }

        return new TariffRates(tariff, validation.Valid, standing, rejected, pages);
    }

    private async Task<OctopusTariff> ReadProductAsync(string product, string region, string key, RetrySettings retry, CancellationToken cancellationToken)
    {
        var url = new Uri(HttpOptionsChecks.Normalise(_options.BaseUrl), $"v1/products/{Uri.EscapeDataString(product)}/");
        var (status, document, error) = await GetJsonAsync(url, $"Octopus product {product}", retry, cancellationToken);
        if (status == HttpStatusCode.NotFound)
        {
            throw new TariffNotFoundException($"{key} '{product}': Octopus has no public product of that code (HTTP 404 from {url.AbsolutePath}); check the code, or leave it empty when its rates are not public");
        }

        using (document)
        {
            if (document is null)
            {
                throw new PriceSourceException($"Octopus product {product}: {error}");
            }

            return OctopusWire.ParseProduct(document.RootElement, product, region, out var problem)
                ?? throw new TariffNotFoundException($"{key} '{product}' with Octopus:Region '{region}': {problem}");
        }
    }

    private async Task<(List<TariffRow> Rows, int Pages)> ReadRowsAsync(
        OctopusTariff tariff, string list, TimeRange range, List<RateRejection> rejected, RetrySettings retry, CancellationToken cancellationToken)
    {
        var baseUri = HttpOptionsChecks.Normalise(_options.BaseUrl);
        var url = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"v1/products/{Uri.EscapeDataString(tariff.Product)}/electricity-tariffs/{Uri.EscapeDataString(tariff.Code)}/{list}/?period_from={Iso(range.FromUtc)}&period_to={Iso(range.ToUtc)}&page_size={_options.PageSize}"));
        var rows = new List<TariffRow>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        for (Uri? next = url; next is not null;)
        {
            if (pages >= _options.MaxPages)
            {
                rejected.Add(new RateRejection(null, $"{list}: stopped after Octopus:MaxPages ({_options.MaxPages}) pages; {next} not read"));
                break;
            }

            if (!visited.Add(next.AbsoluteUri))
            {
                rejected.Add(new RateRejection(null, $"{list} page {pages + 1}: 'next' points back to a page already read ({next}); pagination stopped"));
                break;
            }

            pages++;
            var page = await ReadPageAsync(next, pages, retry, cancellationToken);
            if (page.Error is not null)
            {
                if (pages == 1)
                {
                    throw new PriceSourceException($"Octopus {tariff.Code} {list}: {page.Error}");
                }

                rejected.Add(new RateRejection(null, page.Error));
                break;
            }

            rows.AddRange(page.Rows);
            rejected.AddRange(page.Rejected);
            next = page.Next;
            if (next is not null && !SameOrigin(next, baseUri))
            {
                rejected.Add(new RateRejection(null, $"page {pages}: 'next' leaves {baseUri.GetLeftPart(UriPartial.Authority)} ({next.GetLeftPart(UriPartial.Authority)}); not followed"));
                break;
            }
        }

        return (rows, pages);
    }

    private async Task<OctopusRowsPage> ReadPageAsync(Uri url, int number, RetrySettings retry, CancellationToken cancellationToken)
    {
        var (_, document, error) = await GetJsonAsync(url, $"Octopus page {number} {url.AbsolutePath}", retry, cancellationToken);
        using (document)
        {
            return document is null
                ? OctopusRowsPage.Failed($"page {number} ({url}): {error}")
                : OctopusWire.ParsePage(document.RootElement, number, url);
        }
    }

    /// <summary>One GET with retries: the parsed body, or the final status and why there is no body.</summary>
    private async Task<(HttpStatusCode? Status, JsonDocument? Document, string? Error)> GetJsonAsync(Uri url, string what, RetrySettings retry, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(client, () => new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/json") } } },
                retry, timeProvider, logger, what, null, cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            return (null, null, e.Message);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return (response.StatusCode, null, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                return (response.StatusCode, JsonDocument.Parse(body), null);
            }
            catch (JsonException e)
            {
                return (response.StatusCode, null, $"not JSON: {e.Message}");
            }
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
