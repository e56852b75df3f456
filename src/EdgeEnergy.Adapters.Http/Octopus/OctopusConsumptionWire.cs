using System.Text.Json;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>One page of a meter's consumption as read: its half hours, the items refused with reasons, the next page, or why it could not be read.</summary>
public sealed record OctopusConsumptionPage(IReadOnlyList<ConsumptionSlot> Slots, IReadOnlyList<string> Rejected, Uri? Next, string? Error)
{
    public static OctopusConsumptionPage Failed(string error) => new([], [], null, error);
}

/// <summary>
/// The wire shape of <c>/v1/electricity-meter-points/{mpan}/meters/{serial}/consumption/</c>
/// (<c>{"count", "next", "previous", "results": [{"consumption": kWh, "interval_start", "interval_end"}]}</c>, times with
/// an offset, local or Z), mapped to <see cref="ConsumptionSlot"/>s in UTC.
/// </summary>
public static class OctopusConsumptionWire
{
    private static readonly TimeSpan s_halfHour = TimeSpan.FromMinutes(30);

    /// <summary>
    /// One page. An item without a number of kWh, with a negative one, or not exactly a half hour on the half-hour grid is
    /// refused with its reason (never read as 0 kWh): the half hour then counts as not published.
    /// </summary>
    public static OctopusConsumptionPage ParsePage(JsonElement root, int number, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return OctopusConsumptionPage.Failed($"page {number} ({url.AbsolutePath}): no 'results' array");
        }

        Uri? next = null;
        if (root.TryGetProperty("next", out var nextElement) && nextElement.ValueKind == JsonValueKind.String)
        {
            if (!Uri.TryCreate(url, nextElement.GetString(), out next))
            {
                return OctopusConsumptionPage.Failed($"page {number} ({url.AbsolutePath}): 'next' is not a URL: {nextElement.GetString()}");
            }
        }
        else if (root.TryGetProperty("next", out nextElement) && nextElement.ValueKind != JsonValueKind.Null)
        {
            return OctopusConsumptionPage.Failed($"page {number} ({url.AbsolutePath}): 'next' is a {nextElement.ValueKind}, expected a URL or null");
        }

        var slots = new List<ConsumptionSlot>();
        var rejected = new List<string>();
        var index = 0;
        foreach (var item in results.EnumerateArray())
        {
            var where = $"page {number} results[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                rejected.Add($"{where}: not an object");
                continue;
            }

            var start = OctopusWire.ReadTime(item, "interval_start", out var startError);
            var end = OctopusWire.ReadTime(item, "interval_end", out var endError);
            if (start is null || end is null)
            {
                rejected.Add($"{where}: {startError ?? endError}");
                continue;
            }

            if (end.Value - start.Value != s_halfHour || start.Value.Ticks % s_halfHour.Ticks != 0)
            {
                rejected.Add($"{where}: {start.Value:yyyy-MM-ddTHH:mm:ssZ}..{end.Value:yyyy-MM-ddTHH:mm:ssZ} is not one half hour of the grid");
                continue;
            }

            if (!item.TryGetProperty("consumption", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var kwh) || !double.IsFinite(kwh) || kwh < 0)
            {
                var got = !item.TryGetProperty("consumption", out value) ? "missing" : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.ValueKind.ToString().ToLowerInvariant();
                rejected.Add($"{where} ({start.Value:yyyy-MM-ddTHH:mm:ssZ}): consumption is {got}, expected kWh ≥ 0");
                continue;
            }

            slots.Add(new ConsumptionSlot(start.Value, end.Value, kwh));
        }

        return new OctopusConsumptionPage(slots, rejected, next, null);
    }
}
