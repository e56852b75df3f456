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
/// A/B (<c>Control:AbSchedule</c> = alternate-days, <see cref="AbSchedule"/>): the mode chosen as above is the person's;
/// the mode in force (the gate's, <see cref="Mode"/>) follows the schedule while the chosen mode is active: active on A
/// days, shadow on B days. <see cref="ApplyScheduleAsync"/> (at start, and at each UK midnight from
/// <see cref="AbScheduleService"/>) switches through the same path as a person's request: gate, hand-back, audit, status.
/// A start on a B day starts with the gate closed (nothing may write first) and then, from <see cref="AbScheduleService"/>,
/// hands back as that day's midnight would have (<see cref="HandBackIfStartedOnBDayAsync"/>): the service may have stopped
/// on an A day with the inverter under its commands, and nothing else would give it back before the next A day.
/// Every UK day's mode in force is recorded in the store (<see cref="AbSchedule.DayKey"/>; <c>mixed</c> when it changed
/// during the day) for <c>edgeenergy report</c>.
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
    private readonly AbSchedule _schedule;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly bool _storeStale;
    private DateTimeOffset? _confirmUntil;
    private ControlMode _chosen;
    private string _lastHandBack = "nothing to hand back";

    /// <summary>Started on a B day the service had not yet run on: the hand-back that day's midnight would have made is owed.</summary>
    private bool _handBackOwed;

    public ControlModeService(IOptions<ControlOptions> options, TimeProvider time, ILogger<ControlModeService> logger, IServiceProvider services,
        ISettingsStore? store = null, IApplianceStatusPublisher? status = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_store, _status, _time, _logger, _services) = (store, status, time, logger, services);
        _configured = options.Value.ParsedMode;
        _schedule = options.Value.ParseAbSchedule();
        // Decided before anything can write: the gate is right from the first request on any bus.
        var stored = store is null ? (null, null) : (Read(store, ModeKey), Read(store, ModeConfigKey));
        (_chosen, StartReason) = Resolve(_configured, stored.Item1, stored.Item2);
        // A stored MQTT choice the configuration has overruled is cleared at start, so it cannot come back later.
        _storeStale = stored.Item1 is { Length: > 0 } && !StoredUnder(stored.Item2, _configured);
        // Today's A/B day counts from the first write on: a B day starts closed.
        var today = _schedule.DateOf(time.GetUtcNow());
        Gate = new WriteGate(_schedule.ModeOn(today, _chosen));
        // A record for today means the service already ran today, so today's hand-back (at midnight or at that start) was
        // made; a second one would find no settings from before (they are forgotten once handed back) and write self-use
        // over the household's own.
        _handBackOwed = _schedule.Enabled && _chosen == ControlMode.Active && Gate.Mode == ControlMode.Shadow
            && (store is null || string.IsNullOrEmpty(Read(store, AbSchedule.DayKey(today))));
    }

    public WriteGate Gate { get; }

    /// <summary>The mode in force: the person's choice, through the A/B schedule.</summary>
    public ControlMode Mode => Gate.Mode;

    /// <summary>The mode chosen by configuration or over MQTT, before the A/B schedule.</summary>
    public ControlMode Chosen => _chosen;

    public AbSchedule Schedule => _schedule;

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

        await RecordDayAsync(_time.GetUtcNow(), cancellationToken);
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
            if (wanted == _chosen)
            {
                _confirmUntil = null;
                Publish();
                return $"already {wanted.ToWire()}{ScheduleNote(now)}";
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
                _chosen = ControlMode.Active;
                var switched = await SwitchAsync(now, source, "confirmed", cancellationToken);
                return switched == ControlMode.Active ? "active: EdgeEnergy now commands the inverter" : $"active{ScheduleNote(now)}";
            }

            // Active → shadow: stored first (a restart stays in shadow), the gate closed at once, then the hand-back.
            _confirmUntil = null;
            await StoreAsync(ControlMode.Shadow, cancellationToken);
            _chosen = ControlMode.Shadow;
            var handedBack = Mode == ControlMode.Shadow ? "already handed back (a B day of Control:AbSchedule)" : null;
            await SwitchAsync(now, source, null, cancellationToken);
            return $"shadow: nothing is written from now on; handed back: {handedBack ?? _lastHandBack}";
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Puts the A/B schedule's mode for the day of <c>now</c> in force (a no-op with the schedule off or the same mode),
    /// through the same switch as a person's request, and records the day's mode. Called at start and at each UK midnight.
    /// </summary>
    public async Task ApplyScheduleAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var day = _schedule.DateOf(now);
            await SwitchAsync(now, $"Control:AbSchedule {_schedule.Name}: {day:yyyy-MM-dd} is {_schedule.Label(day)}", null, cancellationToken);
            Publish();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// After a start on a B day (the gate closed since construction): the hand-back of that day's midnight switch, through
    /// the same path (gate, hand-back, audit, log, status, the day's record), once. A no-op when the service already ran
    /// today, the schedule is off, or the mode in force is no longer the B day's shadow (a person's switch handed back).
    /// </summary>
    public async Task HandBackIfStartedOnBDayAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var day = _schedule.DateOf(now);
            // A start owes one hand-back at most, whatever happens below.
            var owed = _handBackOwed;
            _handBackOwed = false;
            if (!owed || _chosen != ControlMode.Active || Mode != ControlMode.Shadow || _schedule.IsADay(day))
            {
                return;
            }

            await HandOverAsync(now, $"Control:AbSchedule {_schedule.Name}: started on {day:yyyy-MM-dd}, a B day", cancellationToken);
            await RecordDayAsync(now, cancellationToken);
            Publish();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// The one switch of the mode in force to what the chosen mode and the schedule give for today: opening the gate, or
    /// closing it and handing the inverter back. Records the day's mode. Returns the mode in force after.
    /// </summary>
    private async Task<ControlMode> SwitchAsync(DateTimeOffset now, string source, string? why, CancellationToken cancellationToken)
    {
        var target = _schedule.ModeOn(_schedule.DateOf(now), _chosen);
        if (target != Mode)
        {
            Gate.Set(target);
            Publish();
            if (target == ControlMode.Active)
            {
                _logger.ControlModeChanged(ControlModes.Active, source, why ?? "schedule");
            }
            else
            {
                await HandOverAsync(now, source, cancellationToken);
            }
        }
        else
        {
            Publish();
        }

        await RecordDayAsync(now, cancellationToken);
        return Mode;
    }

    /// <summary>The gate is closed: hand the inverter back and say so (log; the audit entry is <see cref="HandBackAsync"/>'s).</summary>
    private async Task HandOverAsync(DateTimeOffset now, string source, CancellationToken cancellationToken)
    {
        _lastHandBack = await HandBackAsync(now, source, cancellationToken);
        _logger.ControlModeChanged(ControlModes.Shadow, source, _lastHandBack);
    }

    /// <summary>With an A/B schedule: what today is and when the next day starts, for a person's answer.</summary>
    private string ScheduleNote(DateTimeOffset now)
    {
        if (!_schedule.Enabled || _chosen == ControlMode.Shadow)
        {
            return "";
        }

        var day = _schedule.DateOf(now);
        return _schedule.IsADay(day)
            ? $" (today is an A day of Control:AbSchedule {_schedule.Name}: EdgeEnergy is in control)"
            : $" (today is a B day of Control:AbSchedule {_schedule.Name}: control is handed back until {_schedule.NextSwitchUtc(now):yyyy-MM-dd HH:mm} UTC)";
    }

    private async Task RecordDayAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        var key = AbSchedule.DayKey(_schedule.DateOf(now));
        var recorded = await _store.GetAsync(key, cancellationToken);
        var next = DayModes.Next(recorded, Mode);
        if (next != recorded)
        {
            await _store.SetAsync(key, next, cancellationToken);
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
        var now = _time.GetUtcNow();
        var day = _schedule.DateOf(now);
        var ab = _schedule.Enabled
            ? new AbStatus(_schedule.Name, day, _schedule.IsADay(day), _chosen == ControlMode.Active, _schedule.NextSwitchUtc(now))
            : null;
        _status?.Update(s => s with { Mode = mode, ModeConfirmUntilUtc = until, Ab = ab });
    }
}
