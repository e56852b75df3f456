using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// A Solcast-shaped rooftop API serving the recorded payloads in Fixtures/ (<c>solcast_forecasts_{site}.json</c>,
/// <c>solcast_estimated_actuals_{site}.json</c>), checking the Bearer key, with injectable 429s and 500s.
/// </summary>
public sealed class FakeSolcastApi(string apiKey)
{
    private int _tooMany;
    private int _errors;

    public int RetryAfterSeconds { get; set; } = 3600;

    /// <summary>Answer the next <paramref name="count"/> requests with 429 (the provider's quota answer).</summary>
    public void TooManyRequests(int count) => _tooMany = count;

    /// <summary>Answer the next <paramref name="count"/> requests with 500.</summary>
    public void ServerErrors(int count) => _errors = count;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {apiKey}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (Interlocked.Decrement(ref _tooMany) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return;
        }

        if (Interlocked.Decrement(ref _errors) >= 0)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        var file = segments.Length == 3 && segments[0] == "rooftop_sites" ? FixtureData.PathOf($"solcast_{segments[2]}_{segments[1]}.json") : null;
        if (file is null || !File.Exists(file))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.SendFileAsync(file);
    }
}
