using System.Globalization;
using System.Text.Json;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>Which rate lists a product's tariff for one region publishes (the <c>rel</c>s of its links).</summary>
public sealed record OctopusTariff(string Product, string Code, bool TwoRegister, bool HasStandingCharges)
{
    /// <summary>The unit-rate lists to read: <c>standard-unit-rates</c>, or <c>day-unit-rates</c> and <c>night-unit-rates</c>.</summary>
    public IReadOnlyList<string> UnitRateLists => TwoRegister ? ["day-unit-rates", "night-unit-rates"] : ["standard-unit-rates"];
}

/// <summary>One page of a rate list as read: its rows, the items refused with reasons, the next page, or why it could not be read.</summary>
public sealed record OctopusRowsPage(IReadOnlyList<TariffRow> Rows, IReadOnlyList<RateRejection> Rejected, Uri? Next, string? Error)
{
    public static OctopusRowsPage Failed(string error) => new([], [], null, error);
}

/// <summary>
/// The Octopus REST wire shapes, apart from the client that fetches them: the product document
/// (<c>/v1/products/{P}/</c>) and a page of unit rates or standing charges
/// (<c>{"next", "results": [{"value_inc_vat", "valid_from", "valid_to", "payment_method"}]}</c>).
/// </summary>
public static class OctopusWire
{
    private static readonly string[] s_registerSections = ["single_register_electricity_tariffs", "dual_register_electricity_tariffs"];

    /// <summary>
    /// The region's electricity tariff in a product document, direct debit preferred (then any payment key), single
    /// register before dual; an error in words when the product has no tariff there.
    /// </summary>
    public static OctopusTariff? ParseProduct(JsonElement root, string product, string region, out string? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"product {product}: the document is not a JSON object";
            return null;
        }

        var regionKey = "_" + region;
        foreach (var section in s_registerSections)
        {
            if (!root.TryGetProperty(section, out var regions) || regions.ValueKind != JsonValueKind.Object
                || !regions.TryGetProperty(regionKey, out var methods) || methods.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var chosen = methods.TryGetProperty("direct_debit_monthly", out var directDebit) ? directDebit : methods.EnumerateObject().Select(p => p.Value).FirstOrDefault();
            if (chosen.ValueKind != JsonValueKind.Object || !chosen.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var rels = chosen.TryGetProperty("links", out var links) && links.ValueKind == JsonValueKind.Array
                ? links.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.Object && l.TryGetProperty("rel", out var r) && r.ValueKind == JsonValueKind.String)
                    .Select(l => l.GetProperty("rel").GetString()!).ToHashSet(StringComparer.Ordinal)
                : [];
            var twoRegister = rels.Contains("day_unit_rates") && rels.Contains("night_unit_rates") && !rels.Contains("standard_unit_rates");
            return new OctopusTariff(product, code.GetString()!, twoRegister || section.StartsWith("dual", StringComparison.Ordinal), rels.Contains("standing_charges"));
        }

        error = $"product {product} has no electricity tariff for region {region}";
        return null;
    }

    /// <summary>
    /// One page of rows. Items of another payment method than direct debit are skipped (some tariffs publish both);
    /// a row without a price is refused, never read as 0 p; a missing or null <c>valid_to</c> is an open end.
    /// </summary>
    public static OctopusRowsPage ParsePage(JsonElement root, int number, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return OctopusRowsPage.Failed($"page {number} ({url}): no 'results' array");
        }

        Uri? next = null;
        if (root.TryGetProperty("next", out var nextElement) && nextElement.ValueKind == JsonValueKind.String)
        {
            if (!Uri.TryCreate(url, nextElement.GetString(), out next))
            {
                return OctopusRowsPage.Failed($"page {number} ({url}): 'next' is not a URL: {nextElement.GetString()}");
            }
        }
        else if (root.TryGetProperty("next", out nextElement) && nextElement.ValueKind != JsonValueKind.Null)
        {
            return OctopusRowsPage.Failed($"page {number} ({url}): 'next' is a {nextElement.ValueKind}, expected a URL or null");
        }

        var rows = new List<TariffRow>();
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
            if (from is null)
            {
                rejected.Add(new RateRejection(null, $"{where}: {fromError}"));
                continue;
            }

            DateTimeOffset? to = null;
            if (item.TryGetProperty("valid_to", out var toElement) && toElement.ValueKind != JsonValueKind.Null)
            {
                to = ReadTime(item, "valid_to", out var toError);
                if (to is null)
                {
                    rejected.Add(new RateRejection(from, $"{where}: {toError}"));
                    continue;
                }
            }

            if (!item.TryGetProperty("value_inc_vat", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var pence))
            {
                // Never a 0 p default: a missing price is a missing price.
                var got = item.TryGetProperty("value_inc_vat", out value) ? value.ValueKind.ToString().ToLowerInvariant() : "missing";
                rejected.Add(new RateRejection(from, $"{where}: value_inc_vat is {got}, expected a number"));
                continue;
            }

            rows.Add(new TariffRow(from.Value, to, pence));
        }

        return new OctopusRowsPage(rows, rejected, next, null);
    }

    internal static DateTimeOffset? ReadTime(JsonElement item, string name, out string? error)
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
}
