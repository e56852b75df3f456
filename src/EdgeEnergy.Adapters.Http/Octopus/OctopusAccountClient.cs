using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// Reads the account (<c>GET /v1/accounts/{Octopus:AccountNumber}/</c>, HTTP Basic with <c>Octopus:ApiKey</c> as the
/// user, as the consumption endpoint): its properties' electricity meter points, export flags, meters and the
/// agreement valid now on each. 401/403/404 are <see cref="OctopusAccountRefusedException"/> naming the keys.
/// </summary>
public sealed class OctopusAccountClient(HttpClient client, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusAccountClient> logger)
{
    public async Task<OctopusAccount> GetAccountAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.AccountConfigured)
        {
            throw new OctopusAccountRefusedException("Octopus:AccountNumber and Octopus:ApiKey are both needed to read the account");
        }

        var number = o.AccountNumber!.Trim().ToUpperInvariant();
        var url = new Uri(HttpOptionsChecks.Normalise(o.BaseUrl), $"v1/accounts/{Uri.EscapeDataString(number)}/");
        var retry = new RetrySettings(o.RetryAttempts, o.RetryBaseDelay, o.RetryMaxDelay);
        HttpResponseMessage response;
        try
        {
            response = await HttpRetry.SendAsync(client, () => OctopusHttp.BasicGet(url, o.ApiKey!), retry, timeProvider, logger, "Octopus account", null, cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            throw new OctopusAccountException(e.Message, e);
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                    throw new OctopusAccountRefusedException($"Octopus:ApiKey: Octopus refused the key (HTTP 401 from {url.AbsolutePath}); use the API key shown in the Octopus dashboard (personal details, API access)");
                case HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                    throw new OctopusAccountRefusedException($"Octopus:AccountNumber '{number}' with Octopus:ApiKey: Octopus refused this key for this account (HTTP {(int)response.StatusCode} from {url.AbsolutePath}); the key must be the account's own");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new OctopusAccountException($"Octopus account: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(body);
                return OctopusAccountWire.Parse(document.RootElement, timeProvider.GetUtcNow());
            }
            catch (JsonException e)
            {
                throw new OctopusAccountException($"Octopus account: not JSON: {e.Message}", e);
            }
        }
    }
}

/// <summary>The dispatches read at <paramref name="ReadUtc"/> for <paramref name="DeviceId"/>, and each item skipped with its reason.</summary>
public sealed record DispatchRead(string DeviceId, IReadOnlyList<PlannedDispatch> Dispatches, IReadOnlyList<string> Skipped, DateTimeOffset ReadUtc);

/// <summary>
/// Intelligent Octopus Go's planned dispatches through <see cref="OctopusGraphQlClient"/>: the device-scoped
/// <c>flexPlannedDispatches(deviceId)</c> query (<c>start end type energyAddedKwh</c>), the current one Octopus
/// documents (the older account-scoped <c>plannedDispatches</c> is the Intelligent Go of before SmartFlex and is not
/// read). The device is <c>Octopus:DispatchDeviceId</c>, or else found once with <c>devices(accountNumber)</c>. Each
/// item is read defensively: one without a parseable start/end, ending before it starts, or of an unknown type is
/// skipped with the reason naming it.
/// </summary>
public sealed class OctopusDispatchSource(OctopusGraphQlClient graphQl, IOptions<OctopusOptions> options, TimeProvider timeProvider, ILogger<OctopusDispatchSource> logger)
{
    public const string DevicesQuery = "query Devices($accountNumber: String!) { devices(accountNumber: $accountNumber) { id deviceType } }";

    public const string DispatchesQuery = "query FlexPlannedDispatches($deviceId: String!) { flexPlannedDispatches(deviceId: $deviceId) { start end type energyAddedKwh } }";

    private string? _deviceId;

    public async Task<DispatchRead> GetPlannedAsync(CancellationToken cancellationToken)
    {
        var deviceId = await DeviceAsync(cancellationToken);
        var data = await graphQl.QueryAsync(DispatchesQuery, new JsonObject { ["deviceId"] = deviceId }, cancellationToken);
        if (!data.TryGetProperty("flexPlannedDispatches", out var list) || list.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            throw new OctopusAccountException("Octopus GraphQL: the answer has no 'flexPlannedDispatches' list");
        }

        var read = Parse(deviceId, list, timeProvider.GetUtcNow());
        foreach (var reason in read.Skipped)
        {
            logger.DispatchSkipped(reason);
        }

        return read;
    }

    /// <summary>Reads a <c>flexPlannedDispatches</c> list (null: none); see the class summary for what is skipped.</summary>
    public static DispatchRead Parse(string deviceId, JsonElement list, DateTimeOffset readUtc)
    {
        var dispatches = new List<PlannedDispatch>();
        var skipped = new List<string>();
        if (list.ValueKind != JsonValueKind.Array)
        {
            return new DispatchRead(deviceId, dispatches, skipped, readUtc);
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            index++;
            var name = $"dispatch {index} ({Raw(item)})";
            var start = OctopusHttp.Instant(item, "start");
            var end = OctopusHttp.Instant(item, "end");
            if (start is null || end is null)
            {
                skipped.Add($"{name}: no parseable '{(start is null ? "start" : "end")}' time");
                continue;
            }

            if (end <= start)
            {
                skipped.Add($"{name}: ends before it starts");
                continue;
            }

            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim().ToUpperInvariant() : string.Empty;
            DispatchKind? kind = type switch
            {
                "SMART" or "SMART-CHARGE" or "SMART_CHARGE" => DispatchKind.Smart,
                "BOOST" or "BUMP" or "BUMP-CHARGE" or "BUMP_CHARGE" or "BOOST_CHARGE" => DispatchKind.Boost,
                _ => null,
            };
            if (kind is null)
            {
                skipped.Add($"{name}: unknown type '{type}' (SMART or BOOST expected); not treated as off-peak");
                continue;
            }

            dispatches.Add(new PlannedDispatch(start.Value, end.Value, kind.Value, Energy(item)));
        }

        return new DispatchRead(deviceId, [.. dispatches.OrderBy(d => d.StartUtc)], skipped, readUtc);
    }

    private async Task<string> DeviceAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.DispatchDeviceId))
        {
            return o.DispatchDeviceId.Trim();
        }

        if (_deviceId is not null)
        {
            return _deviceId;
        }

        var data = await graphQl.QueryAsync(DevicesQuery, new JsonObject { ["accountNumber"] = o.AccountNumber?.Trim().ToUpperInvariant() }, cancellationToken);
        var devices = data.TryGetProperty("devices", out var d) && d.ValueKind == JsonValueKind.Array ? d.EnumerateArray().ToList() : [];
        var ids = devices
            .Where(x => x.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(id.GetString()))
            .OrderBy(x => x.TryGetProperty("deviceType", out var type) && type.GetString() is "ELECTRIC_VEHICLES" or "CHARGE_POINTS" ? 0 : 1)
            .Select(x => x.GetProperty("id").GetString()!)
            .ToList();
        if (ids.Count == 0)
        {
            throw new OctopusAccountException("Octopus GraphQL: the account lists no smart-charge device (devices query); set Octopus:DispatchDeviceId or check the car is linked in the Octopus app");
        }

        _deviceId = ids[0];
        return _deviceId;
    }

    private static double? Energy(JsonElement item)
    {
        if (!item.TryGetProperty("energyAddedKwh", out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var kwh) => kwh,
            _ => null,
        };
    }

    private static string Raw(JsonElement item)
    {
        var text = item.GetRawText();
        return text.Length <= 120 ? text : text[..120] + "…";
    }
}
