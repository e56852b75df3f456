using System.Globalization;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>
/// The user's override, durable across restarts, with its history: each override asked for is one row of
/// <c>user_overrides</c> (mode, power W, reserve %, start and expiry, the channel that asked, when it was asked). The
/// row not yet ended is the one in force; saving another ends it (<c>replaced</c>, <c>cleared</c>, or <c>expired</c>
/// at its expiry), so the table answers "what was asked, when, by whom, and when did it end" for the audit.
/// A stored row that cannot be read back (unknown mode, impossible times or power) is never applied: it is logged as an
/// error naming the row and the field, ended as <c>corrupt</c> and kept.
/// </summary>
public sealed class SqliteOverrideStore(SqliteDatabase database, TimeProvider time, ILogger<SqliteOverrideStore>? logger = null) : IOverrideStore
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    private const string Columns = "id, mode, start_ms, expires_ms, power_w, reserve_soc_percent, source, created_ms, ended_ms, end_reason";

    public async Task<Override?> LoadAsync(CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync(async connection =>
        {
            await using var command = connection.Command($"SELECT {Columns} FROM user_overrides WHERE ended_ms IS NULL;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }, cancellationToken);
        if (row is null)
        {
            return null;
        }

        if (row.Problem is { } problem)
        {
            _logger.StoredOverrideCorrupt(row.Id, problem);
            await database.WriteAsync(async (connection, transaction) =>
            {
                await using var end = connection.Command("UPDATE user_overrides SET ended_ms = $n, end_reason = $r WHERE id = $id AND ended_ms IS NULL;", transaction)
                    .With("$n", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$r", $"corrupt: {problem}").With("$id", row.Id);
                return await end.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
            return null;
        }

        return row.Value;
    }

    public Task SaveAsync(Override? value, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            // The one in force ends now, or at its expiry when that has passed (it lapsed on its own).
            await using (var end = connection.Command(
                """
                UPDATE user_overrides
                SET ended_ms = min($n, expires_ms), end_reason = CASE WHEN expires_ms <= $n THEN 'expired' WHEN $replaced THEN 'replaced' ELSE 'cleared' END
                WHERE ended_ms IS NULL;
                """, transaction).With("$n", nowMs).With("$replaced", value is not null))
            {
                await end.ExecuteNonQueryAsync(cancellationToken);
            }

            if (value is null)
            {
                return 0;
            }

            await using var insert = connection.Command(
                """
                INSERT INTO user_overrides(mode, start_ms, expires_ms, power_w, reserve_soc_percent, source, created_ms)
                VALUES ($m, $s, $e, $p, $r, $src, $n);
                """, transaction)
                .With("$m", value.Mode.ToWire()).With("$s", value.StartUtc.ToUnixTimeMilliseconds()).With("$e", value.ExpiresUtc.ToUnixTimeMilliseconds())
                .With("$p", value.PowerW).With("$r", value.ReserveSocPercent).With("$src", value.Source).With("$n", nowMs);
            return await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Every override that started in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), oldest first, with how it ended.</summary>
    public Task<IReadOnlyList<OverrideHistoryEntry>> GetHistoryAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<OverrideHistoryEntry>>(async connection =>
        {
            await using var command = connection.Command($"SELECT {Columns} FROM user_overrides WHERE start_ms >= $f AND start_ms < $t ORDER BY start_ms, id;")
                .With("$f", fromUtc.ToUnixTimeMilliseconds()).With("$t", toUtc.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<OverrideHistoryEntry>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = Read(reader);
                list.Add(new OverrideHistoryEntry(
                    row.Id, row.Value, row.Problem, SqlTime.FromUnixMs(reader.GetInt64(7)), reader.IsDBNull(8) ? null : SqlTime.FromUnixMs(reader.GetInt64(8)), reader.NullableString(9)));
            }

            return list;
        }, cancellationToken);

    /// <summary>One row as an override, or the reason it is not a valid one.</summary>
    private static StoredRow Read(SqliteDataReader reader)
    {
        var id = reader.GetInt64(0);
        var modeText = reader.GetString(1);
        var start = SqlTime.FromUnixMs(reader.GetInt64(2));
        var expires = SqlTime.FromUnixMs(reader.GetInt64(3));
        var power = reader.NullableDouble(4);
        var reserve = reader.NullableDouble(5);
        string? problem = null;
        if (!OverrideModeNames.TryParse(modeText, out var mode) || mode == OverrideMode.Auto)
        {
            problem = $"mode '{modeText}' is not one of force-charge, force-discharge, hold, self-use";
        }
        else if (expires <= start)
        {
            problem = $"expiry {expires:o} is not after the start {start:o}";
        }
        else if (power is { } p && !(double.IsFinite(p) && p > 0))
        {
            problem = $"power_w {p.ToString(CultureInfo.InvariantCulture)} is not a positive number of watts";
        }
        else if (reserve is { } r && !(r >= 0 && r <= 100))
        {
            problem = $"reserve_soc_percent {r.ToString(CultureInfo.InvariantCulture)} is outside 0..100";
        }

        var value = problem is null
            ? new Override { Mode = mode, StartUtc = start, ExpiresUtc = expires, PowerW = power, ReserveSocPercent = reserve, Source = reader.GetString(6) }
            : null;
        return new StoredRow(id, value, problem);
    }

    private sealed record StoredRow(long Id, Override? Value, string? Problem);
}

/// <summary>
/// One override from the history: <see cref="Value"/> what was asked (null when the stored row is unreadable, then
/// <see cref="Problem"/> says why), when it was asked, and when and why it ended (<c>replaced</c>, <c>cleared</c>,
/// <c>expired</c>, <c>corrupt: …</c>; null while in force).
/// </summary>
public sealed record OverrideHistoryEntry(long Id, Override? Value, string? Problem, DateTimeOffset CreatedUtc, DateTimeOffset? EndedUtc, string? EndReason);
