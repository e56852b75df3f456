using System.Globalization;

namespace EdgeEnergy.Adapters.Gpio;

/// <summary>
/// A GPIO relay address, <c>gpio://17</c> or <c>gpio://17?chip=0&amp;active=low</c>: the line (BCM number) on the GPIO
/// character device <c>/dev/gpiochipN</c> (default chip 0) and the level that energises the relay (default
/// <c>high</c>; many opto-isolated relay modules are <c>low</c>).
/// </summary>
public sealed record GpioRelayAddress(int Chip, int Pin, bool ActiveLow)
{
    /// <summary>The relay address prefix.</summary>
    public const string Scheme = "gpio://";

    /// <summary>Highest line number accepted before the chip is opened (the Pi 5's RP1 has 54 lines; a chip's real
    /// count is checked when it is opened).</summary>
    public const int MaxPin = 255;

    /// <summary>Parses <paramref name="address"/>; every error names <paramref name="key"/> and what is wrong.</summary>
    public static GpioRelayAddress Parse(string address, string key)
    {
        if (string.IsNullOrWhiteSpace(address) || !address.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new FormatException($"{key} '{address}' is not a GPIO relay address like gpio://17?chip=0&active=low");
        }

        var rest = address[Scheme.Length..];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var pinText = q < 0 ? rest : rest[..q];
        if (pinText.Length == 0)
        {
            throw new FormatException($"{key} '{address}' needs the BCM pin number after gpio:// (e.g. gpio://17)");
        }

        if (!int.TryParse(pinText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pin) || pin is < 0 or > MaxPin)
        {
            throw new FormatException($"{key} '{address}': pin '{pinText}' must be a BCM GPIO number 0-{MaxPin} (e.g. 17 for header pin 11)");
        }

        var chip = 0;
        var activeLow = false;
        foreach (var pair in q < 0 ? [] : rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var e and > 0 ? (pair[..e], pair[(e + 1)..]) : (pair, "");
            switch (name)
            {
                case "chip":
                    chip = int.TryParse(value.StartsWith("gpiochip", StringComparison.Ordinal) ? value["gpiochip".Length..] : value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 63
                        ? c
                        : throw new FormatException($"{key} '{address}': chip '{value}' must be 0-63 (/dev/gpiochipN; 0 on a Pi 1-5 with a current kernel, 4 on a Pi 5 with a kernel before 6.6.45)");
                    break;
                case "active":
                    activeLow = value switch
                    {
                        "high" => false,
                        "low" => true,
                        _ => throw new FormatException($"{key} '{address}': active '{value}' must be high (pin high = relay on) or low (pin low = relay on)"),
                    };
                    break;
                default:
                    throw new FormatException($"{key} '{address}': unknown parameter '{name}' (expected chip= and active=)");
            }
        }

        return new GpioRelayAddress(chip, pin, activeLow);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GPIO{Pin} on gpiochip{Chip} (active {(ActiveLow ? "low" : "high")})");
}
