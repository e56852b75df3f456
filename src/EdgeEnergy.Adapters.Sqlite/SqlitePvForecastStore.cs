using EdgeEnergy.Domain.Forecasts;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>PV forecasts (every issue kept until retention), estimated actuals, and the metered API call ledger.</summary>
public sealed class SqlitePvForecastStore(SqliteDatabase database) : IPvForecastStore, IApiCallLedger
{
    public Task SaveForecastAsync(PvForecast forecast, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var header = connection.Command("INSERT INTO pv_forecasts(site_id, issued) VALUES ($s, $i) RETURNING id;", transaction)
                .With("$s", forecast.SiteId).With("$i", SqlTime.ToUnix(forecast.IssuedUtc));
            var id = (long)(await header.ExecuteScalarAsync(cancellationToken))!;
            await using var point = connection.Command(
                "INSERT OR REPLACE INTO pv_forecast_points(forecast_id, slot_start, slot_end, p10_kwh, p50_kwh, p90_kwh) VALUES ($id, $s, $e, $p10, $p50, $p90);", transaction)
                .With("$id", id).With("$s", 0L).With("$e", 0L).With("$p10", 0.0).With("$p50", 0.0).With("$p90", 0.0);
            foreach (var p in forecast.Points)
            {
                point.Parameters["$s"].Value = SqlTime.ToUnix(p.StartUtc);
                point.Parameters["$e"].Value = SqlTime.ToUnix(p.EndUtc);
                point.Parameters["$p10"].Value = p.P10Kwh;
                point.Parameters["$p50"].Value = p.P50Kwh;
                point.Parameters["$p90"].Value = p.P90Kwh;
                await point.ExecuteNonQueryAsync(cancellationToken);
            }

            return id;
        }, cancellationToken);
    }

    public Task SaveActualsAsync(string siteId, IReadOnlyList<PvActualPoint> actuals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actuals);
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.Command(
                "INSERT OR REPLACE INTO pv_actuals(site_id, slot_start, slot_end, kwh, fetched) VALUES ($site, $s, $e, $k, unixepoch());", transaction)
                .With("$site", siteId).With("$s", 0L).With("$e", 0L).With("$k", 0.0);
            foreach (var a in actuals)
            {
                upsert.Parameters["$s"].Value = SqlTime.ToUnix(a.StartUtc);
                upsert.Parameters["$e"].Value = SqlTime.ToUnix(a.EndUtc);
                upsert.Parameters["$k"].Value = a.Kwh;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            return actuals.Count;
        }, cancellationToken);
    }

    public Task<PvForecast?> GetLatestForecastAsync(string siteId, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var header = connection.Command("SELECT id, issued FROM pv_forecasts WHERE site_id = $s ORDER BY issued DESC, id DESC LIMIT 1;").With("$s", siteId);
            await using var head = await header.ExecuteReaderAsync(cancellationToken);
            if (!await head.ReadAsync(cancellationToken))
            {
                return null;
            }

            var id = head.GetInt64(0);
            var issued = SqlTime.FromUnix(head.GetInt64(1));
            await using var points = connection.Command("SELECT slot_start, slot_end, p10_kwh, p50_kwh, p90_kwh FROM pv_forecast_points WHERE forecast_id = $id ORDER BY slot_start;").With("$id", id);
            await using var reader = await points.ExecuteReaderAsync(cancellationToken);
            var list = new List<PvForecastPoint>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new PvForecastPoint(SqlTime.FromUnix(reader.GetInt64(0)), SqlTime.FromUnix(reader.GetInt64(1)), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4)));
            }

            return new PvForecast(siteId, issued, list);
        }, cancellationToken);

    public Task<IReadOnlyList<PvForecastPoint>> GetPastForecastAsync(string siteId, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PvForecastPoint>>(async connection =>
        {
            // Newest issue first within each slot; the first row of each slot is kept.
            await using var command = connection.Command("""
                SELECT p.slot_start, p.slot_end, p.p10_kwh, p.p50_kwh, p.p90_kwh
                FROM pv_forecast_points p JOIN pv_forecasts f ON f.id = p.forecast_id
                WHERE f.site_id = $site AND p.slot_start >= $f AND p.slot_start < $t AND f.issued <= p.slot_start
                ORDER BY p.slot_start, f.issued DESC, f.id DESC;
                """).With("$site", siteId).With("$f", SqlTime.ToUnix(fromUtc)).With("$t", SqlTime.ToUnix(toUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<PvForecastPoint>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var start = SqlTime.FromUnix(reader.GetInt64(0));
                if (list.Count == 0 || list[^1].StartUtc != start)
                {
                    list.Add(new PvForecastPoint(start, SqlTime.FromUnix(reader.GetInt64(1)), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4)));
                }
            }

            return list;
        }, cancellationToken);

    /// <summary>Estimated actuals of a site with slots starting in [from, to), ordered by start.</summary>
    public Task<IReadOnlyList<PvActualPoint>> GetActualsAsync(string siteId, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PvActualPoint>>(async connection =>
        {
            await using var command = connection.Command("SELECT slot_start, slot_end, kwh FROM pv_actuals WHERE site_id = $site AND slot_start >= $f AND slot_start < $t ORDER BY slot_start;")
                .With("$site", siteId).With("$f", SqlTime.ToUnix(fromUtc)).With("$t", SqlTime.ToUnix(toUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var list = new List<PvActualPoint>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(new PvActualPoint(SqlTime.FromUnix(reader.GetInt64(0)), SqlTime.FromUnix(reader.GetInt64(1)), reader.GetDouble(2)));
            }

            return list;
        }, cancellationToken);

    public Task<bool> TryReserveAsync(string api, DateTimeOffset nowUtc, int dailyLimit, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // BEGIN IMMEDIATE holds the write lock, so count-then-insert is atomic across processes too.
            var (from, to) = UtcDay(nowUtc);
            await using var count = connection.Command("SELECT COUNT(*) FROM api_calls WHERE api = $a AND at >= $f AND at < $t;", transaction)
                .With("$a", api).With("$f", from).With("$t", to);
            var used = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            if (used >= dailyLimit)
            {
                return false;
            }

            await using var insert = connection.Command("INSERT INTO api_calls(api, at) VALUES ($a, $at);", transaction)
                .With("$a", api).With("$at", SqlTime.ToUnix(nowUtc));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);

    public Task<int> CountTodayAsync(string api, DateTimeOffset nowUtc, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            var (from, to) = UtcDay(nowUtc);
            await using var count = connection.Command("SELECT COUNT(*) FROM api_calls WHERE api = $a AND at >= $f AND at < $t;")
                .With("$a", api).With("$f", from).With("$t", to);
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    private static (long From, long To) UtcDay(DateTimeOffset nowUtc)
    {
        var day = new DateTimeOffset(nowUtc.UtcDateTime.Date, TimeSpan.Zero);
        return (SqlTime.ToUnix(day), SqlTime.ToUnix(day.AddDays(1)));
    }
}
