using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.UserOverrides;

public sealed class OverrideServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOverrideStore _store = new();
    private readonly OverrideLimits _limits = new() { MaxChargePowerW = 3000, MaxDischargePowerW = 2500, MaxDurationMinutes = 720 };
    private readonly OverrideService _service;

    public OverrideServiceTests() => _service = new OverrideService(_store, _limits, _time);

    public void Dispose() => _service.Dispose();

    private Override Make(OverrideMode mode, int minutes, double? powerW = null) => new()
    {
        Mode = mode, StartUtc = _time.GetUtcNow(), ExpiresUtc = _time.GetUtcNow().AddMinutes(minutes), PowerW = powerW, Source = "test",
    };

    [Fact]
    public async Task An_override_is_in_force_until_it_expires()
    {
        var hold = Make(OverrideMode.Hold, 30);
        await _service.SetAsync(hold, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(hold, _service.Current);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(_service.Current);
    }

    [Fact]
    public async Task An_override_survives_a_restart_through_the_store()
    {
        var charge = Make(OverrideMode.ForceCharge, 120, 2000);
        await _service.SetAsync(charge, CancellationToken.None);

        using var restarted = new OverrideService(_store, _limits, _time);
        await restarted.InitializeAsync(CancellationToken.None);

        Assert.Equal(charge, restarted.Current);
    }

    [Fact]
    public async Task One_beyond_hard_limits_lowered_while_stopped_is_not_restored_and_the_log_says_why()
    {
        await _service.SetAsync(Make(OverrideMode.ForceCharge, 120, 3000), CancellationToken.None);
        var logs = new CapturingLoggerFactory();

        using var restarted = new OverrideService(_store, _limits with { MaxChargePowerW = 2000 }, _time, logs.For<OverrideService>());
        await restarted.InitializeAsync(CancellationToken.None);

        Assert.Null(restarted.Current);
        Assert.Null(await _store.LoadAsync(CancellationToken.None));
        var warning = Assert.Single(logs.Lines);
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("force-charge", warning, StringComparison.Ordinal);
        Assert.Contains("override power 3000 W is outside 0 < power <= 2000 W", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_that_expired_while_stopped_is_cleared_at_start()
    {
        await _service.SetAsync(Make(OverrideMode.Hold, 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(11));

        using var restarted = new OverrideService(_store, _limits, _time);
        await restarted.InitializeAsync(CancellationToken.None);

        Assert.Null(restarted.Current);
        Assert.Null(await _store.LoadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(OverrideMode.Auto, 30, null, "mode auto")]
    [InlineData(OverrideMode.ForceCharge, 30, 3500.0, "override power 3500 W is outside 0 < power <= 3000 W")]
    [InlineData(OverrideMode.Hold, 30, 100.0, "override power 100 W is outside 0 < power <= 0 W for hold")]
    [InlineData(OverrideMode.Hold, 721, null, "beyond the hard limit of 720 min")]
    public async Task One_outside_the_hard_limits_is_refused_and_nothing_is_stored(OverrideMode mode, int minutes, double? powerW, string reason)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _service.SetAsync(Make(mode, minutes, powerW), CancellationToken.None));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Null(_service.Current);
        Assert.Null(await _store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Retiming_moves_the_expiry_and_is_stored()
    {
        await _service.SetAsync(Make(OverrideMode.Hold, 60), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(10));

        await _service.RetimeAsync(15, CancellationToken.None);

        Assert.Equal(_time.GetUtcNow().AddMinutes(15), _service.Current!.ExpiresUtc);
        Assert.Equal(_service.Current, await _store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Clearing_removes_it_from_the_store()
    {
        await _service.SetAsync(Make(OverrideMode.Hold, 60), CancellationToken.None);
        await _service.SetAsync(null, CancellationToken.None);
        Assert.Null(_service.Current);
        Assert.Null(await _store.LoadAsync(CancellationToken.None));
    }
}
