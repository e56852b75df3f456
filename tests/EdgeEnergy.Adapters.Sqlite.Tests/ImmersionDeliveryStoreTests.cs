using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

public sealed class ImmersionDeliveryStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Delivered_heat_survives_reopening_the_file_with_the_latest_total_per_window()
    {
        var today = new HeatWindowKey("tank", 0, new DateOnly(2026, 12, 2));
        var other = new HeatWindowKey("tank", 1, new DateOnly(2026, 12, 2));
        var store = new SqliteImmersionDeliveryStore(_db.Database);
        await store.SetAsync(today, 0.5, CancellationToken.None);
        await store.SetAsync(today, 1.25, CancellationToken.None);
        await store.SetAsync(other, 2, CancellationToken.None);

        using var reopened = new SqliteDatabase(_db.Path);
        var read = await new SqliteImmersionDeliveryStore(reopened).GetSinceAsync(new DateOnly(2026, 12, 1), CancellationToken.None);

        Assert.Equal(2, read.Count);
        Assert.Equal(1.25, read[today]);
        Assert.Equal(2, read[other]);
    }

    [Fact]
    public async Task Only_windows_opened_since_the_given_date_are_read()
    {
        var store = new SqliteImmersionDeliveryStore(_db.Database);
        await store.SetAsync(new HeatWindowKey("tank", 0, new DateOnly(2026, 11, 28)), 3, CancellationToken.None);
        await store.SetAsync(new HeatWindowKey("tank", 0, new DateOnly(2026, 12, 1)), 4, CancellationToken.None);

        var read = await store.GetSinceAsync(new DateOnly(2026, 11, 30), CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 12, 1), Assert.Single(read).Key.OpensOn);
    }
}
