using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Testing.Evcc;

/// <summary>
/// A test double of evcc's HTTP API, from its published OpenAPI description (github.com/evcc-io/evcc,
/// <c>server/openapi.yaml</c> and <c>server/openapi.state.yaml</c>; routes as registered in <c>server/http.go</c>).
/// Serve it with <see cref="Http.LoopbackHttpServer"/>. Routes and answers:
/// <list type="bullet">
/// <item><c>GET /api/state</c>: 200, <c>State</c> (<c>loadpoints[]</c>, <c>vehicles{name}</c>, <c>battery</c>, <c>batteryMode</c>, …).</item>
/// <item><c>POST /api/loadpoints/{id}/mode/{off|now|minpv|pv}</c>: 200 with the mode as a JSON string; another mode 400.</item>
/// <item><c>POST /api/loadpoints/{id}/maxcurrent/{A}</c>: 200 with the number; below the loadpoint's minimum current 400.</item>
/// <item><c>POST /api/vehicles/{name}/plan/soc/{soc}/{RFC3339}</c>: 200 with <c>{soc, time}</c>; an unknown vehicle, a bad
/// time or a time in the past (by this double's clock) 400; <c>DELETE /api/vehicles/{name}/plan/soc</c>: 200 <c>{}</c>.</item>
/// <item>A loadpoint evcc does not have has no route at all: 404 <c>404 page not found</c> (text, as its router answers).</item>
/// </list>
/// Refusals are <c>{"error": "…"}</c> (evcc's <c>util.ErrorAsJson</c>; the texts are ours). Like evcc, it resets nothing
/// on its own: a mode, a current or a plan stays as set, whether the car leaves or not, until someone sets another.
/// Tests change the car through <see cref="Plug"/>, <see cref="Unplug"/> and <see cref="Loadpoint"/>. Thread-safe.
/// </summary>
public sealed class FakeEvccApi(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<FakeLoadpoint> _loadpoints = [new FakeLoadpoint()];
    private readonly Dictionary<string, FakeVehicle> _vehicles = new(StringComparer.Ordinal);

    /// <summary>Every command received (POST/DELETE), as <c>METHOD path</c>, with the double's time, in order.</summary>
    public List<(DateTimeOffset At, string Request)> Commands { get; } = [];

    /// <summary>When set, the site reports a controllable battery meter of this name (evcc could drive the battery).</summary>
    public string? ControllableBattery { get; set; }

    /// <summary>The site's <c>batteryMode</c> (<c>unknown</c>, <c>normal</c>, <c>hold</c>, <c>charge</c>, <c>holdcharge</c>).</summary>
    public string BatteryMode { get; set; } = "unknown";

    public FakeEvccApi WithVehicle(string name, double? capacityKwh, string title = "")
    {
        lock (_lock)
        {
            _vehicles[name] = new FakeVehicle { Title = title.Length == 0 ? name : title, CapacityKwh = capacityKwh };
        }

        return this;
    }

    /// <summary>Adds loadpoint number (1-based) <c>count + 1</c>.</summary>
    public FakeEvccApi WithLoadpoint()
    {
        lock (_lock)
        {
            _loadpoints.Add(new FakeLoadpoint());
        }

        return this;
    }

    /// <summary>Loadpoint <paramref name="id"/> (1-based), to read or change under the double's lock via <see cref="Change"/>.</summary>
    public FakeLoadpoint Loadpoint(int id = 1)
    {
        lock (_lock)
        {
            return _loadpoints[id - 1];
        }
    }

    public FakeVehicle Vehicle(string name)
    {
        lock (_lock)
        {
            return _vehicles[name];
        }
    }

    public void Change(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            action();
        }
    }

    /// <summary>A car plugged into loadpoint <paramref name="id"/>; <paramref name="socPercent"/> null: a car that reports none.</summary>
    public void Plug(string? vehicle, double? socPercent, int id = 1) => Change(() =>
    {
        var lp = _loadpoints[id - 1];
        (lp.Connected, lp.VehicleName, lp.VehicleSoc) = (true, vehicle ?? string.Empty, socPercent ?? 0);
    });

    /// <summary>The car leaves: evcc forgets the car's state, not the mode, the current or the plan.</summary>
    public void Unplug(int id = 1) => Change(() =>
    {
        var lp = _loadpoints[id - 1];
        (lp.Connected, lp.Charging, lp.ChargePower, lp.VehicleName, lp.VehicleSoc) = (false, false, 0, string.Empty, 0);
    });

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? string.Empty;
        var segments = path.Trim('/').Split('/');
        int status;
        string? json;
        lock (_lock)
        {
            if (method != HttpMethods.Get)
            {
                Commands.Add((time.GetUtcNow(), $"{method} {path}"));
            }

            (status, json) = Route(method, segments);
        }

        context.Response.StatusCode = status;
        if (json is null)
        {
            // gorilla/mux's NotFoundHandler: plain text
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("404 page not found\n");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json + "\n");
    }

    private (int Status, string? Json) Route(string method, string[] s)
    {
        if (s.Length == 2 && s[0] == "api" && s[1] == "state")
        {
            return method == HttpMethods.Get ? (200, State().ToJsonString()) : (405, Error("method not allowed"));
        }

        if (s.Length == 5 && s[0] == "api" && s[1] == "loadpoints" && int.TryParse(s[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && id >= 1 && id <= _loadpoints.Count && method == HttpMethods.Post)
        {
            var lp = _loadpoints[id - 1];
            switch (s[3])
            {
                case "mode" when s[4] is "off" or "now" or "minpv" or "pv":
                    lp.Mode = s[4];
                    return (200, JsonSerializer.Serialize(lp.Mode));
                case "mode":
                    return (400, Error($"invalid charge mode: {s[4]}"));
                case "maxcurrent" when double.TryParse(s[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var amps) && double.IsFinite(amps):
                    if (amps < lp.MinCurrent)
                    {
                        return (400, Error("max current must be greater or equal than min current"));
                    }

                    lp.MaxCurrent = amps;
                    return (200, JsonSerializer.Serialize(lp.MaxCurrent));
                case "maxcurrent":
                    return (400, Error($"invalid current: {s[4]}"));
            }
        }

        if (s.Length >= 5 && s[0] == "api" && s[1] == "vehicles" && s[3] == "plan" && s[4] == "soc")
        {
            var name = Uri.UnescapeDataString(s[2]);
            if (!_vehicles.TryGetValue(name, out var vehicle))
            {
                return (400, Error($"vehicle not found: {name}"));
            }

            if (s.Length == 5 && method == HttpMethods.Delete)
            {
                vehicle.PlanSoc = 0;
                vehicle.PlanTime = null;
                return (200, "{}");
            }

            if (s.Length == 7 && method == HttpMethods.Post)
            {
                if (!int.TryParse(s[5], NumberStyles.None, CultureInfo.InvariantCulture, out var soc))
                {
                    return (400, Error($"invalid soc: {s[5]}"));
                }

                if (!DateTimeOffset.TryParseExact(Uri.UnescapeDataString(s[6]), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                {
                    return (400, Error($"parsing time \"{s[6]}\" as RFC3339 failed"));
                }

                if (at < time.GetUtcNow())
                {
                    return (400, Error("timestamp is in the past"));
                }

                (vehicle.PlanSoc, vehicle.PlanTime) = (soc, soc == 0 ? null : at.ToUniversalTime());
                return (200, new JsonObject { ["soc"] = vehicle.PlanSoc, ["time"] = Rfc3339(vehicle.PlanTime) }.ToJsonString());
            }
        }

        return (404, null);
    }

    private JsonObject State()
    {
        var vehicles = new JsonObject();
        foreach (var (name, v) in _vehicles)
        {
            var vehicle = new JsonObject
            {
                ["name"] = name,
                ["title"] = v.Title,
                ["minSoc"] = 0,
                ["limitSoc"] = 0,
                ["repeatingPlans"] = new JsonArray(),
                ["planStrategy"] = new JsonObject { ["continuous"] = false, ["precondition"] = 0 },
            };
            if (v.CapacityKwh is { } capacity)
            {
                vehicle["capacity"] = capacity;
            }

            if (v.PlanTime is { } planTime)
            {
                vehicle["plan"] = new JsonObject { ["soc"] = v.PlanSoc, ["time"] = Rfc3339(planTime) };
            }

            vehicles[name] = vehicle;
        }

        var loadpoints = new JsonArray();
        foreach (var lp in _loadpoints)
        {
            loadpoints.Add(new JsonObject
            {
                ["title"] = "Garage",
                ["mode"] = lp.Mode,
                ["connected"] = lp.Connected,
                ["charging"] = lp.Charging,
                ["enabled"] = lp.Charging,
                ["chargePower"] = lp.ChargePower,
                ["vehicleName"] = lp.VehicleName,
                ["vehicleSoc"] = lp.VehicleSoc,
                ["limitSoc"] = lp.LimitSoc,
                ["minCurrent"] = lp.MinCurrent,
                ["maxCurrent"] = lp.MaxCurrent,
                ["phasesActive"] = 1,
                ["phasesConfigured"] = 1,
            });
        }

        var devices = new JsonArray();
        if (ControllableBattery is { } battery)
        {
            devices.Add(new JsonObject { ["name"] = battery, ["power"] = 0, ["soc"] = 50, ["capacity"] = 10.4, ["controllable"] = true });
        }

        return new JsonObject
        {
            ["version"] = "0.300.0",
            ["siteTitle"] = "Home",
            ["loadpoints"] = loadpoints,
            ["vehicles"] = vehicles,
            ["battery"] = new JsonObject { ["power"] = 0, ["capacity"] = devices.Count > 0 ? 10.4 : 0, ["soc"] = devices.Count > 0 ? 50 : 0, ["devices"] = devices },
            ["batteryMode"] = BatteryMode,
            ["batteryDischargeControl"] = false,
            ["batteryGridChargeLimit"] = null,
        };
    }

    private static string Error(string message) => new JsonObject { ["error"] = message }.ToJsonString();

    private static string? Rfc3339(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One loadpoint's state in <see cref="FakeEvccApi"/>; change it inside <see cref="FakeEvccApi.Change"/>.</summary>
public sealed class FakeLoadpoint
{
    public string Mode { get; set; } = "pv";
    public bool Connected { get; set; }
    public bool Charging { get; set; }
    public double ChargePower { get; set; }
    public string VehicleName { get; set; } = string.Empty;
    public double VehicleSoc { get; set; }
    public double LimitSoc { get; set; }
    public double MinCurrent { get; set; } = 6;
    public double MaxCurrent { get; set; } = 16;
}

/// <summary>One configured vehicle in <see cref="FakeEvccApi"/>.</summary>
public sealed class FakeVehicle
{
    public string Title { get; set; } = string.Empty;
    public double? CapacityKwh { get; set; }
    public int PlanSoc { get; set; }
    public DateTimeOffset? PlanTime { get; set; }
}
