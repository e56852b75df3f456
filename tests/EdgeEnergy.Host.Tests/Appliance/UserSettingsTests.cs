using EdgeEnergy.Control;
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
