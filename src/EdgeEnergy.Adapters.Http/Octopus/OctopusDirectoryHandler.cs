using System.Net;
using System.Net.Http.Headers;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// Answers the Octopus client's requests from a directory instead of the network (offline comparisons), so saved
/// prices go through the same client, product lookup, paging and rate expansion as live ones:
/// <c>/v1/products/{P}/</c> → <c>DIR/{P}/product.json</c> and <c>/v1/products/{P}/electricity-tariffs/{T}/{list}/</c>
/// → <c>DIR/{P}/{T}/{list}.json</c>; the query is ignored (the expansion clips the rows to the range asked for). A
/// missing file answers 404, as the API does for an unknown product.
/// </summary>
public sealed class OctopusDirectoryHandler(string directory) : HttpMessageHandler
{
    /// <summary>The base URL to configure the client with (never contacted).</summary>
    public static Uri BaseUrl { get; } = new("http://octopus.files.invalid/");

    private readonly string _directory = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = request.RequestUri?.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray() ?? [];
        string? file = segments switch
        {
            ["v1", "products", var product] => Path.Combine(_directory, product, "product.json"),
            ["v1", "products", var product, "electricity-tariffs", var tariff, var list] => Path.Combine(_directory, product, tariff, list + ".json"),
            _ => null,
        };
        if (file is null || segments.Any(s => s is "." or ".." || s.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)) || !File.Exists(file))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request, ReasonPhrase = $"no file {file ?? request.RequestUri?.AbsolutePath}" };
        }

        var body = await File.ReadAllBytesAsync(file, cancellationToken);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = content };
    }
}
