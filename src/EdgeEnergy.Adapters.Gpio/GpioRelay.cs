using System.Device.Gpio;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Gpio;

/// <summary>A GPIO relay that cannot be opened or driven; the message names the config key and what to do. An
/// <see cref="IOException"/>, so the service reports it as a device it cannot start with, not as a crash.</summary>
public sealed class GpioRelayException : IOException
{
    public GpioRelayException() { }
    public GpioRelayException(string message) : base(message) { }
    public GpioRelayException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A relay on a Raspberry Pi GPIO line. The line is requested as an output once, already at the OFF level (no glitch
/// on), and driven OFF again on dispose before it is released, so a heater is off whenever the service stops cleanly.
/// Every switch is read back: a line that does not hold the level we drove is an error. A GPIO relay has no power
/// reading; "thermostat satisfied" is learnt from the house load, as for every relay kind (<c>ImmersionSwitcher</c>).
/// With a <see cref="WriteGate"/> that is closed (shadow mode) the line is not requested at all (requesting it as an
/// output drives it), switching is refused, and dispose releases without driving; the line is requested at the first
/// switch the gate lets through.
/// </summary>
public sealed class GpioRelay : ISwitchedOutput, IDisposable
{
    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly WriteGate? _gate;
    private bool _disposed;
    private bool _opened;

    /// <param name="controller">The controller of the chip the line is on.</param>
    /// <param name="address">Line, chip and active level.</param>
    /// <param name="key">The config key the address came from, named in every error.</param>
    /// <param name="logger">Where opening and release are logged.</param>
    /// <param name="shouldDispose">True when this relay owns <paramref name="controller"/> (false when shared by several relays).</param>
    /// <param name="gate">The service's write gate; null: always open (CLI tools).</param>
    public GpioRelay(GpioController controller, GpioRelayAddress address, string key, ILogger? logger = null, bool shouldDispose = true, WriteGate? gate = null)
    {
        _gate = gate;
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(address);
        _controller = controller;
        Address = address;
        Key = key;
        _logger = logger ?? NullLogger.Instance;
        _shouldDispose = shouldDispose;

        int lines;
        try
        {
            lines = controller.PinCount;
        }
        catch (Exception e) when (IsDriverError(e))
        {
            throw new GpioRelayException($"{key}: cannot read the line count of gpiochip{address.Chip}: {e.Message}", e);
        }

        if (address.Pin >= lines)
        {
            throw new GpioRelayException($"{key}: pin {address.Pin} is not on gpiochip{address.Chip}, which has lines 0-{lines - 1} (wrong chip=? a Pi 5 on a kernel before 6.6.45 has its header on chip=4)");
        }

        if (_gate is not { IsOpen: false })
        {
            Open();
        }
    }

    /// <summary>Requests the line as an output at the OFF level (callers hold the lock or are the constructor).</summary>
    private void Open()
    {
        try
        {
            _controller.OpenPin(Address.Pin, PinMode.Output, Level(false));
        }
        catch (Exception e) when (IsDriverError(e))
        {
            throw new GpioRelayException($"{Key}: {Address} is not available: {e.Message} (claimed by another program or a kernel driver such as a dtoverlay? `gpioinfo` shows who holds it)", e);
        }

        _opened = true;
        _logger.GpioRelayOpened(Key, Address.ToString());
    }

    public GpioRelayAddress Address { get; }

    public string Key { get; }

    public Task SetAsync(bool energised, CancellationToken cancellationToken)
    {
        try
        {
            _gate?.Check($"{Key}: switching {Address} {(energised ? "on" : "off")}");
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_opened)
                {
                    Open();
                }

                var level = Level(energised);
                _controller.Write(Address.Pin, level);
                var back = _controller.Read(Address.Pin);
                if (back != level)
                {
                    throw new GpioRelayException($"{Key}: {Address} reads {Describe(back)} after being driven {Describe(level)}: is another program or a short holding the line?");
                }
            }

            return Task.CompletedTask;
        }
        catch (Exception e) when (IsDriverError(e))
        {
            return Task.FromException(new GpioRelayException($"{Key}: switching {Address} {(energised ? "on" : "off")} failed: {e.Message}", e));
        }
        catch (Exception e) when (e is GpioRelayException or WriteRefusedException)
        {
            return Task.FromException(e);
        }
    }

    public Task<bool> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                // A line never requested (shadow mode) was never switched on by us.
                return Task.FromResult(_opened && _controller.Read(Address.Pin) == Level(true));
            }
        }
        catch (Exception e) when (IsDriverError(e))
        {
            return Task.FromException<bool>(new GpioRelayException($"{Key}: reading {Address} failed: {e.Message}", e));
        }
    }

    /// <summary>Drives the relay OFF, releases the line and (when owned) the controller. Errors are logged, not thrown.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (_opened)
                {
                    // In shadow mode nothing is driven, not even OFF at stop: the hand-back switched it off already.
                    if (_gate is not { IsOpen: false })
                    {
                        _controller.Write(Address.Pin, Level(false));
                    }

                    _controller.ClosePin(Address.Pin);
                }

                _logger.GpioRelayReleased(Key, Address.ToString());
            }
            catch (Exception e) when (IsDriverError(e))
            {
                _logger.GpioRelayReleaseFailed(Key, Address.ToString(), e.Message);
            }

            if (_shouldDispose)
            {
                _controller.Dispose();
            }
        }
    }

    private PinValue Level(bool energised) => energised != Address.ActiveLow ? PinValue.High : PinValue.Low;

    private static string Describe(PinValue value) => value == PinValue.High ? "high" : "low";

    private static bool IsDriverError(Exception e) =>
        e is not (ObjectDisposedException or GpioRelayException or WriteRefusedException) and (IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException or NotSupportedException);
}
