using System.Globalization;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>The heat each immersion window has had (table <c>immersion_delivered</c>, migration 3).</summary>
public sealed class SqliteImmersionDeliveryStore(SqliteDatabase database) : IImmersionDeliveryStore
{
    private const string DateFormat = "yyyy-MM-dd";

    public Task<IReadOnlyDictionary<HeatWindowKey, double>> GetSinceAsync(DateOnly opensOnOrAfter, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<HeatWindowKey, double>>(async connection =>
        {
            // ISO dates compare as text in date order.
            await using var command = connection.Command("SELECT heater_id, window_index, opens_on, kwh FROM immersion_delivered WHERE opens_on >= $since;")
                .With("$since", opensOnOrAfter.ToString(DateFormat, CultureInfo.InvariantCulture));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var delivered = new Dictionary<HeatWindowKey, double>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var opensOn = DateOnly.ParseExact(reader.GetString(2), DateFormat, CultureInfo.InvariantCulture);
                delivered[new HeatWindowKey(reader.GetString(0), reader.GetInt32(1), opensOn)] = reader.GetDouble(3);
            }

            return delivered;
        }, cancellationToken);

    public Task SetAsync(HeatWindowKey key, double deliveredKwh, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.Command(
                "INSERT INTO immersion_delivered(heater_id, window_index, opens_on, kwh, updated) VALUES ($h, $w, $d, $k, unixepoch()) " +
                "ON CONFLICT(heater_id, window_index, opens_on) DO UPDATE SET kwh = excluded.kwh, updated = excluded.updated;", transaction)
                .With("$h", key.HeaterId).With("$w", key.Window).With("$d", key.OpensOn.ToString(DateFormat, CultureInfo.InvariantCulture))
                .With("$k", Math.Max(0, deliveredKwh));
            return await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
