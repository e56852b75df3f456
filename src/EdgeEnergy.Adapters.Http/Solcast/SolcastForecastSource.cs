using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml;
using EdgeEnergy.Domain.Forecasts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Solcast;

/// <summary>
/// Solcast rooftop-site forecasts (p10/p50/p90) and estimated actuals. Every HTTP request, retries included, is first
/// reserved in the <see cref="IApiCallLedger"/>, so the daily budget holds across restarts and crashes. A 429 is not
/// retried here: its Retry-After goes back to the caller in <see cref="ForecastSourceException.RetryAfterUtc"/>.
/// kW averages over the period ending at <c>period_end</c> become kWh per slot [end − period, end).
/// </summary>
public sealed class SolcastForecastSource(
    HttpClient client,
    IOptions<SolcastOptions> options,
    IApiCallLedger ledger,
    TimeProvider timeProvider,
    ILogger<SolcastForecastSource> logger) : IPvForecastSource
{
    /// <summary>The ledger's name for Solcast calls.</summary>
    public const string LedgerApi = "solcast";

    private readonly SolcastOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public async Task<IReadOnlyList<PvForecastPoint>> FetchForecastAsync(string siteId, CancellationToken cancellationToken)
    {
        using var document = await GetAsync(siteId, string.Create(CultureInfo.InvariantCulture, $"forecasts?format=json&period=PT30M&hours={_options.ForecastHours}"), cancellationToken);
        var points = new List<PvForecastPoint>();
        foreach (var (item, start, end, where) in Items(document.RootElement, "forecasts", siteId))
        {
            var p50 = Energy(item, "pv_estimate", start, end);
            var p10 = Energy(item, "pv_estimate10", start, end);
            var p90 = Energy(item, "pv_estimate90", start, end);
            if (p50 is null || p10 is null || p90 is null)
            {
                logger.ForecastPointRejected(siteId, $"{where}: pv_estimate, pv_estimate10 and pv_estimate90 must be finite numbers ≥ 0");
                continue;
            }

            if (p10 > p50 + 1e-9 || p50 > p90 + 1e-9)
            {
                logger.ForecastPointRejected(siteId, $"{where}: percentiles out of order (p10 {p10}, p50 {p50}, p90 {p90})");
                continue;
            }

            points.Add(new PvForecastPoint(start, end, p10.Value, p50.Value, p90.Value));
        }

        logger.ForecastFetched(siteId, "forecasts", points.Count);
        return Deduplicate(points, p => p.StartUtc);
    }

    public async Task<IReadOnlyList<PvActualPoint>> FetchEstimatedActualsAsync(string siteId, CancellationToken cancellationToken)
    {
        using var document = await GetAsync(siteId, "estimated_actuals?format=json", cancellationToken);
        var points = new List<PvActualPoint>();
        foreach (var (item, start, end, where) in Items(document.RootElement, "estimated_actuals", siteId))
        {
            if (Energy(item, "pv_estimate", start, end) is not { } kwh)
            {
                logger.ForecastPointRejected(siteId, $"{where}: pv_estimate must be a finite number ≥ 0");
                continue;
            }

            points.Add(new PvActualPoint(start, end, kwh));
        }

        logger.ForecastFetched(siteId, "estimated_actuals", points.Count);
        return Deduplicate(points, p => p.StartUtc);
    }

    private async Task<JsonDocument> GetAsync(string siteId, string pathAndQuery, CancellationToken cancellationToken)
    {
        var url = new Uri(HttpOptionsChecks.Normalise(_options.BaseUrl), $"rooftop_sites/{Uri.EscapeDataString(siteId)}/{pathAndQuery}");
        var what = $"Solcast {url.AbsolutePath}";
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(
                client,
                () => new HttpRequestMessage(HttpMethod.Get, url)
                {
                    Headers = { Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey), Accept = { new MediaTypeWithQualityHeaderValue("application/json") } },
                },
                // 429 is the provider saying "budget spent": not retried within this call.
                new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay) { RetryTooManyRequests = false },
                timeProvider,
                logger,
                what,
                ct => ledger.TryReserveAsync(LedgerApi, timeProvider.GetUtcNow(), _options.DailyCallBudget, ct),
                cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            throw new ForecastSourceException(e.Message, e.RetryAfterUtc);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new ForecastSourceException($"{what}: HTTP {(int)response.StatusCode}: the API key (Solcast:ApiKey) was refused");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ForecastSourceException($"{what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                throw new ForecastSourceException($"{what}: not JSON: {e.Message}", e);
            }
        }
    }

    private IEnumerable<(JsonElement Item, DateTimeOffset Start, DateTimeOffset End, string Where)> Items(JsonElement root, string arrayName, string siteId)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(arrayName, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new ForecastSourceException($"Solcast site {siteId}: the response has no '{arrayName}' array");
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var where = $"{arrayName}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("period_end", out var endElement) || endElement.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(endElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
            {
                logger.ForecastPointRejected(siteId, $"{where}: period_end missing or not an ISO-8601 time");
                continue;
            }

            var period = TimeSpan.FromMinutes(30);
            if (item.TryGetProperty("period", out var periodElement) && periodElement.ValueKind == JsonValueKind.String)
            {
                try
                {
                    period = XmlConvert.ToTimeSpan(periodElement.GetString()!);
                }
                catch (FormatException)
                {
                    logger.ForecastPointRejected(siteId, $"{where}: period '{periodElement.GetString()}' is not an ISO-8601 duration");
                    continue;
                }
            }

            if (period <= TimeSpan.Zero || period > TimeSpan.FromHours(1))
            {
                logger.ForecastPointRejected(siteId, $"{where}: period {period} is not a slot length");
                continue;
            }

            var endUtc = end.ToUniversalTime();
            yield return (item, endUtc - period, endUtc, where);
        }
    }

    private static double? Energy(JsonElement item, string name, DateTimeOffset start, DateTimeOffset end) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var kw) && double.IsFinite(kw) && kw >= 0
            ? kw * (end - start).TotalHours
            : null;

    private static List<T> Deduplicate<T>(List<T> points, Func<T, DateTimeOffset> start) =>
        [.. points.GroupBy(start).Select(g => g.Last()).OrderBy(start)];
}
