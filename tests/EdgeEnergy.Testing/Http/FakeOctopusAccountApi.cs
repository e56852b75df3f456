using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Http;

/// <summary>
/// An Octopus account as the API answers it, on loopback: the REST account endpoint
/// <c>GET /v1/accounts/{number}/</c> (HTTP Basic, the key as user: else 401 <c>{"detail": ...}</c>; another account 403)
/// and the Kraken GraphQL endpoint <c>POST /v1/graphql/</c>: <c>obtainKrakenToken(input: {APIKey})</c> gives a token
/// (<c>payload.exp</c> <see cref="TokenLifetime"/> ahead on the test clock; a refused key gives a <c>KT-CT-1139</c>
/// error); every other operation needs a live token in the bare <c>Authorization</c> header (an expired or unknown
/// one: error <c>KT-CT-1124</c>). Operations are routed by their root field, in one table (<see cref="On"/>):
/// <c>devices</c> and <c>flexPlannedDispatches</c> are built in; add e.g. <c>savingSessions</c> the same way.
/// </summary>
public sealed partial class FakeOctopusAccountApi
{
    private readonly string _apiKey;
    private readonly string _accountNumber;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Func<JsonElement, JsonNode?>> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private int _issued;

    public FakeOctopusAccountApi(string apiKey, string accountNumber, TimeProvider time)
    {
        _apiKey = apiKey;
        _accountNumber = accountNumber;
        _time = time;
        On("devices", _ => new JsonArray([.. Devices.Select(d => (JsonNode)new JsonObject { ["id"] = d.Id, ["deviceType"] = d.Type })]));
        On("flexPlannedDispatches", variables =>
            variables.TryGetProperty("deviceId", out var id) && Devices.Any(d => d.Id == id.GetString())
                ? new JsonArray([.. Dispatches.Select(d => d.DeepClone())])
                : null);
    }

    /// <summary>The account's <c>properties</c> (see <see cref="Property"/>).</summary>
    public JsonArray Properties { get; set; } = [];

    /// <summary>The smart-charge devices the <c>devices</c> query lists.</summary>
    public List<(string Id, string Type)> Devices { get; } = [("00000000-0002-4000-803c-0000000021c7", "ELECTRIC_VEHICLES")];

    /// <summary>What <c>flexPlannedDispatches</c> answers now (items as Octopus writes them; change it to move or withdraw one).</summary>
    public List<JsonObject> Dispatches { get; } = [];

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Tokens issued so far.</summary>
    public int TokensIssued => _issued;

    /// <summary>Root fields of the GraphQL operations answered, in order (<c>obtainKrakenToken</c>, <c>flexPlannedDispatches</c>...).</summary>
    public ConcurrentQueue<string> Operations { get; } = new();

    /// <summary>Routes a GraphQL operation by its root field to <paramref name="handler"/> (variables in, the field's value out).</summary>
    public FakeOctopusAccountApi On(string rootField, Func<JsonElement, JsonNode?> handler)
    {
        _operations[rootField] = handler;
        return this;
    }

    /// <summary>Revokes every token (Octopus may end one before its stated expiry).</summary>
    public void RevokeTokens() => _tokens.Clear();

    /// <summary>A property with its electricity meter points.</summary>
    public static JsonObject Property(int id, params JsonObject[] meterPoints) =>
        new() { ["id"] = id, ["moved_in_at"] = "2021-03-01T00:00:00Z", ["moved_out_at"] = null, ["electricity_meter_points"] = new JsonArray(meterPoints), ["gas_meter_points"] = new JsonArray() };

    /// <summary>An electricity meter point; agreements as (tariff code, valid_from, valid_to or null).</summary>
    public static JsonObject MeterPoint(string mpan, bool isExport, string serial, params (string Code, string From, string? To)[] agreements) => new()
    {
        ["mpan"] = mpan,
        ["profile_class"] = 1,
        ["consumption_standard"] = 2900,
        ["meters"] = new JsonArray(new JsonObject { ["serial_number"] = serial, ["registers"] = new JsonArray() }),
        ["agreements"] = new JsonArray([.. agreements.Select(a => (JsonNode)new JsonObject { ["tariff_code"] = a.Code, ["valid_from"] = a.From, ["valid_to"] = a.To })]),
        ["is_export"] = isExport,
    };

    /// <summary>A dispatch item as <c>flexPlannedDispatches</c> writes it.</summary>
    public static JsonObject Dispatch(DateTimeOffset start, DateTimeOffset end, string type = "SMART", string? energyKwh = "3.2") =>
        new() { ["start"] = FakeOctopusConsumptionApi.Local(start), ["end"] = FakeOctopusConsumptionApi.Local(end), ["type"] = type, ["energyAddedKwh"] = energyKwh };

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = "application/json";
        var path = context.Request.Path.Value!.Trim('/');
        if (path == "v1/graphql" && context.Request.Method == "POST")
        {
            await GraphQlAsync(context);
            return;
        }

        if (path.Split('/') is not ["v1", "accounts", var number])
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, new JsonObject { ["detail"] = "Not found." });
            return;
        }

        if (context.Request.Headers.Authorization.ToString() != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(_apiKey + ":")))
        {
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new JsonObject { ["detail"] = "Invalid API key." });
            return;
        }

        if (!string.Equals(number, _accountNumber, StringComparison.Ordinal))
        {
            await WriteAsync(context, StatusCodes.Status403Forbidden, new JsonObject { ["detail"] = "You do not have permission to perform this action." });
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["number"] = _accountNumber, ["properties"] = Properties.DeepClone() });
    }

    private async Task GraphQlAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var query = body.RootElement.GetProperty("query").GetString() ?? string.Empty;
        var variables = body.RootElement.TryGetProperty("variables", out var v) ? v.Clone() : default;
        var field = RootField().Match(query) is { Success: true } m ? m.Groups[1].Value : string.Empty;
        Operations.Enqueue(field);
        if (field == "obtainKrakenToken")
        {
            var key = variables.ValueKind == JsonValueKind.Object && variables.TryGetProperty("input", out var input) && input.TryGetProperty("APIKey", out var k) ? k.GetString() : null;
            if (key != _apiKey)
            {
                await WriteAsync(context, StatusCodes.Status200OK, Error("KT-CT-1139", "Authentication failed."));
                return;
            }

            var token = $"token-{Interlocked.Increment(ref _issued)}";
            var expires = _time.GetUtcNow() + TokenLifetime;
            _tokens[token] = expires;
            var payload = new JsonObject { ["gty"] = "API-KEY", ["exp"] = expires.ToUnixTimeSeconds(), ["iat"] = _time.GetUtcNow().ToUnixTimeSeconds() };
            await WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["data"] = new JsonObject { ["obtainKrakenToken"] = new JsonObject { ["token"] = token, ["payload"] = payload } } });
            return;
        }

        var presented = context.Request.Headers.Authorization.ToString();
        if (!_tokens.TryGetValue(presented, out var until) || until <= _time.GetUtcNow())
        {
            await WriteAsync(context, StatusCodes.Status200OK, Error("KT-CT-1124", "Signature of the JWT has expired."));
            return;
        }

        if (!_operations.TryGetValue(field, out var handler))
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, Error("GRAPHQL_VALIDATION_FAILED", $"Cannot query field '{field}'."));
            return;
        }

        var value = handler(variables);
        if (value is null)
        {
            await WriteAsync(context, StatusCodes.Status200OK, Error("KT-CT-4301", $"Unable to find the resource for {field}."));
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["data"] = new JsonObject { [field] = value } });
    }

    private static JsonObject Error(string code, string message) => new()
    {
        ["data"] = null,
        ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["extensions"] = new JsonObject { ["errorCode"] = code } }),
    };

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>The operation's first field: the word after its first opening brace.</summary>
    [GeneratedRegex(@"\{\s*([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex RootField();
}
