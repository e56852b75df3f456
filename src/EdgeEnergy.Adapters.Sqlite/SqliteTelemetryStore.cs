using EdgeEnergy.Domain.History;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>
/// Minute telemetry in <c>telemetry</c>; older data averaged per 30 minutes in <c>telemetry_30m</c> (see
/// <see cref="SqliteRetention"/>). Append-only in time: a sample replaces the newest minute's row (several polls a
/// minute) but is not stored when its minute is older than the newest row, so a wall clock stepped back (NTP, or a
/// Pi without a real-time clock booting behind the history) never overwrites history already written.
/// </summary>
public sealed class SqliteTelemetryStore(SqliteDatabase database, ILogger<SqliteTelemetryStore>? logger = null) : ITelemetryStore
{
    internal static readonly string[] s_columns = ["soc_percent", "battery_w", "grid_w", "load_w", "pv_w", "car_w"];
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private int _refusing;

    public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return AppendCoreAsync(samples, cancellationToken);
    }

    private async Task AppendCoreAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken)
    {
        var refused = await database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(
                $"""
                INSERT OR REPLACE INTO telemetry(minute, {string.Join(", ", s_columns)})
                SELECT $m, $c0, $c1, $c2, $c3, $c4, $c5 WHERE $m >= COALESCE((SELECT MAX(minute) FROM telemetry), $m);
                """, transaction)
                .With("$m", 0L).With("$c0", null).With("$c1", null).With("$c2", null).With("$c3", null).With("$c4", null).With("$c5", null);
            var refused = new List<(long Minute, long Newest)>();
            foreach (var s in samples)
            {
                var seconds = SqlTime.ToUnix(s.TimestampUtc);
                insert.Parameters["$m"].Value = seconds - (seconds % 60);
                double?[] values = [s.BatterySocPercent, s.BatteryPowerW, s.GridPowerW, s.LoadPowerW, s.PvPowerW, s.CarChargingW];
                for (var i = 0; i < values.Length; i++)
                {
                    insert.Parameters[$"$c{i}"].Value = values[i] is { } v && double.IsFinite(v) ? v : DBNull.Value;
                }

                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    await using var newest = connection.Command("SELECT MAX(minute) FROM telemetry;", transaction);
                    refused.Add(((long)insert.Parameters["$m"].Value!, (long)(await newest.ExecuteScalarAsync(cancellationToken))!));
                }
            }

            return refused;
        }, cancellationToken);
        if (refused.Count == 0)
        {
            Interlocked.Exchange(ref _refusing, 0);
        }
        else if (Interlocked.Exchange(ref _refusing, 1) == 0)
        {
            // Once per run of refusals: the wall clock is behind the stored history until it passes the newest row.
            _logger.TelemetryBehindStored(refused.Count, SqlTime.FromUnix(refused[0].Minute), SqlTime.FromUnix(refused[0].Newest));
        }
    }

    public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<TelemetrySample>>(async connection =>
        {
            var columns = string.Join(", ", s_columns);
            await using var command = connection.Command(
                $"""
                SELECT slot_start AS t, {columns} FROM telemetry_30m WHERE slot_start >= $f AND slot_start < $t
                UNION ALL
                SELECT minute AS t, {columns} FROM telemetry WHERE minute >= $f AND minute < $t
                ORDER BY t;
                """).With("$f", SqlTime.ToUnix(fromUtc)).With("$t", SqlTime.ToUnix(toUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<TelemetrySample>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(Read(reader));
            }

            return list;
        }, cancellationToken);

    private static TelemetrySample Read(SqliteDataReader r) =>
        new(SqlTime.FromUnix(r.GetInt64(0)), r.NullableDouble(1), r.NullableDouble(2), r.NullableDouble(3), r.NullableDouble(4), r.NullableDouble(5), r.NullableDouble(6));
}
