using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>An electricity tariff code split up: <c>E-1R-{Product}-{Region}</c> (or <c>E-2R-</c> for day/night).</summary>
public sealed partial record OctopusTariffCode(string Code, string Product, string Region, bool TwoRegister)
{
    /// <summary>Intelligent Octopus Go: the product code starts <c>INTELLI-</c> (e.g. <c>INTELLI-VAR-22-10-14</c>, <c>INTELLI-BB-VAR-23-03-01</c>).</summary>
    public static bool IsIntelligentGo(string? product) => product?.Trim().StartsWith("INTELLI-", StringComparison.OrdinalIgnoreCase) == true;

    public static OctopusTariffCode? TryParse(string? code)
    {
        var match = code is null ? null : Pattern().Match(code.Trim().ToUpperInvariant());
        return match is { Success: true } m ? new OctopusTariffCode(m.Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[1].Value == "2R") : null;
    }

    public override string ToString() => Code;

    [GeneratedRegex("^E-(1R|2R)-([A-Z0-9]+(?:-[A-Z0-9]+)*)-([A-P])$")]
    private static partial Regex Pattern();
}

/// <summary>One electricity meter point of the account: its MPAN, whether it exports, its meters' serials and the tariff valid now (null: no current agreement).</summary>
public sealed record OctopusMeterPoint(string PropertyId, string Mpan, bool IsExport, IReadOnlyList<string> Serials, OctopusTariffCode? CurrentTariff);

/// <summary>
/// What the account endpoint said at <see cref="ReadUtc"/>: every electricity meter point of every property, and the
/// import and export points in use (the first of each direction with an agreement valid now).
/// </summary>
public sealed record OctopusAccount(string Number, IReadOnlyList<OctopusMeterPoint> MeterPoints, IReadOnlyList<string> Skipped, DateTimeOffset ReadUtc)
{
    public OctopusMeterPoint? Import => MeterPoints.FirstOrDefault(p => !p.IsExport && p.CurrentTariff is not null);

    public OctopusMeterPoint? Export => MeterPoints.FirstOrDefault(p => p.IsExport && p.CurrentTariff is not null);

    /// <summary>The meter point of <paramref name="direction"/> in use as a meter the consumption endpoint can read (its first serial), or null.</summary>
    public OctopusMeter? Meter(MeterDirection direction)
    {
        var point = direction == MeterDirection.Import ? Import : Export;
        return point is { Serials.Count: > 0 }
            ? new OctopusMeter(direction, point.Mpan, point.Serials[0].ToUpperInvariant(), $"the account's {direction.ToString().ToLowerInvariant()} MPAN", "serial")
            : null;
    }
}

/// <summary>Reads <c>/v1/accounts/{number}/</c> answers. Anything unexpected in one meter point skips that point with the reason, never the account.</summary>
public static class OctopusAccountWire
{
    public static OctopusAccount Parse(JsonElement root, DateTimeOffset nowUtc)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Array)
        {
            throw new OctopusAccountException("the account answer has no 'properties' list");
        }

        var number = root.TryGetProperty("number", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "?";
        var points = new List<OctopusMeterPoint>();
        var skipped = new List<string>();
        var p = 0;
        foreach (var property in properties.EnumerateArray())
        {
            p++;
            var propertyId = property.TryGetProperty("id", out var id) ? id.ToString() : p.ToString(CultureInfo.InvariantCulture);
            if (!property.TryGetProperty("electricity_meter_points", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var point in list.EnumerateArray())
            {
                if (ParsePoint(point, propertyId, nowUtc, out var why) is { } parsed)
                {
                    points.Add(parsed);
                }
                else
                {
                    skipped.Add($"property {propertyId}: {why}");
                }
            }
        }

        return new OctopusAccount(number, points, skipped, nowUtc);
    }

    private static OctopusMeterPoint? ParsePoint(JsonElement point, string propertyId, DateTimeOffset nowUtc, out string why)
    {
        why = string.Empty;
        if (!point.TryGetProperty("mpan", out var mpanElement) || mpanElement.ValueKind != JsonValueKind.String || !OctopusOptions.MpanPattern().IsMatch(mpanElement.GetString()!))
        {
            why = "a meter point without a 13-digit 'mpan' skipped";
            return null;
        }

        var mpan = mpanElement.GetString()!;
        var isExport = point.TryGetProperty("is_export", out var export) && export.ValueKind == JsonValueKind.True;
        var serials = new List<string>();
        if (point.TryGetProperty("meters", out var meters) && meters.ValueKind == JsonValueKind.Array)
        {
            foreach (var meter in meters.EnumerateArray())
            {
                if (meter.TryGetProperty("serial_number", out var serial) && serial.ValueKind == JsonValueKind.String
                    && OctopusOptions.SerialPattern().IsMatch(serial.GetString()!.Trim()))
                {
                    serials.Add(serial.GetString()!.Trim());
                }
            }
        }

        OctopusTariffCode? current = null;
        if (point.TryGetProperty("agreements", out var agreements) && agreements.ValueKind == JsonValueKind.Array)
        {
            foreach (var agreement in agreements.EnumerateArray())
            {
                var from = OctopusHttp.Instant(agreement, "valid_from");
                var to = OctopusHttp.Instant(agreement, "valid_to");
                var code = agreement.TryGetProperty("tariff_code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                // valid now: started (or no start given) and not ended (valid_to null: until further notice)
                if ((from is null || from <= nowUtc) && (to is null || to > nowUtc) && OctopusTariffCode.TryParse(code) is { } tariff)
                {
                    current = tariff;
                }
            }
        }

        return new OctopusMeterPoint(propertyId, mpan, isExport, serials, current);
    }
}

/// <summary>The account or GraphQL API could not be read (network, 5xx, unexpected answer).</summary>
public class OctopusAccountException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Octopus refused the key or the account (401/403): bad input, named by its configuration keys, never the key's value.</summary>
public sealed class OctopusAccountRefusedException(string message) : OctopusAccountException(message);
