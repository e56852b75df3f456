using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// The dashboard's files (Web/wwwroot, embedded in the assembly): plain HTML, CSS and JavaScript with no build step
/// and nothing fetched from outside, served with an ETag and a strict Content-Security-Policy.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "EdgeEnergy.Host.Web.wwwroot.";

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = name[ResourcePrefix.Length..];
            var content = Read(assembly, name);
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(content), 0, 8) + "\"";
            assets["/" + file] = new Asset(content, ContentType(file), etag);
        }

        if (!assets.ContainsKey("/index.html"))
        {
            throw new InvalidOperationException("The dashboard is missing from the build: no embedded Web/wwwroot/index.html.");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Paths => _assets.Keys;

    public Task ServeAsync(HttpContext context, string path)
    {
        var response = context.Response;
        if (!_assets.TryGetValue(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
