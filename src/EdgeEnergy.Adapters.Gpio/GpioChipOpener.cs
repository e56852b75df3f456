using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Runtime.InteropServices;

namespace EdgeEnergy.Adapters.Gpio;

/// <summary>Opens the GPIO chip a relay is on; the caller owns (disposes) the driver.</summary>
public interface IGpioChipOpener
{
    /// <summary>Opens <c>/dev/gpiochip<paramref name="chip"/></c>; failures are a <see cref="GpioRelayException"/> naming
    /// <paramref name="key"/> (the config key of the relay) and what to do.</summary>
    GpioDriver Open(int chip, string key);
}

/// <summary>
/// The Linux GPIO character device through libgpiod, and nothing else (no sysfs, no <c>/dev/gpiomem</c>): the ABI-2
/// driver (<see cref="LibGpiodV2Driver"/>) when <c>libgpiod.so.3</c> is installed (Debian 13 / Raspberry Pi OS trixie:
/// package <c>libgpiod3</c>), else the ABI-1 driver (<see cref="LibGpiodDriver"/>, <c>libgpiod.so.2</c>: bookworm, Ubuntu
/// 24.04, package <c>libgpiod2</c>). Before the driver is made, the device node is checked to exist and to open
/// read-write, so a wrong chip or a missing group membership is reported as such rather than as a libgpiod errno.
/// </summary>
/// <param name="deviceDirectory">Where the <c>gpiochipN</c> nodes are (<c>/dev</c>).</param>
/// <param name="createDriver">Makes the driver for a chip number once its node checked out (default: libgpiod as above).</param>
public sealed class LibGpiodChipOpener(string deviceDirectory = "/dev", Func<int, GpioDriver>? createDriver = null) : IGpioChipOpener
{
    public GpioDriver Open(int chip, string key)
    {
        var path = Path.Combine(deviceDirectory, $"gpiochip{chip}");
        if (!File.Exists(path))
        {
            var present = Directory.Exists(deviceDirectory)
                ? Directory.EnumerateFileSystemEntries(deviceDirectory, "gpiochip*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
                : [];
            throw new GpioRelayException(present.Count == 0
                ? $"{key}: {path} does not exist and there is no GPIO chip here at all (not a Raspberry Pi, or /dev/gpiochip* not passed into the container)"
                : $"{key}: {path} does not exist (wrong chip=?); this machine has {string.Join(", ", present)}. A Pi 1-4 and a Pi 5 on a current kernel use chip=0; a Pi 5 on a kernel before 6.6.45 uses chip=4");
        }

        try
        {
            using var probe = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException e)
        {
            throw PermissionDenied(key, path, e);
        }
        catch (IOException e)
        {
            throw new GpioRelayException($"{key}: cannot open {path}: {e.Message}", e);
        }

        GpioDriver driver;
        try
        {
            driver = (createDriver ?? CreateLibGpiodDriver)(chip);
        }
        catch (UnauthorizedAccessException e)
        {
            throw PermissionDenied(key, path, e);
        }
        catch (DllNotFoundException e)
        {
            throw new GpioRelayException($"{key}: libgpiod is not installed (neither libgpiod.so.3 nor libgpiod.so.2): apt install libgpiod3 (Debian 13 / Raspberry Pi OS trixie) or libgpiod2 (bookworm)", e);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException or ArgumentException)
        {
            throw new GpioRelayException($"{key}: libgpiod cannot open {path}: {e.Message}", e);
        }

        if (NotTheHeader(driver) is { } label)
        {
            driver.Dispose();
            throw new GpioRelayException($"{key}: gpiochip{chip} is '{label}', the Raspberry Pi 5's SoC GPIOs, not the 40-pin header: the header is the chip labelled pinctrl-rp1 (chip=4 on a kernel before 6.6.45; `gpiodetect` lists them)");
        }

        return driver;
    }

    /// <summary>The chip's label when it is one of the Pi 5's on-SoC controllers (gpio-brcmstb), whose lines drive the
    /// board itself (LEDs, PCIe, fan) and never a relay on the header; null otherwise or when the driver cannot tell.</summary>
    private static string? NotTheHeader(GpioDriver driver)
    {
        try
        {
            var label = driver.GetChipInfo().Label;
            return label.StartsWith("gpio-brcmstb", StringComparison.Ordinal) ? label : null;
        }
        catch (Exception e) when (e is NotSupportedException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    private static GpioRelayException PermissionDenied(string key, string path, Exception inner) =>
        new($"{key}: permission denied on {path}: the service user needs the gpio group (systemd: SupplementaryGroups=gpio; balenaOS: run the container as root)", inner);

    /// <summary>The libgpiod driver for whichever libgpiod ABI is installed (ABI 2 first).</summary>
    public static GpioDriver CreateLibGpiodDriver(int chip)
    {
        if (TryLoad("libgpiod.so.3"))
        {
            return new LibGpiodV2Driver(chip);
        }

        if (TryLoad("libgpiod.so.2"))
        {
            return new LibGpiodDriver(chip);
        }

        throw new DllNotFoundException("libgpiod.so.3 and libgpiod.so.2 not found");
    }

    private static bool TryLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
