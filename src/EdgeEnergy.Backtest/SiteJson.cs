using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>
/// Reads SITE.json: <c>{ "battery": {…the plan problem's battery…}, "grid": {…}, "immersions": [ { "id", "powerKw",
/// "valuePencePerKwh", "windows": [ { "fromLocal": "02:00", "toLocal": "23:00", "minKwh", "maxKwh" } ] } ],
/// "timezone": "Europe/London", "ev": { "id", "minKw", "maxKw", "efficiency" } }</c> (<c>ev</c>: the car's charger, when
/// the history has the EV columns). Unknown fields, missing fields and impossible values are errors naming the field.
/// </summary>
public static class SiteJson
{
    public static BacktestSite Parse(string json, string sourceName)
    {
        SiteDto dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, SiteJsonContext.Default.SiteDto) ?? throw new BacktestInputException($"{sourceName}: the file holds null, expected an object");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, " : string.Empty;
            var path = string.IsNullOrEmpty(e.Path) ? string.Empty : $"field {e.Path.TrimStart('$', '.')}: ";
            throw new BacktestInputException($"{sourceName}: {where}{path}{FirstSentence(e.Message)}");
        }

        if (dto.Battery is null)
        {
            throw new BacktestInputException($"{sourceName}: field battery: missing");
        }

        var zone = dto.Timezone ?? "Europe/London";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new BacktestInputException($"{sourceName}: field timezone: unknown time zone '{zone}'");
        }

        var immersions = new List<ImmersionHeater>();
        for (var i = 0; i < (dto.Immersions?.Count ?? 0); i++)
        {
            var im = dto.Immersions![i];
            var field = $"immersions[{i}]";
            if (string.IsNullOrWhiteSpace(im.Id))
            {
                throw new BacktestInputException($"{sourceName}: field {field}.id: missing");
            }

            if (!(im.PowerKw > 0) || !double.IsFinite(im.PowerKw))
            {
                throw new BacktestInputException($"{sourceName}: field {field}.powerKw: must be > 0");
            }

            var windows = new List<DailyImmersionWindow>();
            for (var w = 0; w < (im.Windows?.Count ?? 0); w++)
            {
                var win = im.Windows![w];
                var wf = $"{field}.windows[{w}]";
                var from = Time(win.FromLocal, $"{wf}.fromLocal");
                var to = Time(win.ToLocal, $"{wf}.toLocal");
                if (!(win.MinKwh >= 0) || (win.MaxKwh is { } max && !(max >= win.MinKwh)))
                {
                    throw new BacktestInputException($"{sourceName}: field {wf}: need 0 ≤ minKwh ≤ maxKwh");
                }

                var window = new DailyImmersionWindow { FromLocal = from, ToLocal = to, MinKwh = win.MinKwh, MaxKwh = win.MaxKwh };
                var hours = window.NominalHours;
                if (win.MinKwh > im.PowerKw * hours + 1e-9)
                {
                    throw new BacktestInputException(
                        $"{sourceName}: field {wf}.minKwh: {win.MinKwh.ToString(CultureInfo.InvariantCulture)} kWh cannot be delivered at {im.PowerKw.ToString(CultureInfo.InvariantCulture)} kW in {hours.ToString("0.##", CultureInfo.InvariantCulture)} h");
                }

                windows.Add(window);
            }

            immersions.Add(new ImmersionHeater { Id = im.Id, PowerKw = im.PowerKw, ValuePencePerKwh = im.ValuePencePerKwh, Windows = windows });
        }

        EvSpec? ev = null;
        if (dto.Ev is { } car)
        {
            ev = new EvSpec
            {
                Id = car.Id ?? "car",
                MinKw = car.MinKw ?? throw new BacktestInputException($"{sourceName}: field ev.minKw: missing"),
                MaxKw = car.MaxKw ?? throw new BacktestInputException($"{sourceName}: field ev.maxKw: missing"),
                Efficiency = car.Efficiency ?? throw new BacktestInputException($"{sourceName}: field ev.efficiency: missing"),
            };
        }

        var site = new BacktestSite { Battery = dto.Battery, Grid = dto.Grid ?? new GridSpec(), Immersions = immersions, TimeZone = zone, Ev = ev };
        // The battery, grid and car's charger must pass the same checks as a plan problem's.
        var probe = new PlanProblem
        {
            Start = DateTimeOffset.UnixEpoch, Battery = site.Battery, Grid = site.Grid, Ev = site.Ev,
            Slots = [new SlotInput { ImportPence = 0, ExportPence = 0, LoadKwh = 0 }],
        };
        if (PlanProblemValidator.Validate(probe) is { Count: > 0 } errors)
        {
            throw new BacktestInputException($"{sourceName}: field {errors[0]}");
        }

        return site;

        TimeOnly Time(string? text, string field) =>
            TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                ? t
                : throw new BacktestInputException($"{sourceName}: field {field}: '{text}' is not a local time HH:mm");
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    internal sealed record SiteDto
    {
        public BatterySpec? Battery { get; init; }
        public GridSpec? Grid { get; init; }
        public List<ImmersionDto>? Immersions { get; init; }
        public string? Timezone { get; init; }
        public EvDto? Ev { get; init; }
    }

    /// <summary>The car's charger; its needs come from the history's EV columns.</summary>
    internal sealed record EvDto
    {
        public string? Id { get; init; }
        public double? MinKw { get; init; }
        public double? MaxKw { get; init; }
        public double? Efficiency { get; init; }
    }

    internal sealed record ImmersionDto
    {
        public string? Id { get; init; }
        public double PowerKw { get; init; }
        public double ValuePencePerKwh { get; init; }
        public List<WindowDto>? Windows { get; init; }
    }

    internal sealed record WindowDto
    {
        public string? FromLocal { get; init; }
        public string? ToLocal { get; init; }
        public double MinKwh { get; init; }
        public double? MaxKwh { get; init; }
    }
}

/// <summary>Compile-time JSON metadata for SITE.json: camelCase, comments and trailing commas allowed, unknown fields errors.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(SiteJson.SiteDto))]
internal sealed partial class SiteJsonContext : JsonSerializerContext;
