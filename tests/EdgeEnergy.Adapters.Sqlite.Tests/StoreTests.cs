using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

public sealed class SqliteRateStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private static readonly IReadOnlyList<Rate> s_rates = FixtureData.AgileCsv("agile_import_J_2022-10-28_31.csv");
    private static readonly DateTimeOffset s_fetched = new(2022, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Saved_rates_read_back_exactly_by_kind_and_range()
    {
        var store = new SqliteRateStore(_db.Database);
        Assert.Equal(s_rates.Count, await store.SaveAsync(RateKind.Import, s_rates, s_fetched, CancellationToken.None));
        var all = await store.GetAsync(RateKind.Import, new TimeRange(s_rates[0].StartUtc, s_rates[^1].EndUtc), CancellationToken.None);
        Assert.Equal(s_rates, all);
        Assert.Empty(await store.GetAsync(RateKind.Export, new TimeRange(s_rates[0].StartUtc, s_rates[^1].EndUtc), CancellationToken.None));
        var window = await store.GetAsync(RateKind.Import, new TimeRange(s_rates[10].StartUtc, s_rates[20].StartUtc), CancellationToken.None);
        Assert.Equal(s_rates.Skip(10).Take(10), window);
    }

    [Fact]
    public async Task Saving_the_same_rates_again_changes_nothing()
    {
        var store = new SqliteRateStore(_db.Database);
        await store.SaveAsync(RateKind.Import, s_rates, s_fetched, CancellationToken.None);
        Assert.Equal(0, await store.SaveAsync(RateKind.Import, s_rates, s_fetched.AddHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_revised_price_replaces_the_value_and_keeps_the_old_one()
    {
        var store = new SqliteRateStore(_db.Database);
        await store.SaveAsync(RateKind.Import, s_rates, s_fetched, CancellationToken.None);
        var revised = s_rates[5] with { Pence = s_rates[5].Pence + 1 };
        Assert.Equal(1, await store.SaveAsync(RateKind.Import, [revised], s_fetched.AddHours(1), CancellationToken.None));
        var now = await store.GetAsync(RateKind.Import, new TimeRange(revised.StartUtc, revised.EndUtc), CancellationToken.None);
        Assert.Equal(revised.Pence, now.Single().Pence);
        Assert.Equal([s_rates[5].Pence], await store.GetRevisionsAsync(RateKind.Import, revised.StartUtc, CancellationToken.None));
    }

    [Fact]
    public async Task A_non_finite_price_is_refused_and_nothing_of_the_batch_is_saved()
    {
        var store = new SqliteRateStore(_db.Database);
        var batch = s_rates.Take(3).Append(s_rates[3] with { Pence = double.NaN }).ToList();
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(RateKind.Import, batch, s_fetched, CancellationToken.None));
        Assert.Empty(await store.GetAsync(RateKind.Import, new TimeRange(s_rates[0].StartUtc, s_rates[^1].EndUtc), CancellationToken.None));
    }
}

public sealed class SqlitePvForecastStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_latest_forecast_per_site_survives_a_restart()
    {
        var t0 = new DateTimeOffset(2023, 2, 23, 12, 0, 0, TimeSpan.Zero);
        var old = new PvForecast("a", t0, [new PvForecastPoint(t0, t0.AddMinutes(30), 0.1, 0.2, 0.3)]);
        var fresh = new PvForecast("a", t0.AddHours(3), [new PvForecastPoint(t0.AddHours(3), t0.AddHours(3.5), 0.4, 0.5, 0.6)]);
        var store = new SqlitePvForecastStore(_db.Database);
        await store.SaveForecastAsync(old, CancellationToken.None);
        await store.SaveForecastAsync(fresh, CancellationToken.None);
        await store.SaveForecastAsync(new PvForecast("b", t0.AddHours(5), []), CancellationToken.None);
        using var restarted = new SqliteDatabase(_db.Path);
        var latest = await new SqlitePvForecastStore(restarted).GetLatestForecastAsync("a", CancellationToken.None);
        Assert.Equal(fresh.IssuedUtc, latest!.IssuedUtc);
        Assert.Equal(fresh.Points, latest.Points);
        Assert.Null(await store.GetLatestForecastAsync("c", CancellationToken.None));
    }

    [Fact]
    public async Task The_past_forecast_of_each_slot_is_the_newest_issued_before_it_started()
    {
        var t0 = new DateTimeOffset(2023, 5, 10, 4, 30, 0, TimeSpan.Zero);
        PvForecastPoint At(double hours, double kwh) => new(t0.AddHours(hours), t0.AddHours(hours + 0.5), kwh / 2, kwh, kwh * 1.5);
        var store = new SqlitePvForecastStore(_db.Database);
        // 04:30: the whole day; 09:30: from 09:30 on, higher; 12:30: issued after 10:00 and 12:00 had started.
        await store.SaveForecastAsync(new PvForecast("a", t0, [At(5.5, 1.0), At(7.5, 2.0), At(8, 2.0)]), CancellationToken.None);
        await store.SaveForecastAsync(new PvForecast("a", t0.AddHours(5), [At(5, 3.0), At(5.5, 3.0), At(7.5, 3.0)]), CancellationToken.None);
        await store.SaveForecastAsync(new PvForecast("a", t0.AddHours(8), [At(5.5, 9.0), At(7.5, 9.0), At(8, 4.0)]), CancellationToken.None);
        await store.SaveForecastAsync(new PvForecast("b", t0, [At(5.5, 7.0)]), CancellationToken.None);

        var past = await store.GetPastForecastAsync("a", t0, t0.AddHours(8.5), CancellationToken.None);

        Assert.Equal([At(5, 3.0), At(5.5, 3.0), At(7.5, 3.0), At(8, 4.0)], past);
    }

    [Fact]
    public async Task The_call_ledger_holds_the_budget_across_restarts_and_resets_at_utc_midnight()
    {
        var now = new DateTimeOffset(2024, 1, 10, 23, 0, 0, TimeSpan.Zero);
        var ledger = new SqlitePvForecastStore(_db.Database);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await ledger.TryReserveAsync("solcast", now, 4, CancellationToken.None));
        }

        using var restarted = new SqliteDatabase(_db.Path);
        var after = new SqlitePvForecastStore(restarted);
        Assert.Equal(3, await after.CountTodayAsync("solcast", now, CancellationToken.None));
        Assert.True(await after.TryReserveAsync("solcast", now, 4, CancellationToken.None));
        Assert.False(await after.TryReserveAsync("solcast", now.AddMinutes(59), 4, CancellationToken.None));
        Assert.True(await after.TryReserveAsync("solcast", now.AddHours(1), 4, CancellationToken.None));
        Assert.True(await after.TryReserveAsync("other", now, 4, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_reservations_never_exceed_the_limit()
    {
        var now = new DateTimeOffset(2024, 1, 10, 12, 0, 0, TimeSpan.Zero);
        var ledgers = Enumerable.Range(0, 4).Select(_ => new SqlitePvForecastStore(new SqliteDatabase(_db.Path))).ToList();
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => ledgers[i % 4].TryReserveAsync("solcast", now, 10, CancellationToken.None))));
        Assert.Equal(10, results.Count(r => r));
    }

    [Fact]
    public async Task Estimated_actuals_are_upserted_per_slot()
    {
        var t0 = new DateTimeOffset(2023, 2, 27, 12, 0, 0, TimeSpan.Zero);
        var store = new SqlitePvForecastStore(_db.Database);
        await store.SaveActualsAsync("a", [new PvActualPoint(t0, t0.AddMinutes(30), 0.2), new PvActualPoint(t0.AddMinutes(30), t0.AddHours(1), 0.3)], CancellationToken.None);
        await store.SaveActualsAsync("a", [new PvActualPoint(t0, t0.AddMinutes(30), 0.25)], CancellationToken.None);
        var actuals = await store.GetActualsAsync("a", t0, t0.AddHours(1), CancellationToken.None);
        Assert.Equal([0.25, 0.3], actuals.Select(a => a.Kwh));
    }
}

public sealed class SqliteHistoryStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private static readonly DateTimeOffset s_t0 = new(2024, 1, 10, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Audit_entries_keep_their_millisecond_order()
    {
        var log = new SqliteAuditLog(_db.Database);
        await log.RecordAsync(new AuditEntry(s_t0.AddMilliseconds(5), "fox-modbus", "remote-enable=1", "ok"), CancellationToken.None);
        await log.RecordAsync(new AuditEntry(s_t0.AddMilliseconds(1), "fox-modbus", "work-mode=force-charge", "timeout", "no reply in 1 s"), CancellationToken.None);
        var entries = await log.GetAsync(s_t0, s_t0.AddSeconds(1), CancellationToken.None);
        Assert.Equal(["work-mode=force-charge", "remote-enable=1"], entries.Select(e => e.Command));
        Assert.Equal("no reply in 1 s", entries[0].Reason);
    }

    [Fact]
    public async Task Settings_round_trip_and_overwrite()
    {
        var store = new SqliteSettingsStore(_db.Database);
        Assert.Null(await store.GetAsync("k", CancellationToken.None));
        await store.SetAsync("k", "1", CancellationToken.None);
        await store.SetAsync("k", "2", CancellationToken.None);
        Assert.Equal("2", await store.GetAsync("k", CancellationToken.None));
    }
}
