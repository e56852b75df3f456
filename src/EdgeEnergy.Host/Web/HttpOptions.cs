using System.Net;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Web;

/// <summary>The HTTP endpoint (docs/contracts.md section 4): <c>Http:Urls</c> and <c>Http:Token</c>.</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const int MinimumTokenLength = 16;

    /// <summary>Semicolon-separated URLs Kestrel listens on.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Bearer token for the API and /metrics; required when <see cref="Urls"/> binds a non-loopback address.</summary>
    public string? Token { get; set; }

    /// <summary>The URLs, split and trimmed.</summary>
    public IReadOnlyList<string> UrlList =>
        Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when a token is configured: every API request must then carry it.</summary>
    public bool TokenRequired => !string.IsNullOrEmpty(Token);

    /// <summary>
    /// True when <paramref name="url"/> listens only on loopback. Wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>,
    /// <c>[::]</c>) and host names other than <c>localhost</c> count as reachable from outside.
    /// </summary>
    public static bool IsLoopback(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.Host;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Parses one URL, accepting Kestrel's <c>*</c> and <c>+</c> host wildcards.</summary>
    public static bool TryParseUrl(string url, out Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(url);
        var normalised = url.Replace("://*", "://wildcard.invalid", StringComparison.Ordinal)
            .Replace("://+", "://wildcard.invalid", StringComparison.Ordinal);
        return Uri.TryCreate(normalised, UriKind.Absolute, out uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
    }
}

/// <summary>Checks <see cref="HttpOptions"/> at start; every message names the config key.</summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var urls = options.UrlList;
        if (urls.Count == 0)
        {
            failures.Add($"Http:Urls is empty; give at least one URL such as {HttpOptions.DefaultUrls}.");
        }

        var exposed = new List<string>();
        foreach (var url in urls)
        {
            if (!HttpOptions.TryParseUrl(url, out var uri))
            {
                failures.Add($"Http:Urls: '{url}' is not an http:// or https:// URL.");
            }
            else if (!HttpOptions.IsLoopback(uri!))
            {
                exposed.Add(url);
            }
        }

        if (options.Token is { } token && token.Length < HttpOptions.MinimumTokenLength)
        {
            failures.Add($"Http:Token is {token.Length} characters long; use at least {HttpOptions.MinimumTokenLength} random characters.");
        }

        if (exposed.Count > 0 && !options.TokenRequired)
        {
            failures.Add($"Http:Token is required because Http:Urls binds a non-loopback address ({string.Join(", ", exposed)}); set Http:Token (EDGEENERGY__HTTP__TOKEN) or bind http://127.0.0.1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
