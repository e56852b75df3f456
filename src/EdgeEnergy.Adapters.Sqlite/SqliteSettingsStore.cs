using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Durable key/value settings.</summary>
public sealed class SqliteSettingsStore(SqliteDatabase database) : ISettingsStore
{
    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command("SELECT value FROM settings WHERE key = $k;").With("$k", key);
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }, cancellationToken);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.Command(
                "INSERT INTO settings(key, value, updated) VALUES ($k, $v, unixepoch()) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated;", transaction)
                .With("$k", key).With("$v", value);
            return await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
