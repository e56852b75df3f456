using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeEnergy.Domain;

namespace EdgeEnergy.Host.Web;

/// <summary>JSON of the web API: camelCase, UTC ISO-8601 times, enums as their contract strings.</summary>
internal static class WebJson
{
    public static JsonSerializerOptions Options { get; } = HostJsonContext.WebOptions(o =>
    {
        o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    });

    /// <summary>A JSON response of <paramref name="value"/> with <paramref name="statusCode"/>.</summary>
    public static IResult Result<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, Options.For<T>(), statusCode: statusCode);

    /// <summary>An error response: <c>{"error": message}</c> with <paramref name="statusCode"/>.</summary>
    public static IResult Error(string message, int statusCode) => Result(new ApiError(message), statusCode);
}

/// <summary>The body of every error response.</summary>
internal sealed record ApiError(string Error);
