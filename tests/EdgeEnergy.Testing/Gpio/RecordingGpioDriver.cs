using System.Device.Gpio;

namespace EdgeEnergy.Testing.Gpio;

/// <summary>
/// A GPIO chip at the System.Device.Gpio driver boundary (where libgpiod would be): <see cref="PinCount"/> lines,
/// each with a mode and a level, and a log of every call in order. Faults are injected per line: <see cref="Busy"/>
/// lines refuse to open as libgpiod does for a line another consumer holds (EBUSY); <see cref="Stuck"/> lines read the
/// given level whatever is driven (a shorted or externally driven line).
/// </summary>
/// <param name="pinCount">Lines on the chip (the Pi 5's RP1 has 54).</param>
/// <param name="label">The chip's label as the kernel reports it (pinctrl-rp1 is the Pi 5's 40-pin header).</param>
public sealed class RecordingGpioDriver(int pinCount = 54, string label = "pinctrl-rp1") : GpioDriver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (PinMode Mode, PinValue Level)> _open = [];
    private readonly List<string> _calls = [];

    /// <summary>Lines another program holds: opening them fails.</summary>
    public HashSet<int> Busy { get; } = [];

    /// <summary>Lines that read a fixed level whatever is written.</summary>
    public Dictionary<int, PinValue> Stuck { get; } = [];

    /// <summary>Every call, in order: <c>open 17</c>, <c>mode 17 Output low</c>, <c>write 17 high</c>, <c>close 17</c>, <c>dispose</c>.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The level last driven on <paramref name="pin"/> (also after it was closed), or null if never driven.</summary>
    public PinValue? LastDriven(int pin)
    {
        lock (_lock)
        {
            for (var i = _calls.Count - 1; i >= 0; i--)
            {
                var parts = _calls[i].Split(' ');
                if (parts.Length >= 3 && parts[1] == pin.ToString(System.Globalization.CultureInfo.InvariantCulture) && parts[0] is "write" or "mode" && parts[^1] is "high" or "low")
                {
                    return parts[^1] == "high" ? PinValue.High : PinValue.Low;
                }
            }

            return null;
        }
    }

    public bool IsOpen(int pin)
    {
        lock (_lock)
        {
            return _open.ContainsKey(pin);
        }
    }

    public PinMode? ModeOf(int pin)
    {
        lock (_lock)
        {
            return _open.TryGetValue(pin, out var p) ? p.Mode : null;
        }
    }

    public bool Disposed { get; private set; }

    protected override int PinCount => pinCount;

    public override GpioChipInfo GetChipInfo() => new(0, "gpiochip0", label, pinCount);

    protected override void OpenPin(int pinNumber)
    {
        lock (_lock)
        {
            Check(pinNumber);
            if (Busy.Contains(pinNumber))
            {
                throw new IOException($"Pin {pinNumber} is not available: Device or resource busy");
            }

            _open[pinNumber] = (PinMode.Input, PinValue.Low);
            _calls.Add($"open {pinNumber}");
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            _open.Remove(pinNumber);
            _calls.Add($"close {pinNumber}");
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            var pin = Opened(pinNumber);
            _open[pinNumber] = (mode, pin.Level);
            _calls.Add($"mode {pinNumber} {mode}");
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_lock)
        {
            Opened(pinNumber);
            _open[pinNumber] = (mode, initialValue);
            _calls.Add($"mode {pinNumber} {mode} {Name(initialValue)}");
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return Opened(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output or PinMode.InputPullUp or PinMode.InputPullDown;

    protected override PinValue Read(int pinNumber)
    {
        lock (_lock)
        {
            var pin = Opened(pinNumber);
            return Stuck.TryGetValue(pinNumber, out var stuck) ? stuck : pin.Level;
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            var pin = Opened(pinNumber);
            if (pin.Mode != PinMode.Output)
            {
                throw new InvalidOperationException($"Pin {pinNumber} is not an output");
            }

            _open[pinNumber] = (pin.Mode, value);
            _calls.Add($"write {pinNumber} {Name(value)}");
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("edge events are not simulated");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("edge events are not simulated");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("edge events are not simulated");

    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            Disposed = true;
            _calls.Add("dispose");
        }

        base.Dispose(disposing);
    }

    private (PinMode Mode, PinValue Level) Opened(int pinNumber) =>
        _open.TryGetValue(pinNumber, out var pin) ? pin : throw new InvalidOperationException($"Pin {pinNumber} is not open");

    private void Check(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), $"line {pinNumber} is not on this {pinCount}-line chip");
        }
    }

    private static string Name(PinValue value) => value == PinValue.High ? "high" : "low";
}

/// <summary>Hands out <see cref="RecordingGpioDriver"/>s per chip number, as libgpiod would open /dev/gpiochipN.</summary>
public sealed class RecordingGpioChips
{
    private readonly Dictionary<int, RecordingGpioDriver> _chips = [];

    public RecordingGpioDriver this[int chip]
    {
        get
        {
            lock (_chips)
            {
                if (!_chips.TryGetValue(chip, out var driver))
                {
                    driver = new RecordingGpioDriver();
                    _chips[chip] = driver;
                }

                return driver;
            }
        }
    }

    public int Opened
    {
        get
        {
            lock (_chips)
            {
                return _chips.Count;
            }
        }
    }
}
