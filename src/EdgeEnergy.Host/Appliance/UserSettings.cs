using System.Globalization;
using EdgeEnergy.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// The settings a person changes at run time from Home Assistant: the reserve SoC (%), how long the next override
/// lasts (minutes) and which immersion heaters the planner may use. Each change is checked, persisted in the settings
/// table of the SQLite store before it takes effect, and published into the appliance snapshot. At start
/// <see cref="LoadAsync"/> reads them back; a stored value that is now invalid (e.g. below a raised battery minimum)
/// is not applied: the configured default is used, and that is said in the log and as a degraded <c>settings</c>
/// component in the status until the person sets the value again. The car's choices (<see cref="IEvChoices"/>: departure,
/// target, "charge now") are kept the same way, and each change of them is also a row of the audit log (target
/// <c>ev-settings</c>), since they decide what is sent to the charger.
/// </summary>
internal sealed class UserSettings(
    ISettingsStore store, IApplianceStatusPublisher status, IOptions<SiteOptions> site, OverrideLimits limits, TimeProvider time, ILogger<UserSettings> logger,
    IOptions<EvOptions>? ev = null, IAuditLog? audit = null) : IEvChoices
{
    internal const string ReserveKey = "user.reserve_soc_percent";
    internal const string DurationKey = "user.override_duration_minutes";
    internal const string EvDepartureKey = "user.ev.departure_local";
    internal const string EvTargetKey = "user.ev.target_soc_percent";
    internal const string EvChargeNowKey = "user.ev.charge_now";
    internal const string EvAuditTarget = "ev-settings";
    private const string Component = "settings";

    private readonly Lock _lock = new();
    private readonly HashSet<string> _disabledImmersions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _problems = new(StringComparer.Ordinal);
    private double? _reserveSocPercent;
    private int _overrideDurationMinutes = limits.DefaultDurationMinutes;
    private EvChoice _ev = EvChoice.None;

    internal static string ImmersionKey(string id) => $"user.immersion.{id}.enabled";

    /// <summary>The reserve a person set, %; null = the configured <c>Site:ReserveSocPercent</c>.</summary>
    public double? ReserveSocPercent
    {
        get
        {
            lock (_lock)
            {
                return _reserveSocPercent;
            }
        }
    }

    /// <summary>How long the next override lasts, minutes.</summary>
    public int OverrideDurationMinutes
    {
        get
        {
            lock (_lock)
            {
                return _overrideDurationMinutes;
            }
        }
    }

    /// <inheritdoc/>
    public EvChoice Current
    {
        get
        {
            lock (_lock)
            {
                return _ev;
            }
        }
    }

    /// <summary>Whether the person lets the planner heat immersion <paramref name="id"/> (default: yes).</summary>
    public bool ImmersionEnabled(string id)
    {
        lock (_lock)
        {
            return !_disabledImmersions.Contains(id);
        }
    }

    /// <summary>Reads the stored settings (call once at start), checks each, and publishes what is in force.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var s = site.Value;
        if (await store.GetAsync(ReserveKey, cancellationToken) is { } reserveText)
        {
            var problem = double.TryParse(reserveText, NumberStyles.Float, CultureInfo.InvariantCulture, out var reserve)
                ? ReserveProblem(reserve)
                : "not a number";
            Apply(ReserveKey, reserveText, problem, $"the configured {s.ReserveSocPercent.ToString(CultureInfo.InvariantCulture)} % (Site:ReserveSocPercent)",
                () => _reserveSocPercent = reserve);
        }

        if (await store.GetAsync(DurationKey, cancellationToken) is { } durationText)
        {
            var problem = int.TryParse(durationText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes)
                ? DurationProblem(minutes)
                : "not a whole number of minutes";
            Apply(DurationKey, durationText, problem, $"the default {limits.DefaultDurationMinutes} min", () => _overrideDurationMinutes = minutes);
        }

        foreach (var immersion in s.Immersions)
        {
            var key = ImmersionKey(immersion.Id);
            if (await store.GetAsync(key, cancellationToken) is { } enabledText)
            {
                var problem = bool.TryParse(enabledText, out var enabled) ? null : "not true or false";
                Apply(key, enabledText, problem, "enabled", () => MarkImmersion(immersion.Id, enabled));
            }
        }

        if (await store.GetAsync(EvDepartureKey, cancellationToken) is { } departureText)
        {
            var parsed = OverrideCommandParser.ParseTimeOfDay(departureText);
            Apply(EvDepartureKey, departureText, parsed.Error, "Ev:DefaultDepartureLocal", () => _ev = _ev with { DepartureLocal = parsed.Value });
        }

        if (await store.GetAsync(EvTargetKey, cancellationToken) is { } targetText)
        {
            var parsed = OverrideCommandParser.ParseEvTargetSocPercent(targetText);
            Apply(EvTargetKey, targetText, parsed.Error, "Ev:DefaultTargetSocPercent", () => _ev = _ev with { TargetSocPercent = parsed.Value });
        }

        if (await store.GetAsync(EvChargeNowKey, cancellationToken) is { } chargeNowText)
        {
            var problem = bool.TryParse(chargeNowText, out var chargeNow) ? null : "not true or false";
            Apply(EvChargeNowKey, chargeNowText, problem, "off", () => _ev = _ev with { ChargeNow = chargeNow });
        }

        Publish();
        string disabled;
        lock (_lock)
        {
            disabled = _disabledImmersions.Count == 0 ? "none" : string.Join(", ", _disabledImmersions.Order(StringComparer.Ordinal));
        }

        logger.SettingsRestored(ReserveSocPercent ?? s.ReserveSocPercent, OverrideDurationMinutes, disabled);
    }

    /// <summary>Sets the reserve SoC, %.</summary>
    /// <exception cref="ArgumentException">Outside the battery's minimum..100 % or the hard limits; nothing changed.</exception>
    public Task SetReserveSocAsync(double percent, CancellationToken cancellationToken) =>
        SetAsync(ReserveKey, ReserveProblem(percent), percent.ToString("R", CultureInfo.InvariantCulture), () => _reserveSocPercent = percent, nameof(percent), cancellationToken);

    /// <summary>Sets how long the next override lasts, minutes.</summary>
    /// <exception cref="ArgumentException">Outside the hard limits; nothing changed.</exception>
    public Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken) =>
        SetAsync(DurationKey, DurationProblem(minutes), minutes.ToString(CultureInfo.InvariantCulture), () => _overrideDurationMinutes = minutes, nameof(minutes), cancellationToken);

    /// <summary>Lets the planner use immersion <paramref name="id"/> or keeps it off.</summary>
    /// <exception cref="ArgumentException">No such immersion heater is configured; nothing changed.</exception>
    public Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken) =>
        SetAsync(ImmersionKey(id), site.Value.Immersions.Any(i => i.Id == id) ? null : $"no immersion heater '{id}' is configured",
            enabled ? "true" : "false", () => MarkImmersion(id, enabled), nameof(id), cancellationToken);

    /// <summary>Sets the car's departure, UK local time of day (replaces <c>Ev:DefaultDepartureLocal</c>).</summary>
    /// <exception cref="ArgumentException">Not a time of day; nothing changed.</exception>
    public Task SetEvDepartureAsync(TimeSpan departureLocal, string source, CancellationToken cancellationToken) =>
        SetEvAsync(EvDepartureKey, departureLocal >= TimeSpan.Zero && departureLocal < TimeSpan.FromDays(1) ? null : "departure must be a time of day 00:00..23:59",
            departureLocal.ToString(@"hh\:mm", CultureInfo.InvariantCulture), e => e with { DepartureLocal = departureLocal }, source, cancellationToken);

    /// <summary>Sets the car's target state of charge, % (replaces <c>Ev:DefaultTargetSocPercent</c>).</summary>
    /// <exception cref="ArgumentException">Outside 10..100 %; nothing changed.</exception>
    public Task SetEvTargetSocAsync(int percent, string source, CancellationToken cancellationToken) =>
        SetEvAsync(EvTargetKey, OverrideCommandParser.ParseEvTargetSocPercent(percent.ToString(CultureInfo.InvariantCulture)).Error,
            percent.ToString(CultureInfo.InvariantCulture), e => e with { TargetSocPercent = percent }, source, cancellationToken);

    /// <summary>Turns "charge now" on (full power until unplugged or turned off) or off.</summary>
    public Task SetEvChargeNowAsync(bool chargeNow, string source, CancellationToken cancellationToken) =>
        SetEvAsync(EvChargeNowKey, null, chargeNow ? "true" : "false", e => e with { ChargeNow = chargeNow }, source, cancellationToken);

    /// <inheritdoc/>
    public Task EndChargeNowAsync(string reason, CancellationToken cancellationToken) =>
        Current.ChargeNow ? SetEvChargeNowAsync(false, reason, cancellationToken) : Task.CompletedTask;

    private async Task SetEvAsync(string key, string? problem, string text, Func<EvChoice, EvChoice> change, string source, CancellationToken cancellationToken)
    {
        if (ev?.Value.Enabled != true)
        {
            problem ??= "no car is configured (Ev:EvccUrl is empty)";
        }

        await SetAsync(key, problem, text, () => _ev = change(_ev), key, cancellationToken);
        if (audit is not null)
        {
            await audit.RecordAsync(new AuditEntry(time.GetUtcNow(), EvAuditTarget, $"{key}={text}", "ok", source), cancellationToken);
        }
    }

    /// <summary>Records whether heater <paramref name="id"/> may be used (callers hold the lock).</summary>
    private void MarkImmersion(string id, bool enabled)
    {
        if (enabled)
        {
            _disabledImmersions.Remove(id);
        }
        else
        {
            _disabledImmersions.Add(id);
        }
    }

    private async Task SetAsync(string key, string? problem, string text, Action apply, string parameter, CancellationToken cancellationToken)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem, parameter);
        }

        // Persisted first: a change that could not be stored is not applied (and the caller hears why).
        await store.SetAsync(key, text, cancellationToken);
        lock (_lock)
        {
            apply();
            _problems.Remove(key);
        }

        Publish();
    }

    private void Apply(string key, string stored, string? problem, string fallback, Action apply)
    {
        lock (_lock)
        {
            if (problem is null)
            {
                apply();
                return;
            }

            _problems[key] = $"stored {key} '{stored}' ignored ({problem}); using {fallback}";
        }

        logger.StoredSettingRejected(key, stored, problem, fallback);
    }

    private string? ReserveProblem(double percent)
    {
        var min = Math.Max(site.Value.BatteryMinSocPercent, limits.MinReserveSocPercent);
        var max = Math.Min(100, limits.MaxReserveSocPercent);
        return double.IsFinite(percent) && percent >= min && percent <= max
            ? null
            : $"reserve must be between {min.ToString(CultureInfo.InvariantCulture)} % (the battery's own minimum and the hard limit) and {max.ToString(CultureInfo.InvariantCulture)} %, got {percent.ToString(CultureInfo.InvariantCulture)}";
    }

    private string? DurationProblem(int minutes) =>
        minutes >= limits.MinDurationMinutes && minutes <= limits.MaxDurationMinutes
            ? null
            : $"override duration must be {limits.MinDurationMinutes}..{limits.MaxDurationMinutes} min, got {minutes}";

    private void Publish()
    {
        double reserve;
        int duration;
        HashSet<string> disabled;
        string? problems;
        EvChoice? car = null;
        lock (_lock)
        {
            if (ev?.Value is { Enabled: true } options)
            {
                car = new EvChoice(_ev.DepartureLocal ?? options.DefaultDepartureLocal, _ev.TargetSocPercent ?? options.DefaultTargetSocPercent, _ev.ChargeNow);
            }

            reserve = _reserveSocPercent ?? site.Value.ReserveSocPercent;
            duration = _overrideDurationMinutes;
            disabled = [.. _disabledImmersions];
            problems = _problems.Count == 0 ? null : string.Join("; ", _problems.Values.Order(StringComparer.Ordinal));
        }

        var immersions = site.Value.Immersions;
        var now = time.GetUtcNow();
        status.Update(s => (problems is null ? s.WithoutComponent(Component) : s.WithComponent(new ComponentHealth(Component, HealthState.Degraded, problems, now))) with
        {
            ReserveSocPercent = reserve,
            OverrideDurationMinutes = duration,
            Ev = car,
            Immersions =
            [
                .. immersions.Select(i => s.Immersions.FirstOrDefault(x => x.Id == i.Id) is { } known
                    ? known with { Name = i.Name, Enabled = !disabled.Contains(i.Id) }
                    : new ImmersionState(i.Id, i.Name, !disabled.Contains(i.Id), Heating: false)),
            ],
        });
    }
}
