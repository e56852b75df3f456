using System.Text.Json;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

/// <summary>The user's override in SQLite: it survives a restart, keeps its history, and a corrupt row is never applied.</summary>
public sealed class OverrideStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 27, 17, 0, 0, 123, TimeSpan.Zero);
    private readonly TempDatabase _db = new();
    private readonly FakeTimeProvider _time = new(s_t0);

    public void Dispose() => _db.Dispose();

    private static Override Charge(DateTimeOffset start, int minutes, string source = "mqtt") =>
        new() { Mode = OverrideMode.ForceCharge, StartUtc = start, ExpiresUtc = start.AddMinutes(minutes), PowerW = 2500, ReserveSocPercent = 30, Source = source };

    [Fact]
    public async Task The_override_in_force_reads_back_exactly_after_a_restart_on_the_same_file()
    {
        var asked = Charge(s_t0, 90);
        await new SqliteOverrideStore(_db.Database, _time).SaveAsync(asked, CancellationToken.None);

        using var reopened = new SqliteDatabase(_db.Path);
        Assert.Equal(asked, await new SqliteOverrideStore(reopened, _time).LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task History_says_what_was_asked_through_which_channel_and_when_and_why_each_ended()
    {
        var store = new SqliteOverrideStore(_db.Database, _time);
        await store.SaveAsync(Charge(s_t0, 60, "mqtt"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(10));
        var hold = new Override { Mode = OverrideMode.Hold, StartUtc = _time.GetUtcNow(), ExpiresUtc = _time.GetUtcNow().AddMinutes(30), Source = "api" };
        await store.SaveAsync(hold, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        await store.SaveAsync(null, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await store.SaveAsync(Charge(_time.GetUtcNow(), 5, "mqtt"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(20));
        await store.SaveAsync(null, CancellationToken.None); // long expired: it ended at its expiry, not now

        var history = await store.GetHistoryAsync(s_t0.AddHours(-1), s_t0.AddHours(1), CancellationToken.None);

        Assert.Equal(["mqtt", "api", "mqtt"], history.Select(h => h.Value!.Source));
        Assert.Equal([OverrideMode.ForceCharge, OverrideMode.Hold, OverrideMode.ForceCharge], history.Select(h => h.Value!.Mode));
        Assert.Equal(["replaced", "cleared", "expired"], history.Select(h => h.EndReason));
        Assert.Equal([s_t0.AddMinutes(10), s_t0.AddMinutes(15), s_t0.AddMinutes(21)], history.Select(h => h.EndedUtc!.Value));
        Assert.Equal([s_t0, s_t0.AddMinutes(10), s_t0.AddMinutes(16)], history.Select(h => h.CreatedUtc));
        Assert.Null(await store.LoadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("mode", "'turbo'", "mode 'turbo' is not one of")]
    [InlineData("mode", "'auto'", "mode 'auto' is not one of")]
    [InlineData("expires_ms", "start_ms", "is not after the start")]
    [InlineData("power_w", "-200", "power_w -200 is not a positive number of watts")]
    [InlineData("reserve_soc_percent", "140", "reserve_soc_percent 140 is outside 0..100")]
    public async Task A_corrupt_row_is_logged_as_an_error_kept_as_history_and_never_applied(string column, string sqlValue, string expected)
    {
        var logs = new CapturingLoggerFactory();
        var store = new SqliteOverrideStore(_db.Database, _time, logs.For<SqliteOverrideStore>());
        await store.SaveAsync(Charge(s_t0, 60), CancellationToken.None);
        await using (var connection = await _db.Database.OpenAsync(CancellationToken.None))
        await using (var corrupt = connection.CreateCommand())
        {
            corrupt.CommandText = $"UPDATE user_overrides SET {column} = {sqlValue};";
            Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
        }

        Assert.Null(await store.LoadAsync(CancellationToken.None));

        var error = Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains("row 1", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("NOT applied", error, StringComparison.Ordinal);
        var row = Assert.Single(await store.GetHistoryAsync(s_t0.AddDays(-1), s_t0.AddDays(1), CancellationToken.None));
        Assert.StartsWith("corrupt: ", row.EndReason, StringComparison.Ordinal);
        Assert.Null(row.Value);
        Assert.Null(await store.LoadAsync(CancellationToken.None)); // reported once, then no longer in force
        Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    /// <summary>The contract's JSON settings, by reflection: the override is not in the plan contract's metadata.</summary>
    private static readonly JsonSerializerOptions s_legacyJson = new(PlanJson.Output) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    [Fact]
    public async Task The_override_an_older_version_kept_in_the_settings_table_moves_into_the_history_table()
    {
        // A schema-1 database as the previous version left it: the override as JSON under the settings key "override".
        var legacy = Charge(s_t0, 45, "api");
        await using (var connection = new SqliteConnection($"Data Source={_db.Path}"))
        {
            await connection.OpenAsync();
            await using var setup = connection.CreateCommand();
            setup.CommandText = "CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL);"
                + Migrations.All[0].Sql
                + "INSERT INTO schema_migrations VALUES (1, 'initial', 0); INSERT INTO settings VALUES ('override', $json, 1800000000);";
            setup.Parameters.AddWithValue("$json", JsonSerializer.Serialize(legacy, s_legacyJson));
            await setup.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        using var upgraded = new SqliteDatabase(_db.Path);
        Assert.Equal(legacy, await new SqliteOverrideStore(upgraded, _time).LoadAsync(CancellationToken.None));
        Assert.Null(await new SqliteSettingsStore(upgraded).GetAsync("override", CancellationToken.None));
    }
}
