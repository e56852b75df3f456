using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Domain.Tests.Status;

public class ApplianceStatusStoreTests
{
    [Fact]
    public void Starts_empty_and_each_update_publishes_the_next_version()
    {
        var store = new ApplianceStatusStore();
        Assert.Same(ApplianceSnapshot.Empty, store.Current);
        var fallback = new FallbackState(true, "prices stale", DateTimeOffset.UnixEpoch);
        var after = store.Update(s => s with { Fallback = fallback });
        Assert.Same(after, store.Current);
        Assert.Equal(1, after.Version);
        Assert.Equal(fallback, after.Fallback);
        Assert.Equal(2, store.Update(s => s).Version);
    }

    [Fact]
    public async Task Concurrent_updates_are_never_lost()
    {
        var store = new ApplianceStatusStore();
        const int writers = 4, each = 2000;
        var source = new SourceFreshness { Source = "count", MaxAge = TimeSpan.FromHours(1) };
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                store.Update(s => s with { Sources = [.. s.Sources, source] });
            }
        })));
        Assert.Equal(writers * each, store.Current.Version);
        Assert.Equal(writers * each, store.Current.Sources.Count);
    }

    [Fact]
    public void A_change_that_returns_null_is_refused_and_the_snapshot_kept()
    {
        var store = new ApplianceStatusStore();
        var before = store.Current;
        Assert.Throws<InvalidOperationException>(() => store.Update(_ => null!));
        Assert.Same(before, store.Current);
    }

    [Fact]
    public void Freshness_and_override_time_left_follow_the_clock()
    {
        var t0 = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var source = new SourceFreshness { Source = "octopus-import", LastSuccessUtc = t0, MaxAge = TimeSpan.FromHours(24) };
        Assert.False(source.IsStale(t0.AddHours(23)));
        Assert.True(source.IsStale(t0.AddHours(24.01)));
        Assert.True(new SourceFreshness { Source = "never", MaxAge = TimeSpan.FromHours(1) }.IsStale(t0));
        var overriding = new OverrideState(true, Planning.SlotMode.Charge, -3000, "storm", t0.AddMinutes(90));
        Assert.Equal(TimeSpan.FromMinutes(30), overriding.Remaining(t0.AddMinutes(60)));
        Assert.Equal(TimeSpan.Zero, overriding.Remaining(t0.AddMinutes(91)));
    }
}
