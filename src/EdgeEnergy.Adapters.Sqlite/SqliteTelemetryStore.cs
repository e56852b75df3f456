using EdgeEnergy.Domain.History;
using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Minute telemetry in <c>telemetry</c>; older data averaged per 30 minutes in <c>telemetry_30m</c> (see <see cref="SqliteRetention"/>).</summary>
public sealed class SqliteTelemetryStore(SqliteDatabase database) : ITelemetryStore
{
    internal static readonly string[] s_columns = ["soc_percent", "battery_w", "grid_w", "load_w", "pv_w", "car_w"];

    public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(
                $"INSERT OR REPLACE INTO telemetry(minute, {string.Join(", ", s_columns)}) VALUES ($m, $c0, $c1, $c2, $c3, $c4, $c5);", transaction)
                .With("$m", 0L).With("$c0", null).With("$c1", null).With("$c2", null).With("$c3", null).With("$c4", null).With("$c5", null);
            foreach (var s in samples)
            {
                var seconds = SqlTime.ToUnix(s.TimestampUtc);
                insert.Parameters["$m"].Value = seconds - (seconds % 60);
                double?[] values = [s.BatterySocPercent, s.BatteryPowerW, s.GridPowerW, s.LoadPowerW, s.PvPowerW, s.CarChargingW];
                for (var i = 0; i < values.Length; i++)
                {
                    insert.Parameters[$"$c{i}"].Value = values[i] is { } v && double.IsFinite(v) ? v : DBNull.Value;
                }

                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            return samples.Count;
        }, cancellationToken);
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
