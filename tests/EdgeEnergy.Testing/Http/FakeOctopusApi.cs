using System.Globalization;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Prices;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// An Octopus-shaped tariff API: product documents (<c>/v1/products/{P}/</c>, listing each registered tariff code
/// under its region, single or dual register), rate lists of rows of any span (<c>standard-unit-rates</c>,
/// <c>day-unit-rates</c>, <c>night-unit-rates</c>, <c>standing-charges</c>) with <c>period_from</c>/<c>period_to</c>
/// filtering, pages of <c>page_size</c> newest first with absolute <c>next</c> links, and injectable faults (hidden
/// slots, duplicated or broken items, a malformed page, 429 with Retry-After). Unknown products answer 404.
/// </summary>
public sealed class FakeOctopusApi
{
    private readonly Dictionary<string, Dictionary<string, List<JsonObject>>> _tariffs = new(StringComparer.Ordinal);
    private int _tooManyLeft;

    /// <summary>Adds the half-hour rates a tariff code (e.g. E-1R-AGILE-FLEX-22-11-25-J) publishes as standard unit rates.</summary>
    public FakeOctopusApi WithTariff(string tariffCode, IEnumerable<Rate> rates) => WithRows(tariffCode, "standard-unit-rates", rates.Select(Item));

    /// <summary>Adds raw rows (any span, open ends, payment methods) to a tariff's rate list (e.g. <c>day-unit-rates</c>, <c>standing-charges</c>).</summary>
    public FakeOctopusApi WithRows(string tariffCode, string list, IEnumerable<JsonObject> rows)
    {
        if (!_tariffs.TryGetValue(tariffCode, out var lists))
        {
            _tariffs[tariffCode] = lists = new(StringComparer.Ordinal);
        }

        lists[list] = [.. rows];
        return this;
    }

    /// <summary>One raw row: a price from <paramref name="from"/> to <paramref name="to"/> (null: until further notice).</summary>
    public static JsonObject Row(DateTimeOffset from, DateTimeOffset? to, double pence, string? paymentMethod = null) => new()
    {
        ["value_exc_vat"] = Math.Round(pence / 1.05, 4),
        ["value_inc_vat"] = pence,
        ["valid_from"] = Iso(from),
        ["valid_to"] = to is { } end ? Iso(end) : null,
        ["payment_method"] = paymentMethod,
    };

    /// <summary>Requests for product documents answered so far.</summary>
    public int ProductRequests => _productRequests;

    private int _productRequests;

    /// <summary>Slots the API leaves out (a publishing gap) until <see cref="HiddenSlots"/> is cleared.</summary>
    public HashSet<DateTimeOffset> HiddenSlots { get; } = [];

    /// <summary>Pages (1-based) whose body is cut short (invalid JSON), for every request.</summary>
    public HashSet<int> MalformedPages { get; } = [];

    /// <summary>Extra raw items appended to page 1 of every answer (duplicates, broken values).</summary>
    public List<JsonObject> ExtraItemsOnFirstPage { get; } = [];

    /// <summary>When set, <see cref="ExtraItemsOnFirstPage"/> go only into answers for this tariff code.</summary>
    public string? ExtraItemsTariff { get; set; }

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
        if (segments.Length == 3 && segments[0] == "v1" && segments[1] == "products" && ProductDocument(segments[2]) is { } product)
        {
            Interlocked.Increment(ref _productRequests);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(product.ToJsonString());
            return;
        }

        // v1/products/{product}/electricity-tariffs/{tariff}/{list}
        List<JsonObject>? rows = null;
        if (segments.Length != 6 || segments[0] != "v1" || segments[1] != "products" || segments[3] != "electricity-tariffs"
            || !_tariffs.TryGetValue(segments[4], out var lists) || !lists.TryGetValue(segments[5], out rows) || ProductOf(segments[4]) != segments[2])
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("{\"detail\":\"Not found.\"}");
            return;
        }

        var query = context.Request.Query;
        var paging = OctopusPaging.Read(query);
        var page = paging.Page;
        var matching = rows.Where(r => End(r) > paging.From && Start(r) < paging.To && !HiddenSlots.Contains(Start(r))).OrderByDescending(Start).ToList();
        var items = new JsonArray();
        foreach (var row in paging.Of(matching))
        {
            items.Add(row.DeepClone());
        }

        if (page == 1 && (ExtraItemsTariff is null || ExtraItemsTariff == segments[4]))
        {
            foreach (var extra in ExtraItemsOnFirstPage)
            {
                items.Add(extra.DeepClone());
            }
        }

        var next = paging.NextLink(context.Request, matching.Count);

        var body = new JsonObject { ["count"] = matching.Count, ["next"] = next, ["previous"] = null, ["results"] = items }.ToJsonString();
        if (MalformedPages.Contains(page))
        {
            body = body[..(body.Length / 2)];
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    /// <summary>One result item as the API writes it (exc. VAT is inc. / 1.05).</summary>
    public static JsonObject Item(Rate rate) => Row(rate.StartUtc, rate.EndUtc, rate.Pence);

    private static DateTimeOffset Start(JsonObject row) => DateTimeOffset.Parse(row["valid_from"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static DateTimeOffset End(JsonObject row) =>
        row["valid_to"] is { } to ? DateTimeOffset.Parse(to.GetValue<string>(), CultureInfo.InvariantCulture) : DateTimeOffset.MaxValue;

    /// <summary>E-1R-AGILE-FLEX-22-11-25-J → AGILE-FLEX-22-11-25.</summary>
    private static string ProductOf(string tariffCode) => tariffCode.Length > 7 ? tariffCode[5..^2] : string.Empty;

    /// <summary>The product document listing every registered tariff of <paramref name="product"/> by region, with the links its lists give.</summary>
    private JsonObject? ProductDocument(string product)
    {
        var single = new JsonObject();
        var dual = new JsonObject();
        foreach (var (code, lists) in _tariffs.Where(t => ProductOf(t.Key) == product))
        {
            var links = new JsonArray();
            foreach (var list in lists.Keys.Order(StringComparer.Ordinal))
            {
                links.Add(new JsonObject { ["href"] = $"https://api.octopus.energy/v1/products/{product}/electricity-tariffs/{code}/{list}/", ["method"] = "GET", ["rel"] = list.Replace('-', '_') });
            }

            var target = code.StartsWith("E-2R-", StringComparison.Ordinal) ? dual : single;
            target["_" + code[^1]] = new JsonObject { ["direct_debit_monthly"] = new JsonObject { ["code"] = code, ["links"] = links } };
        }

        return single.Count + dual.Count == 0 ? null : new JsonObject
        {
            ["code"] = product, ["direction"] = product.Contains("OUTGOING", StringComparison.Ordinal) ? "EXPORT" : "IMPORT",
            ["single_register_electricity_tariffs"] = single, ["dual_register_electricity_tariffs"] = dual,
        };
    }

    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>The requests' <c>period_from</c>..<c>period_to</c> pairs, parsed from a server's request log.</summary>
    public static IReadOnlyList<TimeRange> RequestedRanges(IEnumerable<string> requests) =>
        [.. requests.Select(r => new Uri("http://x" + r.Split(' ')[1]).Query.TrimStart('?').Split('&')
                .Select(kv => kv.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => Uri.UnescapeDataString(kv[1])))
            .Where(q => q.ContainsKey("period_from") && !q.ContainsKey("page"))
            .Select(q => new TimeRange(DateTimeOffset.Parse(q["period_from"], CultureInfo.InvariantCulture), DateTimeOffset.Parse(q["period_to"], CultureInfo.InvariantCulture)))];
}
