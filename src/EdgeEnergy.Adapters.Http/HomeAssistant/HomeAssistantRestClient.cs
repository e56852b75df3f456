using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Fallback;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.HomeAssistant;

/// <summary>
/// Home Assistant REST: <c>GET api/states/{entity}</c> (numbers parsed with the invariant culture; <c>unavailable</c>
/// and <c>unknown</c> reported as not available, never as 0) and <c>POST api/services/{domain}/{service}</c>.
/// The long-lived token goes in the Authorization header only. Every service call passes the service's
/// <see cref="WriteGate"/> first: in shadow mode none is sent.
/// </summary>
public sealed class HomeAssistantRestClient(HttpClient client, IOptions<HomeAssistantOptions> options, TimeProvider timeProvider, ILogger<HomeAssistantRestClient> logger, WriteGate? gate = null)
    : IEntityStateReader, IEntityServiceCaller
{
    private readonly HomeAssistantOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public async Task<EntityReading> ReadAsync(string entityId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(entityId) || !HomeAssistantOptions.EntityIdPattern().IsMatch(entityId))
        {
            throw new HomeAutomationException($"'{entityId}' is not an entity id like sensor.battery_soc");
        }

        using var response = await SendAsync(HttpMethod.Get, $"api/states/{entityId}", null, $"state of {entityId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new HomeAutomationException($"Home Assistant has no entity {entityId}");
        }

        var body = await ReadBodyAsync(response, $"state of {entityId}", cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            return ParseState(entityId, document.RootElement);
        }
        catch (JsonException e)
        {
            throw new HomeAutomationException($"state of {entityId}: not JSON: {e.Message}", e);
        }
    }

    public async Task CallServiceAsync(string domain, string service, IReadOnlyDictionary<string, object> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!IsName(domain) || !IsName(service))
        {
            throw new HomeAutomationException($"'{domain}.{service}' is not a service name like select.select_option");
        }

        gate?.Check($"Home Assistant service {domain}.{service}");

        var what = $"service {domain}.{service}";
        var json = ServiceData(data, what).ToJsonString();
        using var response = await SendAsync(HttpMethod.Post, $"api/services/{domain}/{service}", json, what, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest || response.StatusCode == HttpStatusCode.NotFound)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HomeAutomationException($"{what} refused ({(int)response.StatusCode}): {Truncate(detail)}");
        }

        await ReadBodyAsync(response, what, cancellationToken);
    }

    internal static EntityReading ParseState(string entityId, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("state", out var stateElement) || stateElement.ValueKind != JsonValueKind.String)
        {
            throw new HomeAutomationException($"state of {entityId}: no 'state' string in the answer");
        }

        var state = stateElement.GetString()!;
        string? unit = null;
        if (root.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty("unit_of_measurement", out var unitElement) && unitElement.ValueKind == JsonValueKind.String)
        {
            unit = unitElement.GetString();
        }

        DateTimeOffset? updated = null;
        if (root.TryGetProperty("last_updated", out var updatedElement) && updatedElement.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(updatedElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var u))
        {
            updated = u.ToUniversalTime();
        }

        var available = !(state.Length == 0 || state.Equals("unavailable", StringComparison.OrdinalIgnoreCase) || state.Equals("unknown", StringComparison.OrdinalIgnoreCase));
        double? value = available && double.TryParse(state, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
        return new EntityReading(entityId, state, value, available, unit, updated);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string what, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            throw new HomeAutomationException("HomeAssistant:BaseUrl is not configured");
        }

        var url = new Uri(HttpOptionsChecks.Normalise(_options.BaseUrl), path);
        try
        {
            return await HttpRetry.SendAsync(
                client,
                () =>
                {
                    var request = new HttpRequestMessage(method, url);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
                    if (json is not null)
                    {
                        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                    }

                    return request;
                },
                // A service call is retried only on network errors and 5xx, where HA did not act on it.
                new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay),
                timeProvider,
                logger,
                $"Home Assistant {what}",
                null,
                cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            throw new HomeAutomationException(e.Message, e);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new HomeAutomationException($"{what}: HTTP {(int)response.StatusCode}: the token (HomeAssistant:Token) was refused");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HomeAutomationException($"{what}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static bool IsName(string value) => !string.IsNullOrEmpty(value) && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>
    /// A service call's data as JSON. The values a service call takes are text, numbers and switches; anything else
    /// is a programming error, named here rather than sent as whatever a serializer makes of it.
    /// </summary>
    private static JsonObject ServiceData(IReadOnlyDictionary<string, object> data, string what)
    {
        var json = new JsonObject();
        foreach (var (key, value) in data)
        {
            json[key] = value switch
            {
                string s => JsonValue.Create(s),
                double d => JsonValue.Create(d),
                int i => JsonValue.Create(i),
                bool b => JsonValue.Create(b),
                _ => throw new ArgumentException($"{what}: the value of '{key}' is a {value?.GetType().Name ?? "null"}; a service call takes text, numbers or true/false", nameof(data)),
            };
        }

        return json;
    }
}
