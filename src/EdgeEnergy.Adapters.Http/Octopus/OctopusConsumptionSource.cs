using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// The billed half-hourly consumption of the configured import and export meters from Octopus's consumption endpoint
/// (<c>/v1/electricity-meter-points/{mpan}/meters/{serial}/consumption/</c>), HTTP Basic with <c>Octopus:ApiKey</c> as
/// the user and an empty password, <c>period_from</c>/<c>period_to</c>, <c>page_size</c>, <c>order_by=period</c>,
/// following <c>next</c> pages on the same origin only (the key goes with every request). 401, 403 and 404 are a refused
/// key or meter (<see cref="MeterRefusedException"/>, naming the keys); anything else that stops the reading is
/// <see cref="ConsumptionSourceException"/>: a half-read meter would look like half hours Octopus has not published.
/// </summary>
/// <remarks>With <paramref name="account"/>, a meter not configured is the account's (<see cref="OctopusAccountState.Meter"/>).</remarks>
public sealed class OctopusConsumptionSource(HttpClient client, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusConsumptionSource> logger, OctopusAccountState? account = null)
    : IBilledConsumptionSource
{
    private readonly OctopusOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public bool Supports(MeterDirection direction) => Meter(direction) is not null && !string.IsNullOrWhiteSpace(_options.ApiKey);

    private OctopusMeter? Meter(MeterDirection direction) => account is null ? _options.Meter(direction) : account.Meter(direction, _options);

    public async Task<ConsumptionFetchResult> FetchAsync(MeterDirection direction, TimeRange range, CancellationToken cancellationToken)
    {
        var meter = Meter(direction) ?? throw new ConsumptionSourceException($"Octopus:{direction}Mpan and Octopus:{direction}Serial are not configured");
        if (string.IsNullOrWhiteSpace(_options.ApiKey))
        {
            throw new ConsumptionSourceException("Octopus:ApiKey is not configured");
        }

        var baseUri = HttpOptionsChecks.Normalise(_options.BaseUrl);
        var first = new Uri(baseUri, string.Create(CultureInfo.InvariantCulture,
            $"v1/electricity-meter-points/{Uri.EscapeDataString(meter.Mpan)}/meters/{Uri.EscapeDataString(meter.Serial)}/consumption/?period_from={Iso(range.FromUtc)}&period_to={Iso(range.ToUtc)}&page_size={_options.PageSize}&order_by=period"));
        var retry = new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        var slots = new List<ConsumptionSlot>();
        var rejected = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        for (Uri? next = first; next is not null;)
        {
            if (pages >= _options.MaxPages)
            {
                throw new ConsumptionSourceException($"Octopus {meter}: stopped after Octopus:MaxPages ({_options.MaxPages}) pages; {next.AbsolutePath} not read");
            }

            if (!visited.Add(next.AbsoluteUri))
            {
                throw new ConsumptionSourceException($"Octopus {meter}: page {pages + 1}'s 'next' points back to a page already read");
            }

            // The key goes with every request: never to another host than the one configured.
            if (!SameOrigin(next, baseUri))
            {
                throw new ConsumptionSourceException($"Octopus {meter}: page {pages}'s 'next' leaves {baseUri.GetLeftPart(UriPartial.Authority)} ({next.GetLeftPart(UriPartial.Authority)}); not followed");
            }

            pages++;
            var page = await ReadPageAsync(meter, next, pages, retry, cancellationToken);
            if (page.Error is not null)
            {
                throw new ConsumptionSourceException($"Octopus {meter}: {page.Error}");
            }

            slots.AddRange(page.Slots);
            rejected.AddRange(page.Rejected);
            next = page.Next;
        }

        var inRange = slots.Where(s => s.StartUtc >= range.FromUtc && s.EndUtc <= range.ToUtc).GroupBy(s => s.StartUtc).ToList();
        foreach (var duplicate in inRange.Where(g => g.Count() > 1))
        {
            rejected.Add($"{Iso(duplicate.Key)}: {duplicate.Count()} readings for one half hour; the last kept");
        }

        var result = new ConsumptionFetchResult([.. inRange.Select(g => g.Last()).OrderBy(s => s.StartUtc)], rejected, pages);
        var name = direction.ToString().ToLowerInvariant();
        foreach (var rejection in rejected)
        {
            logger.ConsumptionRejected(name, rejection);
        }

        logger.ConsumptionFetched(name, result.Slots.Count, pages, range, rejected.Count);
        return result;
    }

    private async Task<OctopusConsumptionPage> ReadPageAsync(OctopusMeter meter, Uri url, int number, RetrySettings retry, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(client, () => Request(url), retry, timeProvider, logger, $"Octopus {meter.Direction.ToString().ToLowerInvariant()} consumption page {number}", null, cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            return OctopusConsumptionPage.Failed(e.Message);
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                    throw new MeterRefusedException($"Octopus:ApiKey: Octopus refused the key (HTTP 401 from {url.AbsolutePath}); use the API key of the account the meters are on (Octopus dashboard, personal details, API access)");
                case HttpStatusCode.Forbidden:
                    throw new MeterRefusedException($"Octopus:ApiKey and {meter}: Octopus refused this key for this meter (HTTP 403 from {url.AbsolutePath}); the key must be the account's that the meter is on");
                case HttpStatusCode.NotFound:
                    throw new MeterRefusedException($"{meter}: Octopus knows no such {meter.Direction.ToString().ToLowerInvariant()} meter for this key (HTTP 404 from {url.AbsolutePath}); check both against the bill");
            }

            if (!response.IsSuccessStatusCode)
            {
                return OctopusConsumptionPage.Failed($"page {number}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(body);
                return OctopusConsumptionWire.ParsePage(document.RootElement, number, url);
            }
            catch (JsonException e)
            {
                return OctopusConsumptionPage.Failed($"page {number}: not JSON: {e.Message}");
            }
        }
    }

    private HttpRequestMessage Request(Uri url) => OctopusHttp.BasicGet(url, _options.ApiKey!);

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
