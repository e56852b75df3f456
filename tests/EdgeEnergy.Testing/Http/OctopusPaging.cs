using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// The list query every Octopus list endpoint takes, as the fakes read it: <c>period_from</c>/<c>period_to</c> (absent:
/// open), <c>page_size</c> (Octopus's default 100) and <c>page</c> (from 1), and the absolute <c>next</c> link of the
/// page after.
/// </summary>
internal sealed record OctopusPaging(DateTimeOffset From, DateTimeOffset To, int PageSize, int Page)
{
    public static OctopusPaging Read(IQueryCollection query) => new(
        query.TryGetValue("period_from", out var f) ? DateTimeOffset.Parse(f!, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue,
        query.TryGetValue("period_to", out var t) ? DateTimeOffset.Parse(t!, CultureInfo.InvariantCulture) : DateTimeOffset.MaxValue,
        query.TryGetValue("page_size", out var s) ? int.Parse(s!, CultureInfo.InvariantCulture) : 100,
        query.TryGetValue("page", out var p) ? int.Parse(p!, CultureInfo.InvariantCulture) : 1);

    /// <summary>The items of this page out of <paramref name="all"/>.</summary>
    public IEnumerable<T> Of<T>(IEnumerable<T> all) => all.Skip((Page - 1) * PageSize).Take(PageSize);

    /// <summary>The absolute link to the next page among <paramref name="count"/> items, or null on the last page.</summary>
    public string? NextLink(HttpRequest request, int count)
    {
        if (Page * PageSize >= count)
        {
            return null;
        }

        var query = QueryString.Create(request.Query.Where(kv => kv.Key != "page").Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString()))
            .Append(new("page", (Page + 1).ToString(CultureInfo.InvariantCulture))));
        return $"{request.Scheme}://{request.Host}{request.Path}{query}";
    }
}
