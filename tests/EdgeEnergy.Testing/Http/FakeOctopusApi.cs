using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Prices;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// An Octopus-shaped unit-rate API over recorded real rates: <c>period_from</c>/<c>period_to</c> filtering, pages of
/// <c>page_size</c> newest first with absolute <c>next</c> links, and injectable faults (hidden slots, duplicated or
/// broken items, a malformed page, 429 with Retry-After).
/// </summary>
public sealed class FakeOctopusApi
{
    private readonly Dictionary<string, List<Rate>> _tariffs = new(StringComparer.Ordinal);
    private int _tooManyLeft;

    /// <summary>Adds the rates a tariff code (e.g. E-1R-AGILE-FLEX-22-11-25-J) publishes.</summary>
    public FakeOctopusApi WithTariff(string tariffCode, IEnumerable<Rate> rates)
    {
        _tariffs[tariffCode] = [.. rates];
        return this;
    }

    /// <summary>Slots the API leaves out (a publishing gap) until <see cref="HiddenSlots"/> is cleared.</summary>
    public HashSet<DateTimeOffset> HiddenSlots { get; } = [];

    /// <summary>Pages (1-based) whose body is cut short (invalid JSON), for every request.</summary>
    public HashSet<int> MalformedPages { get; } = [];

    /// <summary>Extra raw items appended to page 1 of every answer (duplicates, broken values).</summary>
    public List<JsonObject> ExtraItemsOnFirstPage { get; } = [];

    /// <summary>Answer the next <paramref name="count"/> requests with 429 and Retry-After: <paramref name="retryAfterSeconds"/>.</summary>
    public void TooManyRequests(int count, int retryAfterSeconds)
    {
        _tooManyLeft = count;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public int RetryAfterSeconds { get; private set; }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Interlocked.Decrement(ref _tooManyLeft) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return;
        }

        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        // v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates
        if (segments.Length != 6 || segments[0] != "v1" || segments[1] != "products" || segments[3] != "electricity-tariffs" || segments[5] != "standard-unit-rates"
            || !_tariffs.TryGetValue(segments[4], out var rates) || !segments[4].Contains(segments[2], StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("{\"detail\":\"Not found.\"}");
            return;
        }

        var query = context.Request.Query;
        var from = query.TryGetValue("period_from", out var f) ? DateTimeOffset.Parse(f!, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        var to = query.TryGetValue("period_to", out var t) ? DateTimeOffset.Parse(t!, CultureInfo.InvariantCulture) : DateTimeOffset.MaxValue;
        var pageSize = query.TryGetValue("page_size", out var s) ? int.Parse(s!, CultureInfo.InvariantCulture) : 100;
        var page = query.TryGetValue("page", out var p) ? int.Parse(p!, CultureInfo.InvariantCulture) : 1;
        var matching = rates.Where(r => r.EndUtc > from && r.StartUtc < to && !HiddenSlots.Contains(r.StartUtc)).OrderByDescending(r => r.StartUtc).ToList();
        var items = new JsonArray();
        foreach (var rate in matching.Skip((page - 1) * pageSize).Take(pageSize))
        {
            items.Add(Item(rate));
        }

        if (page == 1)
        {
            foreach (var extra in ExtraItemsOnFirstPage)
            {
                items.Add(extra.DeepClone());
            }
        }

        string? next = null;
        if (page * pageSize < matching.Count)
        {
            var request = context.Request;
            var nextQuery = QueryString.Create(query.Where(kv => kv.Key != "page").Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString()))
                .Append(new("page", (page + 1).ToString(CultureInfo.InvariantCulture))));
            next = $"{request.Scheme}://{request.Host}{request.Path}{nextQuery}";
        }

        var body = new JsonObject { ["count"] = matching.Count, ["next"] = next, ["previous"] = null, ["results"] = items }.ToJsonString();
        if (MalformedPages.Contains(page))
        {
            body = body[..(body.Length / 2)];
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    /// <summary>One result item as the API writes it (exc. VAT is inc. / 1.05).</summary>
    public static JsonObject Item(Rate rate) => new()
    {
        ["value_exc_vat"] = Math.Round(rate.Pence / 1.05, 4),
        ["value_inc_vat"] = rate.Pence,
        ["valid_from"] = Iso(rate.StartUtc),
        ["valid_to"] = Iso(rate.EndUtc),
        ["payment_method"] = null,
    };

    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The requests' <c>period_from</c>..<c>period_to</c> pairs, parsed from a server's request log.</summary>
    public static IReadOnlyList<TimeRange> RequestedRanges(IEnumerable<string> requests) =>
        [.. requests.Select(r => new Uri("http://x" + r.Split(' ')[1]).Query.TrimStart('?').Split('&')
                .Select(kv => kv.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => Uri.UnescapeDataString(kv[1])))
            .Where(q => q.ContainsKey("period_from") && !q.ContainsKey("page"))
            .Select(q => new TimeRange(DateTimeOffset.Parse(q["period_from"], CultureInfo.InvariantCulture), DateTimeOffset.Parse(q["period_to"], CultureInfo.InvariantCulture)))];

    public static JsonObject ParseObject(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions())!.AsObject();
}
