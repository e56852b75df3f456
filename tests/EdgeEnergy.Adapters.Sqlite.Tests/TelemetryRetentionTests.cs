using EdgeEnergy.Domain.History;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

public sealed class TelemetryRetentionTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private static readonly DateTimeOffset s_t0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Dispose() => _db.Dispose();

    private SqliteRetention Retention(int minuteDays = 14, int days = 730, int planDays = 90) =>
        new(_db.Database, Options.Create(new StorageOptions { Path = _db.Path, TelemetryMinuteRetentionDays = minuteDays, TelemetryRetentionDays = days, PlanRetentionDays = planDays }));

    [Fact]
    public async Task Samples_are_stored_per_minute_and_a_second_sample_replaces_the_first()
    {
        var store = new SqliteTelemetryStore(_db.Database);
        await store.AppendAsync([new TelemetrySample(s_t0.AddSeconds(10), 50, 100, null, 500, 0), new TelemetrySample(s_t0.AddSeconds(50), 51, 200, 10, 500, 0)], CancellationToken.None);
        var read = await store.GetAsync(s_t0, s_t0.AddMinutes(1), CancellationToken.None);
        Assert.Equal(new TelemetrySample(s_t0, 51, 200, 10, 500, 0), read.Single());
    }

    [Fact]
    public async Task A_sample_stamped_before_the_newest_stored_minute_is_not_stored_and_overwrites_nothing()
    {
        // The wall clock stepped back an hour after 10:59 (NTP): the next poll reads 10:00 again.
        var store = new SqliteTelemetryStore(_db.Database);
        var ten = s_t0.AddHours(10);
        await store.AppendAsync([.. Enumerable.Range(0, 60).Select(i => new TelemetrySample(ten.AddMinutes(i), 50 + (i / 10.0), 100, 10, 500, 0))], CancellationToken.None);
        await store.AppendAsync([new TelemetrySample(ten.AddSeconds(5), 99, -3000, 3500, 500, 0)], CancellationToken.None);
        await store.AppendAsync([new TelemetrySample(ten.AddMinutes(30), 99, -3000, 3500, 500, 0)], CancellationToken.None);

        var read = await store.GetAsync(ten, ten.AddHours(2), CancellationToken.None);
        Assert.Equal(60, read.Count);
        Assert.Equal(50, read[0].BatterySocPercent);
        Assert.Equal(53, read[30].BatterySocPercent);
        Assert.DoesNotContain(read, r => r.BatterySocPercent == 99);

        // Once the clock passes the newest row, recording goes on; the newest minute itself may still be re-polled.
        await store.AppendAsync([new TelemetrySample(ten.AddMinutes(59).AddSeconds(50), 60, 100, 10, 500, 0), new TelemetrySample(ten.AddMinutes(60), 61, 100, 10, 500, 0)], CancellationToken.None);
        read = await store.GetAsync(ten, ten.AddHours(2), CancellationToken.None);
        Assert.Equal(61, read.Count);
        Assert.Equal([60, 61], read.TakeLast(2).Select(r => r.BatterySocPercent));
    }

    [Fact]
    public async Task Old_minutes_become_30_minute_averages_and_recent_minutes_stay()
    {
        var store = new SqliteTelemetryStore(_db.Database);
        // 60 old minutes (two slots) with battery power = minute index, one null grid reading; then recent minutes.
        var old = Enumerable.Range(0, 60).Select(i => new TelemetrySample(s_t0.AddMinutes(i), 50, i, i == 3 ? null : 100, 400, 0)).ToList();
        var now = s_t0.AddDays(20);
        var recent = Enumerable.Range(0, 10).Select(i => new TelemetrySample(now.AddMinutes(-10 + i), 60, 1, 1, 1, 1)).ToList();
        await store.AppendAsync([.. old, .. recent], CancellationToken.None);

        var result = await Retention().ApplyAsync(now, CancellationToken.None);

        Assert.Equal(60, result.TelemetryMinutesDownsampled);
        var slots = await store.GetAsync(s_t0, s_t0.AddHours(1), CancellationToken.None);
        Assert.Equal(2, slots.Count);
        Assert.Equal(14.5, slots[0].BatteryPowerW); // mean of 0..29
        Assert.Equal(44.5, slots[1].BatteryPowerW); // mean of 30..59
        Assert.Equal(100, slots[0].GridPowerW); // the null minute is left out of the mean, not counted as 0
        Assert.Equal(10, (await store.GetAsync(now.AddHours(-1), now, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_car_chargers_power_is_kept_beside_the_load_and_averaged_with_it_into_30_minute_rows()
    {
        var store = new SqliteTelemetryStore(_db.Database);
        // 30 old minutes: the car at 7 kW for the first 10, read idle (0 W) for the next 10, evcc unread for the last 10.
        var old = Enumerable.Range(0, 30).Select(i => new TelemetrySample(s_t0.AddMinutes(i), 50, 0, 0, 8000, 0, i switch { < 10 => 7000, < 20 => 0, _ => null })).ToList();
        await store.AppendAsync(old, CancellationToken.None);
        Assert.Equal(7000, (await store.GetAsync(s_t0, s_t0.AddMinutes(1), CancellationToken.None)).Single().CarChargingW);

        await Retention().ApplyAsync(s_t0.AddDays(20), CancellationToken.None);

        var slot = (await store.GetAsync(s_t0, s_t0.AddMinutes(30), CancellationToken.None)).Single();
        Assert.Equal(8000, slot.LoadPowerW);
        Assert.Equal(3500, slot.CarChargingW); // (10 · 7000 + 10 · 0) / 20: unread minutes are left out, as in every column
    }

    [Fact]
    public async Task Late_minutes_merge_into_an_existing_slot_weighted_by_samples()
    {
        var store = new SqliteTelemetryStore(_db.Database);
        var now = s_t0.AddDays(20);
        await store.AppendAsync([.. Enumerable.Range(0, 20).Select(i => new TelemetrySample(s_t0.AddMinutes(i), null, 10, null, null, null))], CancellationToken.None);
        await Retention().ApplyAsync(now, CancellationToken.None);
        await store.AppendAsync([.. Enumerable.Range(20, 10).Select(i => new TelemetrySample(s_t0.AddMinutes(i), null, 40, null, null, null))], CancellationToken.None);
        await Retention().ApplyAsync(now, CancellationToken.None);
        var slot = (await store.GetAsync(s_t0, s_t0.AddMinutes(30), CancellationToken.None)).Single();
        Assert.Equal(20, slot.BatteryPowerW!.Value, 9); // (20·10 + 10·40) / 30
    }

    [Fact]
    public async Task Thirty_minute_rows_and_plans_past_retention_are_deleted()
    {
        var store = new SqliteTelemetryStore(_db.Database);
        await store.AppendAsync([new TelemetrySample(s_t0, 1, 1, 1, 1, 1)], CancellationToken.None);
        var now = s_t0.AddDays(40);
        var result = await Retention(minuteDays: 7, days: 30).ApplyAsync(now, CancellationToken.None);
        Assert.Equal(1, result.TelemetryMinutesDownsampled);
        Assert.Equal(1, result.TelemetrySlotsDeleted);
        Assert.Empty(await store.GetAsync(s_t0, now, CancellationToken.None));
    }
}
