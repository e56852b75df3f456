using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// Agile import and Agile Outgoing unit rates from the Octopus REST API: follows <c>next</c> pages (newest first),
/// converts every time to UTC (a time without offset is Europe/London, as the API documents), validates the result
/// and keeps the valid part. A page that cannot be read ends the fetch with what was read so far and a rejection
/// naming the page; the missing range is re-fetched later by the gap detector.
/// </summary>
public sealed class OctopusPriceSource(HttpClient client, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusPriceSource> logger)
    : IPriceSource
{
    private readonly OctopusOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public bool Supports(RateKind kind) => kind == RateKind.Import || _options.ExportTariff is not null;

    public async Task<PriceFetchResult> FetchAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken)
    {
        var product = (kind == RateKind.Import ? _options.ImportProduct : _options.ExportProduct)?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(product))
        {
            throw new PriceSourceException($"Octopus:{kind}Product is not configured");
        }

        var tariff = _options.TariffCode(product);
        var baseUri = HttpOptionsChecks.Normalise(_options.BaseUrl);
        var url = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/?period_from={Iso(range.FromUtc)}&period_to={Iso(range.ToUtc)}&page_size={_options.PageSize}"));
        var candidates = new List<Rate>();
        var rejected = new List<RateRejection>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        var retry = new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        for (Uri? next = url; next is not null;)
        {
            if (pages >= _options.MaxPages)
            {
                rejected.Add(new RateRejection(null, $"stopped after Octopus:MaxPages ({_options.MaxPages}) pages; {next} not read"));
                break;
            }

            if (!visited.Add(next.AbsoluteUri))
            {
                rejected.Add(new RateRejection(null, $"page {pages + 1}: 'next' points back to a page already read ({next}); pagination stopped"));
                break;
            }

            pages++;
            var page = await ReadPageAsync(next, pages, retry, cancellationToken);
            if (page.Error is not null)
            {
                if (pages == 1)
                {
                    throw new PriceSourceException($"Octopus {kind} {tariff}: {page.Error}");
                }

                rejected.Add(new RateRejection(null, page.Error));
                break;
            }

            candidates.AddRange(page.Rates);
            rejected.AddRange(page.Rejected);
            next = page.Next;
            if (next is not null && !SameOrigin(next, baseUri))
            {
                rejected.Add(new RateRejection(null, $"page {pages}: 'next' leaves {baseUri.GetLeftPart(UriPartial.Authority)} ({next.GetLeftPart(UriPartial.Authority)}); not followed"));
                break;
            }
        }

        var validation = RateValidator.Validate(candidates, new RateLimits { MinPence = _options.MinPence, MaxPence = _options.MaxPence });
        rejected.AddRange(validation.Rejected);
        var kindName = kind.ToString().ToLowerInvariant();
        foreach (var rejection in rejected)
        {
            logger.RateRejected(kindName, rejection.ToString());
        }

        logger.RatesFetched(kindName, tariff, validation.Valid.Count, pages, range, rejected.Count);
        return new PriceFetchResult(kind, validation.Valid, rejected, pages);
    }

    private async Task<Page> ReadPageAsync(Uri url, int number, RetrySettings retry, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(client, () => new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/json") } } },
                retry, timeProvider, logger, $"Octopus page {number} {url.AbsolutePath}", null, cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            return Page.Failed($"page {number} ({url}): {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return Page.Failed($"page {number} ({url}): HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(body);
                return ParsePage(document.RootElement, number, url);
            }
            catch (JsonException e)
            {
                return Page.Failed($"page {number} ({url}): not JSON: {e.Message}");
            }
        }
    }

    internal static Page ParsePage(JsonElement root, int number, Uri url)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return Page.Failed($"page {number} ({url}): no 'results' array");
        }

        Uri? next = null;
        if (root.TryGetProperty("next", out var nextElement) && nextElement.ValueKind == JsonValueKind.String)
        {
            if (!Uri.TryCreate(url, nextElement.GetString(), out next))
            {
                return Page.Failed($"page {number} ({url}): 'next' is not a URL: {nextElement.GetString()}");
            }
        }
        else if (root.TryGetProperty("next", out nextElement) && nextElement.ValueKind != JsonValueKind.Null)
        {
            return Page.Failed($"page {number} ({url}): 'next' is a {nextElement.ValueKind}, expected a URL or null");
        }

        var rates = new List<Rate>();
        var rejected = new List<RateRejection>();
        var index = 0;
        foreach (var item in results.EnumerateArray())
        {
            var where = $"page {number} results[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                rejected.Add(new RateRejection(null, $"{where}: not an object"));
                continue;
            }

            // Some tariffs publish direct-debit and non-direct-debit prices side by side; we pay by direct debit.
            if (item.TryGetProperty("payment_method", out var method) && method.ValueKind == JsonValueKind.String && method.GetString() != "DIRECT_DEBIT")
            {
                continue;
            }

            var from = ReadTime(item, "valid_from", out var fromError);
            var to = ReadTime(item, "valid_to", out var toError);
            if (from is null || to is null)
            {
                rejected.Add(new RateRejection(from, $"{where}: {fromError ?? toError}"));
                continue;
            }

            if (!item.TryGetProperty("value_inc_vat", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var pence))
            {
                // Never a 0 p default: a missing price is a missing price.
                var got = item.TryGetProperty("value_inc_vat", out value) ? value.ValueKind.ToString().ToLowerInvariant() : "missing";
                rejected.Add(new RateRejection(from, $"{where}: value_inc_vat is {got}, expected a number"));
                continue;
            }

            rates.Add(new Rate(from.Value, to.Value, pence));
        }

        return new Page(rates, rejected, next, null);
    }

    private static DateTimeOffset? ReadTime(JsonElement item, string name, out string? error)
    {
        error = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            error = $"{name} is {(element.ValueKind == JsonValueKind.Undefined ? "missing" : element.ValueKind.ToString().ToLowerInvariant())}";
            return null;
        }

        var text = element.GetString()!;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            error = $"{name} '{text}' is not an ISO-8601 time";
            return null;
        }

        return parsed.Kind switch
        {
            DateTimeKind.Utc => new DateTimeOffset(parsed, TimeSpan.Zero),
            DateTimeKind.Local => new DateTimeOffset(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).UtcDateTime, TimeSpan.Zero),
            // No offset: the API's documented default is Europe/London.
            _ => UkTime.ToUtc(DateOnly.FromDateTime(parsed), TimeOnly.FromDateTime(parsed)),
        };
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal sealed record Page(IReadOnlyList<Rate> Rates, IReadOnlyList<RateRejection> Rejected, Uri? Next, string? Error)
    {
        public static Page Failed(string error) => new([], [], null, error);
    }
}
