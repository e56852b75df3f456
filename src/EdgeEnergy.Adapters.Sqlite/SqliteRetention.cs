using EdgeEnergy.Domain.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>
/// Retention in one transaction: minute telemetry older than <c>Storage:TelemetryMinuteRetentionDays</c> is averaged
/// into 30-minute rows (merged, sample-weighted, with rows already there) and deleted; 30-minute rows, plans and
/// forecasts past their retention are deleted. Prices, estimated actuals, the audit log and overrides are kept.
/// </summary>
public sealed class SqliteRetention(SqliteDatabase database, IOptions<StorageOptions> options, ILogger<SqliteRetention>? logger = null) : IHistoryRetention
{
    private const long SlotSeconds = 1800;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async Task<RetentionResult> ApplyAsync(DateTimeOffset nowUtc, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = SqlTime.ToUnix(nowUtc);
        // Aligned down to a slot so a half hour is never split between the two tables.
        var minuteCutoff = now - ((long)o.TelemetryMinuteRetentionDays * 86400);
        minuteCutoff -= minuteCutoff % SlotSeconds;
        var telemetryCutoff = now - ((long)o.TelemetryRetentionDays * 86400);
        var planCutoff = now - ((long)o.PlanRetentionDays * 86400);
        var forecastCutoff = now - ((long)o.ForecastRetentionDays * 86400);

        var result = await database.WriteAsync(async (connection, transaction) =>
        {
            var columns = SqliteTelemetryStore.s_columns;
            var merge = string.Join(",\n", columns.Select(c =>
                $"{c} = CASE WHEN excluded.{c} IS NULL THEN telemetry_30m.{c} WHEN telemetry_30m.{c} IS NULL THEN excluded.{c} " +
                $"ELSE (telemetry_30m.{c} * telemetry_30m.samples + excluded.{c} * excluded.samples) / (telemetry_30m.samples + excluded.samples) END"));
            await using var downsample = connection.Command(
                $"""
                INSERT INTO telemetry_30m(slot_start, samples, {string.Join(", ", columns)})
                SELECT (minute / {SlotSeconds}) * {SlotSeconds}, COUNT(*), {string.Join(", ", columns.Select(c => $"AVG({c})"))}
                FROM telemetry WHERE minute < $cut GROUP BY minute / {SlotSeconds}
                ON CONFLICT(slot_start) DO UPDATE SET
                {merge},
                samples = telemetry_30m.samples + excluded.samples;
                """, transaction).With("$cut", minuteCutoff);
            await downsample.ExecuteNonQueryAsync(cancellationToken);
            var downsampled = await DeleteAsync("DELETE FROM telemetry WHERE minute < $cut;", minuteCutoff);
            var telemetryDeleted = await DeleteAsync("DELETE FROM telemetry_30m WHERE slot_start < $cut;", telemetryCutoff);
            var plans = await DeleteAsync("DELETE FROM plans WHERE created < $cut;", planCutoff);
            var forecasts = await DeleteAsync("DELETE FROM pv_forecasts WHERE issued < $cut;", forecastCutoff);
            await DeleteAsync("DELETE FROM api_calls WHERE at < $cut;", now - (30 * 86400));
            return new RetentionResult(downsampled, telemetryDeleted, plans, forecasts);

            async Task<int> DeleteAsync(string sql, long cutoff)
            {
                await using var delete = connection.Command(sql, transaction).With("$cut", cutoff);
                return await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
        _logger.RetentionApplied(result.TelemetryMinutesDownsampled, result.TelemetrySlotsDeleted, result.PlansDeleted, result.ForecastsDeleted);
        return result;
    }
}
