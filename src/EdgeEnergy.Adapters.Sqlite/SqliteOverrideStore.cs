using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>User overrides; clearing one ends it (the row stays as history).</summary>
public sealed class SqliteOverrideStore(SqliteDatabase database) : IOverrideStore
{
    public Task<long> AddAsync(Override value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.ToUtc <= value.FromUtc)
        {
            throw new ArgumentException($"override '{value.Kind}' ends ({value.ToUtc:O}) before it starts ({value.FromUtc:O})", nameof(value));
        }

        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(
                "INSERT INTO overrides(created, from_utc, to_utc, kind, value, reason) VALUES ($c, $f, $t, $k, $v, $r) RETURNING id;", transaction)
                .With("$c", SqlTime.ToUnix(value.CreatedUtc)).With("$f", SqlTime.ToUnix(value.FromUtc)).With("$t", SqlTime.ToUnix(value.ToUtc))
                .With("$k", value.Kind).With("$v", value.Value).With("$r", value.Reason);
            return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Override>> GetActiveAsync(DateTimeOffset nowUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Override>>(async connection =>
        {
            await using var command = connection.Command(
                "SELECT id, created, from_utc, to_utc, kind, value, reason FROM overrides WHERE cleared IS NULL AND from_utc <= $n AND to_utc > $n ORDER BY id;")
                .With("$n", SqlTime.ToUnix(nowUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<Override>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new Override(reader.GetInt64(0), SqlTime.FromUnix(reader.GetInt64(1)), SqlTime.FromUnix(reader.GetInt64(2)), SqlTime.FromUnix(reader.GetInt64(3)),
                    reader.GetString(4), reader.GetString(5), reader.NullableString(6)));
            }

            return list;
        }, cancellationToken);

    public Task<bool> ClearAsync(long id, DateTimeOffset nowUtc, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var update = connection.Command("UPDATE overrides SET cleared = $n WHERE id = $id AND cleared IS NULL AND to_utc > $n;", transaction)
                .With("$n", SqlTime.ToUnix(nowUtc)).With("$id", id);
            return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
}
