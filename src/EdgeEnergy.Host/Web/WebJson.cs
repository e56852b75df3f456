using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeEnergy.Host.Web;

/// <summary>JSON of the web API: camelCase, UTC ISO-8601 times, enums as their contract strings.</summary>
internal static class WebJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>The body of every error response.</summary>
internal sealed record ApiError(string Error);
