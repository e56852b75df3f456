using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>What the Octopus clients share: the key as the HTTP Basic user, and reading an ISO time field.</summary>
internal static class OctopusHttp
{
    /// <summary>A GET of <paramref name="url"/> for JSON with Octopus's documented scheme: the key as the Basic user, an empty password.</summary>
    public static HttpRequestMessage BasicGet(Uri url, string apiKey) => new(HttpMethod.Get, url)
    {
        Headers =
        {
            Accept = { new MediaTypeWithQualityHeaderValue("application/json") },
            Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(apiKey.Trim() + ":"))),
        },
    };

    /// <summary>The UTC instant in string field <paramref name="name"/> (a time without offset is read as UTC), or null when absent or unparseable.</summary>
    public static DateTimeOffset? Instant(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : null;
}
