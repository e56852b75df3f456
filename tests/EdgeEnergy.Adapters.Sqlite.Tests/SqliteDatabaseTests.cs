using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = await _db.Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task A_new_file_gets_every_migration_in_wal_mode()
    {
        var version = await _db.Database.MigrateAsync(CancellationToken.None);
        Assert.Equal(Migrations.All[^1].Version, version);
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode;"));
        Assert.Equal(Migrations.All.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync("SELECT COUNT(*) FROM schema_migrations;"));
        Assert.Equal("ok", await _db.Database.CheckIntegrityAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Processes_that_open_a_new_file_at_once_apply_each_migration_once()
    {
        // Two processes starting on a fresh data folder (the service and a CLI command) each migrate; each must see
        // the other's migrations inside its write lock, not apply them again ("table already exists").
        for (var round = 0; round < 10; round++)
        {
            var path = System.IO.Path.Combine(_db.Folder, $"race-{round}.db");
            var racers = Enumerable.Range(0, 4).Select(_ => new SqliteDatabase(path)).ToList();
            var versions = await Task.WhenAll(racers.Select(d => Task.Run(() => d.MigrateAsync(CancellationToken.None))));
            Assert.All(versions, v => Assert.Equal(Migrations.All[^1].Version, v));
            await using var connection = await racers[0].OpenAsync(CancellationToken.None);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM schema_migrations;";
            Assert.Equal((long)Migrations.All.Count, (long)(await command.ExecuteScalarAsync())!);
            racers.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        await _db.Database.MigrateAsync(CancellationToken.None);
        using var again = new SqliteDatabase(_db.Path);
        Assert.Equal(Migrations.All[^1].Version, await again.MigrateAsync(CancellationToken.None));
        Assert.Equal(Migrations.All.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await ScalarAsync("SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task A_file_from_a_newer_build_is_refused_with_its_path()
    {
        await _db.Database.MigrateAsync(CancellationToken.None);
        await ScalarAsync("INSERT INTO schema_migrations(version, name, applied) VALUES (999, 'future', 0);");
        using var older = new SqliteDatabase(_db.Path);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => older.MigrateAsync(CancellationToken.None));
        Assert.Contains("schema version 999", e.Message);
        Assert.Contains(_db.Path, e.Message);
    }

    [Fact]
    public async Task A_failed_write_rolls_back_the_whole_transaction()
    {
        await Assert.ThrowsAsync<SqliteException>(() => _db.Database.WriteAsync<int>(async (connection, transaction) =>
        {
            await using var ok = connection.CreateCommand();
            ok.Transaction = transaction;
            ok.CommandText = "INSERT INTO settings(key, value, updated) VALUES ('a', '1', 0);";
            await ok.ExecuteNonQueryAsync();
            await using var bad = connection.CreateCommand();
            bad.Transaction = transaction;
            bad.CommandText = "INSERT INTO settings(key, value, updated) VALUES ('b', NULL, 0);";
            return await bad.ExecuteNonQueryAsync();
        }, CancellationToken.None));
        Assert.Equal("0", await ScalarAsync("SELECT COUNT(*) FROM settings;"));
    }
}
