using System.Globalization;
using System.Text.Json;
using EdgeEnergy.Domain.Ev;

namespace EdgeEnergy.Adapters.Http.Evcc;

/// <summary>
/// evcc's <c>GET /api/state</c> read into <see cref="EvChargerState"/>. The field names are those of evcc's published
/// OpenAPI description (github.com/evcc-io/evcc, <c>server/openapi.state.yaml</c>: <c>State</c>, <c>Loadpoint</c>,
/// <c>Vehicle</c>, <c>Battery</c>, <c>BatteryMeter</c>), which says the state "carries no compatibility promise": so
/// every field is optional here, and a missing one reads as unknown, never as 0. Older evcc releases wrapped the
/// answer in <c>{"result": …}</c>; both are read.
/// </summary>
internal static class EvccWire
{
    public static EvChargerState ParseState(JsonElement root, int loadpoint, string? configuredVehicle)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("result", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
        {
            root = wrapped;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("loadpoints", out var loadpoints) || loadpoints.ValueKind != JsonValueKind.Array)
        {
            throw new EvChargerException(EvChargerFault.Refused, "evcc's state has no 'loadpoints' list");
        }

        if (loadpoint < 1 || loadpoint > loadpoints.GetArrayLength())
        {
            throw new EvChargerException(EvChargerFault.UnknownLoadpoint,
                $"evcc has no loadpoint {loadpoint} (Ev:Loadpoint); it has {loadpoints.GetArrayLength()}, numbered from 1");
        }

        var lp = loadpoints[loadpoint - 1];
        var name = String(lp, "vehicleName") is { Length: > 0 } reported ? reported : string.IsNullOrWhiteSpace(configuredVehicle) ? null : configuredVehicle;
        JsonElement vehicle = default;
        var known = name is not null && root.TryGetProperty("vehicles", out var vehicles) && vehicles.ValueKind == JsonValueKind.Object
            && vehicles.TryGetProperty(name, out vehicle) && vehicle.ValueKind == JsonValueKind.Object;
        var soc = Number(lp, "vehicleSoc");
        var capacity = known ? Number(vehicle, "capacity") : null;
        return new EvChargerState
        {
            Connected = Bool(lp, "connected") ?? false,
            Charging = Bool(lp, "charging") ?? false,
            ChargePowerW = Number(lp, "chargePower") ?? 0,
            // evcc publishes 0 for a car that reports no state of charge (a guest car); no car is ever at exactly 0 %.
            VehicleSocPercent = soc is > 0 ? soc : null,
            VehicleName = name,
            VehicleCapacityKwh = capacity is > 0 ? capacity : null,
            LimitSocPercent = Number(lp, "limitSoc") ?? 0,
            Mode = EvChargeModes.TryParse(String(lp, "mode"), out var mode) ? mode : null,
            MaxCurrentA = Number(lp, "maxCurrent"),
            Plan = known ? Plan(name!, vehicle) : null,
            BatteryControlWarning = BatteryControl(root),
        };
    }

    /// <summary>The vehicle's static SoC plan (<c>Vehicle.plan</c>: <c>StaticSocPlan</c> {soc, time}); none when absent or zero.</summary>
    private static EvDeadline? Plan(string name, JsonElement vehicle)
    {
        if (!vehicle.TryGetProperty("plan", out var plan) || plan.ValueKind != JsonValueKind.Object
            || Number(plan, "soc") is not { } soc || soc <= 0
            || String(plan, "time") is not { } text
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            || time.Year < 2000)
        {
            return null;
        }

        return new EvDeadline(name, (int)Math.Round(soc), time.ToUniversalTime());
    }

    /// <summary>
    /// evcc can drive a home battery itself when a battery meter is controllable (<c>BatteryMeter.controllable</c>):
    /// its discharge lock while fast charging (<c>batteryDischargeControl</c>), grid charging below a price
    /// (<c>batteryGridChargeLimit</c>) and the external mode (<c>batteryMode</c> other than <c>unknown</c>/<c>normal</c>).
    /// On a Fox inverter EdgeEnergy already drives, that is a second Modbus master: reported, never silently accepted.
    /// </summary>
    private static string? BatteryControl(JsonElement root)
    {
        var controllable = new List<string>();
        if (root.TryGetProperty("battery", out var battery) && battery.ValueKind == JsonValueKind.Object
            && battery.TryGetProperty("devices", out var devices) && devices.ValueKind == JsonValueKind.Array)
        {
            foreach (var device in devices.EnumerateArray())
            {
                if (Bool(device, "controllable") == true)
                {
                    controllable.Add(String(device, "name") ?? String(device, "title") ?? "unnamed");
                }
            }
        }

        var mode = String(root, "batteryMode");
        var external = mode is "hold" or "charge" or "holdcharge";
        if (controllable.Count == 0 && !external)
        {
            return null;
        }

        var flags = new List<string>();
        if (controllable.Count > 0)
        {
            flags.Add($"controllable battery meter(s) {string.Join(", ", controllable)}");
        }

        if (mode is not null)
        {
            flags.Add($"batteryMode {mode}");
        }

        if (Bool(root, "batteryDischargeControl") == true)
        {
            flags.Add("batteryDischargeControl on");
        }

        if (root.TryGetProperty("batteryGridChargeLimit", out var limit) && limit.ValueKind == JsonValueKind.Number)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture, $"batteryGridChargeLimit {limit.GetDouble()}"));
        }

        return string.Join(", ", flags);
    }

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The <c>{"error": "…"}</c> body evcc answers a refused request with (<c>util.ErrorAsJson</c>); else the text.</summary>
    public static string Error(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (String(document.RootElement, "error") is { } error)
            {
                return error;
            }
        }
        catch (JsonException)
        {
            // not JSON (e.g. the router's "404 page not found"): the text itself
        }

        var text = body.Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
