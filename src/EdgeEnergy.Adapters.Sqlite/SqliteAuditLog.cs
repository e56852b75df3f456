using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Append-only audit log of hardware commands; kept for good.</summary>
public sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command("INSERT INTO audit_log(at, target, command, outcome, reason) VALUES ($at, $t, $c, $o, $r);", transaction)
                .With("$at", entry.TimestampUtc.ToUnixTimeMilliseconds()).With("$t", entry.Target).With("$c", entry.Command)
                .With("$o", entry.Outcome).With("$r", entry.Reason);
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<AuditEntry>>(async connection =>
        {
            // Milliseconds here: several commands can go out within one second and their order matters.
            await using var command = connection.Command("SELECT at, target, command, outcome, reason FROM audit_log WHERE at >= $f AND at < $t ORDER BY at, id;")
                .With("$f", fromUtc.ToUnixTimeMilliseconds()).With("$t", toUtc.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<AuditEntry>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new AuditEntry(SqlTime.FromUnixMs(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.NullableString(4)));
            }

            return list;
        }, cancellationToken);
}
