using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Gpio;

/// <summary>
/// The GPIO relays of the appliance: one controller per chip, shared by its relays. Disposing the bank drives every
/// relay OFF and releases the lines (the host disposes it on stop).
/// </summary>
/// <param name="opener">Opens a chip.</param>
/// <param name="loggerFactory">Logging of the relays.</param>
/// <param name="gate">The service's write gate, passed to every relay; null: always open.</param>
public sealed class GpioRelayBank(IGpioChipOpener opener, ILoggerFactory? loggerFactory = null, EdgeEnergy.Domain.Control.WriteGate? gate = null) : IDisposable
{
    private readonly Dictionary<int, GpioController> _controllers = [];
    private readonly List<GpioRelay> _relays = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Opens the relay at <paramref name="address"/> (from config key <paramref name="key"/>), driven OFF.</summary>
    public GpioRelay Open(GpioRelayAddress address, string key)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_relays.FirstOrDefault(r => r.Address.Chip == address.Chip && r.Address.Pin == address.Pin) is { } taken)
            {
                throw new GpioRelayException($"{key}: {address} is already the relay of {taken.Key}");
            }

            if (!_controllers.TryGetValue(address.Chip, out var controller))
            {
                controller = new GpioController(opener.Open(address.Chip, key));
                _controllers[address.Chip] = controller;
            }

            var relay = new GpioRelay(controller, address, key, loggerFactory?.CreateLogger<GpioRelay>(), shouldDispose: false, gate: gate);
            _relays.Add(relay);
            return relay;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var relay in _relays)
            {
                relay.Dispose();
            }

            foreach (var controller in _controllers.Values)
            {
                controller.Dispose();
            }
        }
    }
}
