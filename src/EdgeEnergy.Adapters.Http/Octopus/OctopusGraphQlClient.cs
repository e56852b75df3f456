using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// Octopus's Kraken GraphQL API (<c>{Octopus:BaseUrl}v1/graphql/</c>): obtains a token with the
/// <c>obtainKrakenToken(input: {APIKey})</c> mutation, sends it as the bare <c>Authorization</c> header, renews it
/// five minutes before the expiry its payload states (<c>exp</c>; an hour when it states none) and once more when a
/// query is refused for authentication (HTTP 401 or a <c>KT-CT-11xx</c> token error), then runs the query. Any
/// query goes through <see cref="QueryAsync"/>: the caller owns the query text and reads its <c>data</c>.
/// </summary>
/// <remarks>One per process (the token is shared); it does not own <paramref name="client"/>.</remarks>
public sealed class OctopusGraphQlClient(HttpClient client, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusGraphQlClient> logger) : IDisposable
{
    /// <summary>How long before its stated expiry a token is renewed.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private const string TokenMutation = "mutation ObtainKrakenToken($input: ObtainJSONWebTokenInput!) { obtainKrakenToken(input: $input) { token payload } }";

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private string? _token;
    private DateTimeOffset _expiresUtc;

    /// <summary>Tokens obtained since start (for tests and the CLI: each is one call).</summary>
    public int TokensObtained { get; private set; }

    /// <summary>
    /// Runs <paramref name="query"/> with <paramref name="variables"/> and returns its <c>data</c> object. Throws
    /// <see cref="OctopusAccountRefusedException"/> when Octopus refuses the key, <see cref="OctopusAccountException"/>
    /// when the API cannot be read or answers only errors.
    /// </summary>
    public async Task<JsonElement> QueryAsync(string query, JsonObject? variables, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        for (var attempt = 1; ; attempt++)
        {
            var token = await TokenAsync(renew: attempt > 1, cancellationToken);
            var (status, root) = await PostAsync(query, variables, token, "GraphQL query", cancellationToken);
            var authFailed = status is HttpStatusCode.Unauthorized || (root is { } r && Errors(r).Any(e => e.Code?.StartsWith("KT-CT-11", StringComparison.Ordinal) == true));
            if (authFailed && attempt == 1)
            {
                logger.GraphQlTokenRefused();
                continue;
            }

            if (authFailed || status is HttpStatusCode.Forbidden)
            {
                throw new OctopusAccountRefusedException($"Octopus:ApiKey / Octopus:AccountNumber: Octopus refused the query with a fresh token (HTTP {(int)status}{ErrorText(root)}); check the key belongs to the account");
            }

            if (root is not { } body || (int)status >= 400)
            {
                throw new OctopusAccountException($"Octopus GraphQL: HTTP {(int)status}{ErrorText(root)}");
            }

            if (body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            {
                foreach (var error in Errors(body))
                {
                    logger.GraphQlPartialError(error.Message);
                }

                return data.Clone();
            }

            throw new OctopusAccountException($"Octopus GraphQL: no data{ErrorText(root)}");
        }
    }

    public void Dispose() => _tokenLock.Dispose();

    private async Task<string> TokenAsync(bool renew, CancellationToken cancellationToken)
    {
        await _tokenLock.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            if (!renew && _token is not null && now < _expiresUtc - RenewBefore)
            {
                return _token;
            }

            var key = options.Value.ApiKey?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                throw new OctopusAccountRefusedException("Octopus:ApiKey is not configured (the GraphQL API needs the account's key)");
            }

            var (status, root) = await PostAsync(TokenMutation, new JsonObject { ["input"] = new JsonObject { ["APIKey"] = key } }, null, "GraphQL token", cancellationToken);
            if (root is { } body && body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("obtainKrakenToken", out var result) && result.ValueKind == JsonValueKind.Object
                && result.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(t.GetString()))
            {
                _token = t.GetString();
                _expiresUtc = Expiry(result, now);
                TokensObtained++;
                logger.GraphQlTokenObtained(_expiresUtc);
                return _token!;
            }

            _token = null;
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (root is not null && (int)status < 500))
            {
                throw new OctopusAccountRefusedException($"Octopus:ApiKey: Octopus gave no token for the key (HTTP {(int)status}{ErrorText(root)}); use the API key shown in the Octopus dashboard (personal details, API access)");
            }

            throw new OctopusAccountException($"Octopus GraphQL token: HTTP {(int)status}{ErrorText(root)}");
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>The token's expiry from its payload's <c>exp</c> (Unix seconds, a number or a string); an hour from now when absent.</summary>
    private static DateTimeOffset Expiry(JsonElement result, DateTimeOffset now)
    {
        if (result.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("exp", out var exp))
        {
            long seconds = 0;
            var ok = exp.ValueKind == JsonValueKind.Number ? exp.TryGetInt64(out seconds)
                : exp.ValueKind == JsonValueKind.String && long.TryParse(exp.GetString(), System.Globalization.CultureInfo.InvariantCulture, out seconds);
            if (ok && seconds > 0)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        return now + TimeSpan.FromHours(1);
    }

    private async Task<(HttpStatusCode Status, JsonElement? Root)> PostAsync(string query, JsonObject? variables, string? token, string what, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var url = new Uri(HttpOptionsChecks.Normalise(o.BaseUrl), "v1/graphql/");
        var retry = new RetrySettings(o.RetryAttempts, o.RetryBaseDelay, o.RetryMaxDelay);
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(client, () => Request(url, query, variables, token), retry, timeProvider, logger, $"Octopus {what}", null, cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            throw new OctopusAccountException(e.Message, e);
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(bytes);
                return (response.StatusCode, document.RootElement.Clone());
            }
            catch (JsonException)
            {
                return (response.StatusCode, null);
            }
        }
    }

    private static HttpRequestMessage Request(Uri url, string query, JsonObject? variables, string? token)
    {
        // Names as written (GraphQL's APIKey, not the web default's camel case). The variables are deep-copied: a
        // retry builds the request again, and a node can belong to one parent only.
        var body = new JsonObject { ["query"] = query, ["variables"] = variables?.DeepClone() };
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null)
        {
            // Kraken takes the bare token, no scheme.
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        return request;
    }

    private sealed record GraphQlError(string Message, string? Code);

    private static IEnumerable<GraphQlError> Errors(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var error in errors.EnumerateArray())
        {
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "(no message)";
            var code = error.TryGetProperty("extensions", out var x) && x.ValueKind == JsonValueKind.Object && x.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString()
                : null;
            yield return new GraphQlError(code is null ? message : $"{code} {message}", code);
        }
    }

    private static string ErrorText(JsonElement? root) =>
        root is { } r && Errors(r).Select(e => e.Message).ToList() is { Count: > 0 } messages ? $": {string.Join("; ", messages)}" : string.Empty;
}
