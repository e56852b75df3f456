using System.Globalization;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// The control mode (docs/contracts.md section 5) and the <see cref="WriteGate"/> that enforces it. At start the mode is
/// <c>Control:Mode</c>, unless a mode was set over MQTT since the configuration last changed: the store keeps the mode set
/// over MQTT together with the <c>Control:Mode</c> in force when it was set; while <c>Control:Mode</c> still says the
/// same, the stored mode wins; once it says something else, the configuration wins and the stored choice is cleared
/// (the newer choice wins either way).
/// Switching over MQTT: shadow → active needs a second <c>active</c> within <see cref="ConfirmWindow"/> of the first;
/// active → shadow closes the gate at once, hands the inverter back (<see cref="IInverterHandBack"/>, the last writes
/// allowed, through <see cref="WriteGate.HandBack"/>) and records it in the audit log.
/// </summary>
internal sealed class ControlModeService : IHostedService, IDisposable
{
    internal const string ModeKey = "control.mode";
    internal const string ModeConfigKey = "control.mode_config";

    /// <summary>How long a first <c>active</c> command waits for its confirmation.</summary>
    public static readonly TimeSpan ConfirmWindow = TimeSpan.FromMinutes(2);

    private readonly ISettingsStore? _store;
    private readonly IApplianceStatusPublisher? _status;
    private readonly TimeProvider _time;
    private readonly ILogger<ControlModeService> _logger;
    private readonly IServiceProvider _services;
    private readonly ControlMode _configured;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly bool _storeStale;
    private DateTimeOffset? _confirmUntil;

    public ControlModeService(IOptions<ControlOptions> options, TimeProvider time, ILogger<ControlModeService> logger, IServiceProvider services,
        ISettingsStore? store = null, IApplianceStatusPublisher? status = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_store, _status, _time, _logger, _services) = (store, status, time, logger, services);
        _configured = options.Value.ParsedMode;
        // Decided before anything can write: the gate is right from the first request on any bus.
        var stored = store is null ? (null, null) : (Read(store, ModeKey), Read(store, ModeConfigKey));
        (var mode, StartReason) = Resolve(_configured, stored.Item1, stored.Item2);
        // A stored MQTT choice the configuration has overruled is cleared at start, so it cannot come back later.
        _storeStale = stored.Item1 is { Length: > 0 } && !StoredUnder(stored.Item2, _configured);
        Gate = new WriteGate(mode);
    }

    public WriteGate Gate { get; }

    public ControlMode Mode => Gate.Mode;

    /// <summary>Why the mode at start is what it is (logged at start).</summary>
    public string StartReason { get; }

    private static string? Read(ISettingsStore store, string key) => store.GetAsync(key, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The mode at start from <c>Control:Mode</c> and the stored MQTT choice with the <c>Control:Mode</c> it was made under.</summary>
    internal static (ControlMode Mode, string Reason) Resolve(ControlMode configured, string? storedMode, string? storedUnderConfig)
    {
        if (storedMode is null || !ControlModes.TryParse(storedMode, out var stored))
        {
            return (configured, $"Control:Mode is {configured.ToWire()}");
        }

        if (!StoredUnder(storedUnderConfig, configured))
        {
            return (configured, $"Control:Mode is {configured.ToWire()}, changed since {stored.ToWire()} was set over MQTT (the configuration is newer)");
        }

        return (stored, $"{stored.ToWire()} was set over MQTT (Control:Mode is still {configured.ToWire()})");
    }

    private static bool StoredUnder(string? storedUnderConfig, ControlMode configured) =>
        ControlModes.TryParse(storedUnderConfig, out var under) && under == configured;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mode = Mode.ToWire();
        _logger.ControlModeAtStart(mode, StartReason);
        if (_storeStale && _store is not null)
        {
            await _store.SetAsync(ModeKey, "", cancellationToken);
        }

        Publish();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// A person asks for <paramref name="wanted"/> (through <paramref name="source"/>, e.g. <c>mqtt</c>). Returns what
    /// happened, in words for that person: switched, already in force, or (the first <c>active</c> from shadow) that it
    /// must be confirmed within 2 minutes.
    /// </summary>
    public async Task<string> RequestAsync(ControlMode wanted, string source, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (wanted == Mode)
            {
                _confirmUntil = null;
                Publish();
                return $"already {wanted.ToWire()}";
            }

            if (wanted == ControlMode.Active)
            {
                if (_confirmUntil is not { } until || now > until)
                {
                    _confirmUntil = now + ConfirmWindow;
                    Publish();
                    _logger.ControlModeConfirmationAsked(source, _confirmUntil.Value);
                    return string.Format(CultureInfo.InvariantCulture,
                        "confirm within 2 minutes: send active again before {0:HH:mm:ss} UTC to let EdgeEnergy write to the inverter", _confirmUntil.Value.UtcDateTime);
                }

                await StoreAsync(ControlMode.Active, cancellationToken);
                _confirmUntil = null;
                Gate.Set(ControlMode.Active);
                Publish();
                _logger.ControlModeChanged(ControlModes.Active, source, "confirmed");
                return "active: EdgeEnergy now commands the inverter";
            }

            // Active → shadow: stored first (a restart stays in shadow), the gate closed at once, then the hand-back.
            _confirmUntil = null;
            await StoreAsync(ControlMode.Shadow, cancellationToken);
            Gate.Set(ControlMode.Shadow);
            Publish();
            var handedBack = await HandBackAsync(now, source, cancellationToken);
            _logger.ControlModeChanged(ControlModes.Shadow, source, handedBack);
            return $"shadow: nothing is written from now on; handed back: {handedBack}";
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<string> HandBackAsync(DateTimeOffset now, string source, CancellationToken cancellationToken)
    {
        var handBack = _services.GetService<IInverterHandBack>();
        var immersions = _services.GetService<ImmersionSwitcher>();
        string done;
        string? relays = null;
        using (Gate.HandBack())
        {
            if (immersions is not null)
            {
                relays = await immersions.AllOffAsync(now, $"hand back: mode active → shadow ({source})", cancellationToken);
            }

            try
            {
                done = handBack is null ? "no inverter to hand back" : await handBack.HandBackAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                done = $"failed: {e.Message}";
            }
        }

        if (handBack is not null && _services.GetService<IAuditLog>() is { } audit)
        {
            await audit.RecordAsync(new AuditEntry(now, "fox-modbus", "hand back", done, $"mode: active → shadow ({source})"), cancellationToken);
        }

        return string.IsNullOrEmpty(relays) ? done : $"{relays}; {done}";
    }

    private async Task StoreAsync(ControlMode mode, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        await _store.SetAsync(ModeConfigKey, _configured.ToWire(), cancellationToken);
        await _store.SetAsync(ModeKey, mode.ToWire(), cancellationToken);
    }

    private void Publish()
    {
        var (mode, until) = (Mode, _confirmUntil);
        _status?.Update(s => s with { Mode = mode, ModeConfirmUntilUtc = until });
    }
}
