using System.Globalization;
using System.Text.Json;

namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>
/// Turns command payloads (from MQTT, the REST API or the CLI) into overrides and settings, checked against the hard
/// limits. Pure: the time and the limits are arguments. Anything malformed, out of range or unknown is rejected with
/// a reason that names the value and what is allowed; nothing is clamped or defaulted silently.
/// </summary>
public static class OverrideCommandParser
{
    /// <summary>Longest payload looked at; anything longer is rejected unread.</summary>
    public const int MaxPayloadLength = 1024;

    /// <summary>
    /// A mode command: either a bare mode name (what a Home Assistant select sends, e.g. <c>force-charge</c>) or a JSON
    /// object <c>{"mode":"force-charge","durationMinutes":30,"powerW":2000,"reserveSocPercent":20}</c> (all but mode
    /// optional). The result is the override to apply, or null for <c>auto</c> (clear the override).
    /// </summary>
    public static CommandResult<Override?> ParseMode(string? payload, int durationMinutes, DateTimeOffset now, OverrideLimits limits, string source)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (CheckLength(payload) is { } lengthProblem)
        {
            return CommandResult.Reject<Override?>(lengthProblem);
        }

        var text = payload!.Trim();
        string? modeText = text;
        double? powerW = null;
        double? reserve = null;
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                foreach (var property in root.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "mode" when property.Value.ValueKind == JsonValueKind.String:
                            modeText = property.Value.GetString();
                            break;
                        case "durationMinutes" when property.Value.TryGetDouble(out var d):
                            var duration = CheckDuration(d, limits);
                            if (!duration.IsValid)
                            {
                                return CommandResult.Reject<Override?>(duration.Error!);
                            }

                            durationMinutes = duration.Value;
                            break;
                        case "powerW" when property.Value.TryGetDouble(out var p):
                            powerW = p;
                            break;
                        case "reserveSocPercent" when property.Value.TryGetDouble(out var r):
                            reserve = r;
                            break;
                        case "mode" or "durationMinutes" or "powerW" or "reserveSocPercent":
                            return CommandResult.Reject<Override?>($"'{property.Name}' has the wrong type ({property.Value.ValueKind})");
                        default:
                            return CommandResult.Reject<Override?>(
                                $"unknown field '{property.Name}' (allowed: mode, durationMinutes, powerW, reserveSocPercent)");
                    }
                }

                if (!root.TryGetProperty("mode", out _))
                {
                    return CommandResult.Reject<Override?>("JSON command has no 'mode'");
                }
            }
            catch (JsonException ex)
            {
                return CommandResult.Reject<Override?>($"malformed JSON: {ex.Message}");
            }
        }

        if (!OverrideModeNames.TryParse(modeText, out var mode))
        {
            return CommandResult.Reject<Override?>(
                $"unknown mode '{Shorten(modeText)}' (allowed: {string.Join(", ", OverrideModeNames.All)})");
        }

        if (mode == OverrideMode.Auto)
        {
            return powerW is null && reserve is null
                ? CommandResult.Accept<Override?>(null)
                : CommandResult.Reject<Override?>("mode 'auto' takes no powerW or reserveSocPercent");
        }

        if (powerW is { } power)
        {
            var max = mode switch
            {
                OverrideMode.ForceCharge => limits.MaxChargePowerW,
                OverrideMode.ForceDischarge => limits.MaxDischargePowerW,
                _ => double.NaN,
            };
            if (double.IsNaN(max))
            {
                return CommandResult.Reject<Override?>($"powerW only applies to force-charge and force-discharge, not {mode.ToWire()}");
            }

            if (!(power > 0 && power <= max))
            {
                return CommandResult.Reject<Override?>(
                    $"powerW {Format(power)} W is outside the hard limit 0 < powerW <= {Format(max)} W for {mode.ToWire()}");
            }
        }

        if (reserve is { } r2 && RangeProblem("reserveSocPercent", r2, limits.MinReserveSocPercent, limits.MaxReserveSocPercent, "%") is { } reserveProblem)
        {
            return CommandResult.Reject<Override?>(reserveProblem);
        }

        if (durationMinutes < limits.MinDurationMinutes || durationMinutes > limits.MaxDurationMinutes)
        {
            return CommandResult.Reject<Override?>(
                $"override duration {durationMinutes} min is outside {limits.MinDurationMinutes}..{limits.MaxDurationMinutes} min");
        }

        return CommandResult.Accept<Override?>(new Override
        {
            Mode = mode,
            StartUtc = now,
            ExpiresUtc = now.AddMinutes(durationMinutes),
            PowerW = powerW,
            ReserveSocPercent = reserve,
            Source = source,
        });
    }

    /// <summary>An override duration in whole minutes (a number; "30" and "30.0" are both 30).</summary>
    public static CommandResult<int> ParseDurationMinutes(string? payload, OverrideLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var number = ParseNumber(payload, "override duration");
        return number.IsValid ? CheckDuration(number.Value, limits) : CommandResult.Reject<int>(number.Error!);
    }

    /// <summary>A reserve SoC in %, inside the hard limits.</summary>
    public static CommandResult<double> ParseReserveSocPercent(string? payload, OverrideLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var number = ParseNumber(payload, "reserve SoC");
        if (!number.IsValid)
        {
            return number;
        }

        return RangeProblem("reserve SoC", number.Value, limits.MinReserveSocPercent, limits.MaxReserveSocPercent, "%") is { } problem
            ? CommandResult.Reject<double>(problem)
            : number;
    }

    /// <summary>A switch command: exactly <c>ON</c> or <c>OFF</c> (Home Assistant's default payloads).</summary>
    public static CommandResult<bool> ParseSwitch(string? payload) => payload switch
    {
        "ON" => CommandResult.Accept<bool>(true),
        "OFF" => CommandResult.Accept<bool>(false),
        _ => CommandResult.Reject<bool>($"switch payload '{Shorten(payload)}' is neither ON nor OFF"),
    };

    /// <summary>The car's departure (Home Assistant text entity): a UK local time of day <c>HH:MM</c>, 24-hour.</summary>
    public static CommandResult<TimeSpan> ParseTimeOfDay(string? payload)
    {
        if (CheckLength(payload) is { } lengthProblem)
        {
            return CommandResult.Reject<TimeSpan>(lengthProblem);
        }

        var text = payload!.Trim();
        return text.Length == 5 && TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? CommandResult.Accept(time.ToTimeSpan())
            : CommandResult.Reject<TimeSpan>($"departure '{Shorten(payload)}' is not a time of day HH:MM (00:00..23:59)");
    }

    /// <summary>The car's target state of charge (%): a whole number within <see cref="EvTargetSocMin"/>..100.</summary>
    public static CommandResult<int> ParseEvTargetSocPercent(string? payload)
    {
        var number = ParseNumber(payload, "car target SoC");
        if (!number.IsValid)
        {
            return CommandResult.Reject<int>(number.Error!);
        }

        if (number.Value != Math.Floor(number.Value))
        {
            return CommandResult.Reject<int>($"car target SoC {Format(number.Value)} % is not a whole number");
        }

        return RangeProblem("car target SoC", number.Value, EvTargetSocMin, 100, "%") is { } problem
            ? CommandResult.Reject<int>(problem)
            : CommandResult.Accept((int)number.Value);
    }

    /// <summary>The lowest target a person may set for the car, %: below it a target is almost surely a slip of the slider.</summary>
    public const int EvTargetSocMin = 10;

    /// <summary>The Mode select: exactly <c>active</c> or <c>shadow</c> (the select's options).</summary>
    public static CommandResult<Control.ControlMode> ParseControlMode(string? payload) => payload switch
    {
        Control.ControlModes.Active => CommandResult.Accept(Control.ControlMode.Active),
        Control.ControlModes.Shadow => CommandResult.Accept(Control.ControlMode.Shadow),
        _ => CommandResult.Reject<Control.ControlMode>($"mode '{Shorten(payload)}' is neither active nor shadow"),
    };

    /// <summary>A button press: exactly <c>PRESS</c> (Home Assistant's default payload_press).</summary>
    public static CommandResult<bool> ParseButton(string? payload) => payload == "PRESS"
        ? CommandResult.Accept<bool>(true)
        : CommandResult.Reject<bool>($"button payload '{Shorten(payload)}' is not PRESS");

    private static CommandResult<double> ParseNumber(string? payload, string what)
    {
        if (CheckLength(payload) is { } lengthProblem)
        {
            return CommandResult.Reject<double>(lengthProblem);
        }

        if (!double.TryParse(payload!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return CommandResult.Reject<double>($"{what} '{Shorten(payload)}' is not a number");
        }

        return CommandResult.Accept<double>(value);
    }

    private static CommandResult<int> CheckDuration(double minutes, OverrideLimits limits)
    {
        if (!double.IsFinite(minutes) || minutes != Math.Floor(minutes))
        {
            return CommandResult.Reject<int>($"override duration {Format(minutes)} min is not a whole number of minutes");
        }

        return RangeProblem("override duration", minutes, limits.MinDurationMinutes, limits.MaxDurationMinutes, " min") is { } problem
            ? CommandResult.Reject<int>(problem)
            : CommandResult.Accept<int>((int)minutes);
    }

    private static string? RangeProblem(string what, double value, double min, double max, string unit) =>
        value >= min && value <= max ? null : $"{what} {Format(value)}{unit} is outside the hard limits {Format(min)}..{Format(max)}{unit}";

    private static string? CheckLength(string? payload) => payload switch
    {
        null or "" => "empty payload",
        { Length: > MaxPayloadLength } => $"payload of {payload.Length} characters is longer than {MaxPayloadLength}",
        _ => null,
    };

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Echoes user input into a reason safely: at most 40 characters.</summary>
    private static string Shorten(string? text) => text is null ? "(null)" : text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
