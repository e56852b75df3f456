using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Prices;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// Octopus's consumption endpoint, shaped as the API answers (developer.octopus.energy; docs API_NOTES):
/// <c>/v1/electricity-meter-points/{mpan}/meters/{serial}/consumption/</c> with HTTP Basic (the API key as user, empty
/// password; anything else 401 <c>{"detail": "Authentication credentials were not provided."}</c>), an unknown MPAN or
/// serial 404 <c>{"detail": "Not found."}</c>; <c>period_from</c> (inclusive) / <c>period_to</c> filtering, pages of
/// <c>page_size</c> (default 100) with absolute <c>next</c> links, <c>order_by=period</c> oldest first (else newest
/// first, the API's default); each item <c>{"consumption", "interval_start", "interval_end"}</c> with UK local offsets.
/// </summary>
public sealed class FakeOctopusConsumptionApi(string apiKey)
{
    private readonly Dictionary<(string Mpan, string Serial), Dictionary<DateTimeOffset, double>> _meters = [];

    /// <summary>Adds a meter's half-hour readings (kWh by slot start, UTC).</summary>
    public FakeOctopusConsumptionApi WithMeter(string mpan, string serial, IReadOnlyDictionary<DateTimeOffset, double> kwhBySlot)
    {
        _meters[(mpan, serial)] = new(kwhBySlot);
        return this;
    }

    /// <summary>Half hours not yet published (Octopus lags a day or two), for every meter.</summary>
    public HashSet<DateTimeOffset> Unpublished { get; } = [];

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = "application/json";
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(apiKey + ":"));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("{\"detail\":\"Authentication credentials were not provided.\"}");
            return;
        }

        // v1/electricity-meter-points/{mpan}/meters/{serial}/consumption
        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        if (segments is not ["v1", "electricity-meter-points", var mpan, "meters", var serial, "consumption"] || !_meters.TryGetValue((mpan, serial), out var readings))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("{\"detail\":\"Not found.\"}");
            return;
        }

        var query = context.Request.Query;
        var paging = OctopusPaging.Read(query);
        var matching = readings.Where(r => r.Key >= paging.From && r.Key < paging.To && !Unpublished.Contains(r.Key));
        var ordered = (query["order_by"] == "period" ? matching.OrderBy(r => r.Key) : matching.OrderByDescending(r => r.Key)).ToList();
        var items = new JsonArray();
        foreach (var (start, kwh) in paging.Of(ordered))
        {
            items.Add(new JsonObject { ["consumption"] = kwh, ["interval_start"] = Local(start), ["interval_end"] = Local(start.AddMinutes(30)) });
        }

        var next = paging.NextLink(context.Request, ordered.Count);
        await context.Response.WriteAsync(new JsonObject { ["count"] = ordered.Count, ["next"] = next, ["previous"] = null, ["results"] = items }.ToJsonString());
    }

    /// <summary>As Octopus writes times: UK local with its offset, <c>Z</c> in winter (<c>2023-10-01T00:30:00+01:00</c>).</summary>
    public static string Local(DateTimeOffset instant)
    {
        var local = UkTime.ToLocal(instant);
        return local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}
