using EdgeEnergy.Control;
using EdgeEnergy.Control.Ev;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Appliance;

/// <summary>Checking the settings a person stored: nothing invalid is applied, and nothing is replaced silently.</summary>
public class UserSettingsTests
{
    private static (UserSettings Settings, ApplianceStatusStore Status, CapturingLoggerFactory Logs) Create(MemorySettings store)
    {
        var site = new SiteOptions { BatteryMinSocPercent = 10, ReserveSocPercent = 20, Immersions = [new ImmersionOptions { Id = "tank", Name = "Tank" }] };
        var status = new ApplianceStatusStore();
        var logs = new CapturingLoggerFactory();
        var limits = new OverrideLimits { MinReserveSocPercent = 10, MaxReserveSocPercent = 90 };
        return (new UserSettings(store, status, Options.Create(site), limits, new FakeTimeProvider(), logs.For<UserSettings>()), status, logs);
    }

    private static readonly EvOptions Car = new() { EvccUrl = "http://evcc.local:7070", DefaultDepartureLocal = new TimeSpan(7, 30, 0), DefaultTargetSocPercent = 80 };

    private static UserSettings CreateWithCar(MemorySettings store, ApplianceStatusStore status, InMemoryAuditLog audit, EvOptions? car = null) => new(
        store, status, Options.Create(new SiteOptions { BatteryMinSocPercent = 10, ReserveSocPercent = 20 }), new OverrideLimits(),
        new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero)), new CapturingLoggerFactory().For<UserSettings>(), Options.Create(car ?? Car), audit);

    [Fact]
    public async Task The_cars_choices_are_stored_audited_restored_after_a_restart_and_change_its_need()
    {
        var store = new MemorySettings();
        var audit = new InMemoryAuditLog();
        var first = CreateWithCar(store, new ApplianceStatusStore(), audit);
        await first.LoadAsync(CancellationToken.None);

        await first.SetEvDepartureAsync(new TimeSpan(6, 0, 0), "mqtt", CancellationToken.None);
        await first.SetEvTargetSocAsync(90, "mqtt", CancellationToken.None);
        await first.SetEvChargeNowAsync(true, "mqtt", CancellationToken.None);

        Assert.Equal(("06:00", "90", "true"), (store.Values[UserSettings.EvDepartureKey], store.Values[UserSettings.EvTargetKey], store.Values[UserSettings.EvChargeNowKey]));
        Assert.Equal(
            ["user.ev.departure_local=06:00", "user.ev.target_soc_percent=90", "user.ev.charge_now=true"],
            audit.Entries.Select(e => e.Command));
        Assert.All(audit.Entries, e => Assert.Equal((UserSettings.EvAuditTarget, "ok", "mqtt"), (e.Target, e.Outcome, e.Reason)));

        // After a restart: read back, shown, and what the car's need is planned from.
        var status = new ApplianceStatusStore();
        var restarted = CreateWithCar(store, status, new InMemoryAuditLog());
        await restarted.LoadAsync(CancellationToken.None);
        Assert.Equal(new EvChoice(new TimeSpan(6, 0, 0), 90, true), restarted.Current);
        Assert.Equal(new EvChoice(new TimeSpan(6, 0, 0), 90, true), status.Current.Ev);

        await restarted.SetEvChargeNowAsync(false, "mqtt", CancellationToken.None);
        var now = new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
        var car = new EvChargerState { Connected = true, VehicleName = "polestar", VehicleSocPercent = 30, VehicleCapacityKwh = 40 };
        var need = EvNeedPlanner.Plan(car, Car, now, now, 30, 72, null, restarted.Current).Spec!.Needs[0];
        Assert.Equal((24, 24.0), (need.ToSlot, need.Kwh)); // by 06:00, 30 % → 90 % of 40 kWh
    }

    [Fact]
    public async Task Without_choices_the_car_shows_the_configured_defaults_and_without_a_car_nothing()
    {
        var withCar = new ApplianceStatusStore();
        await CreateWithCar(new MemorySettings(), withCar, new InMemoryAuditLog()).LoadAsync(CancellationToken.None);
        var withoutCar = new ApplianceStatusStore();
        var settings = CreateWithCar(new MemorySettings(), withoutCar, new InMemoryAuditLog(), new EvOptions());
        await settings.LoadAsync(CancellationToken.None);

        Assert.Equal(new EvChoice(new TimeSpan(7, 30, 0), 80, false), withCar.Current.Ev);
        Assert.Null(withoutCar.Current.Ev);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => settings.SetEvTargetSocAsync(90, "mqtt", CancellationToken.None));
        Assert.StartsWith("no car is configured (Ev:EvccUrl is empty)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_stored_car_choice_is_ignored_and_said_and_a_bad_new_one_is_refused_unstored()
    {
        var store = new MemorySettings();
        store.Values[UserSettings.EvDepartureKey] = "25:00";
        var status = new ApplianceStatusStore();
        var audit = new InMemoryAuditLog();
        var settings = CreateWithCar(store, status, audit);

        await settings.LoadAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => settings.SetEvTargetSocAsync(5, "mqtt", CancellationToken.None));

        Assert.Null(settings.Current.DepartureLocal);
        Assert.Equal(new TimeSpan(7, 30, 0), status.Current.Ev!.DepartureLocal);
        Assert.Contains("user.ev.departure_local '25:00' ignored", Assert.Single(status.Current.Components).Detail, StringComparison.Ordinal);
        Assert.Contains("car target SoC 5% is outside", refused.Message, StringComparison.Ordinal);
        Assert.False(store.Values.ContainsKey(UserSettings.EvTargetKey));
        Assert.Empty(audit.Entries);
    }

    [Fact]
    public async Task Each_bad_stored_value_is_named_in_the_log_and_the_status_and_the_default_is_used()
    {
        var store = new MemorySettings();
        store.Values[UserSettings.ReserveKey] = "95";
        store.Values[UserSettings.DurationKey] = "an hour";
        store.Values[UserSettings.ImmersionKey("tank")] = "maybe";
        var (settings, status, logs) = Create(store);

        await settings.LoadAsync(CancellationToken.None);

        Assert.Null(settings.ReserveSocPercent);
        Assert.Equal(20, status.Current.ReserveSocPercent);
        Assert.Equal(60, status.Current.OverrideDurationMinutes);
        Assert.True(Assert.Single(status.Current.Immersions).Enabled);
        var warnings = logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, warnings.Length);
        Assert.Contains(warnings, w => w.Contains("user.reserve_soc_percent = '95'", StringComparison.Ordinal) && w.Contains("between 10 % ", StringComparison.Ordinal) && w.Contains("and 90 %", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("user.override_duration_minutes = 'an hour'", StringComparison.Ordinal) && w.Contains("the default 60 min", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("user.immersion.tank.enabled = 'maybe'", StringComparison.Ordinal));
        var health = Assert.Single(status.Current.Components);
        Assert.Equal(("settings", HealthState.Degraded), (health.Component, health.State));
        Assert.Contains("user.override_duration_minutes 'an hour' ignored", health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_is_stored_before_it_applies_and_a_refused_one_changes_nothing()
    {
        var store = new MemorySettings();
        var (settings, status, _) = Create(store);
        await settings.LoadAsync(CancellationToken.None);

        await settings.SetReserveSocAsync(42.5, CancellationToken.None);
        await settings.SetImmersionEnabledAsync("tank", false, CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(() => settings.SetReserveSocAsync(5, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => settings.SetImmersionEnabledAsync("pool", false, CancellationToken.None));

        Assert.Equal("42.5", store.Values[UserSettings.ReserveKey]);
        Assert.Equal("false", store.Values[UserSettings.ImmersionKey("tank")]);
        Assert.False(store.Values.ContainsKey(UserSettings.ImmersionKey("pool")));
        Assert.Equal(42.5, status.Current.ReserveSocPercent);

        var (restarted, restartedStatus, _) = Create(store);
        await restarted.LoadAsync(CancellationToken.None);
        Assert.Equal(42.5, restarted.ReserveSocPercent);
        Assert.False(restarted.ImmersionEnabled("tank"));
        Assert.Empty(restartedStatus.Current.Components);
    }
}
