using System.Security.Cryptography;
using System.Text;
using EdgeEnergy.Domain;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// When <c>Http:Token</c> is set, every request to the API, <c>/healthz</c> and <c>/metrics</c> must carry
/// <c>Authorization: Bearer TOKEN</c>; otherwise 401 with a <c>WWW-Authenticate</c> header. The dashboard's static
/// files hold no data and stay open so the page can ask for the token.
/// </summary>
internal sealed class BearerTokenMiddleware
{
    private readonly RequestDelegate _next;
    private readonly byte[]? _token;

    public BearerTokenMiddleware(RequestDelegate next, IOptions<HttpOptions> options)
    {
        _next = next;
        var token = options.Value.Token;
        _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);
    }

    public static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        if (_token is null || !IsProtected(context.Request.Path) || Authorised(context.Request.Headers.Authorization.ToString()))
        {
            return _next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"edgeenergy\"";
        return context.Response.WriteAsJsonAsync(new ApiError("A bearer token is required: send 'Authorization: Bearer <Http:Token>'."), WebJson.Options.For<ApiError>());
    }

    private bool Authorised(string header)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header.AsSpan(scheme.Length).Trim().ToString());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }
}
