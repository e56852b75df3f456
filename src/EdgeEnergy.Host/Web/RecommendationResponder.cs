using System.Text.Json;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// Serves <c>/api/v1/recommendation/now</c> from memory: the JSON of the current recommendation is made once per
/// published recommendation and kept with it, so a request is one volatile read, a clock read and a buffer copy.
/// </summary>
internal sealed class RecommendationResponder(IApplianceStatus status, TimeProvider timeProvider)
{
    private sealed record Rendered(Recommendation Source, byte[] Json);

    private Rendered? _rendered;

    public Task WriteAsync(HttpContext context)
    {
        var recommendation = status.Current.Recommendation;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (recommendation is null)
        {
            return Unavailable(response, "No recommendation yet: the control loop has not decided anything since the service started.");
        }

        var now = timeProvider.GetUtcNow();
        if (recommendation.ValidUntilUtc <= now)
        {
            return Unavailable(response, $"The last recommendation expired at {recommendation.ValidUntilUtc:yyyy-MM-ddTHH:mm:ssZ} and none has replaced it; do not act on it.");
        }

        var rendered = Volatile.Read(ref _rendered);
        if (rendered is null || !ReferenceEquals(rendered.Source, recommendation))
        {
            rendered = new Rendered(recommendation, JsonSerializer.SerializeToUtf8Bytes(RecommendationView.From(recommendation), WebJson.Options.For<RecommendationView>()));
            Volatile.Write(ref _rendered, rendered);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = rendered.Json.Length;
        return response.Body.WriteAsync(rendered.Json, context.RequestAborted).AsTask();
    }

    private static Task Unavailable(HttpResponse response, string message)
    {
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = "30";
        return response.WriteAsJsonAsync(new ApiError(message), WebJson.Options.For<ApiError>());
    }
}
