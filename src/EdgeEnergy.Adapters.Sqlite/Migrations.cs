namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>
/// The versioned schema. Each migration runs once, in order, in its own transaction together with its row in
/// <c>schema_migrations</c>; append new ones, never edit applied ones. Times are Unix seconds (UTC).
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } =
    [
        (1, "initial", """
            CREATE TABLE rates(
                kind TEXT NOT NULL CHECK (kind IN ('import', 'export')),
                slot_start INTEGER NOT NULL,
                slot_end INTEGER NOT NULL CHECK (slot_end > slot_start),
                pence REAL NOT NULL,
                first_fetched INTEGER NOT NULL,
                last_fetched INTEGER NOT NULL,
                PRIMARY KEY (kind, slot_start)) WITHOUT ROWID;
            CREATE TABLE rate_revisions(
                kind TEXT NOT NULL,
                slot_start INTEGER NOT NULL,
                pence REAL NOT NULL,
                replaced_at INTEGER NOT NULL);
            CREATE INDEX rate_revisions_slot ON rate_revisions(kind, slot_start);

            CREATE TABLE pv_forecasts(
                id INTEGER PRIMARY KEY,
                site_id TEXT NOT NULL,
                issued INTEGER NOT NULL);
            CREATE INDEX pv_forecasts_site ON pv_forecasts(site_id, issued);
            CREATE TABLE pv_forecast_points(
                forecast_id INTEGER NOT NULL REFERENCES pv_forecasts(id) ON DELETE CASCADE,
                slot_start INTEGER NOT NULL,
                slot_end INTEGER NOT NULL,
                p10_kwh REAL NOT NULL,
                p50_kwh REAL NOT NULL,
                p90_kwh REAL NOT NULL,
                PRIMARY KEY (forecast_id, slot_start)) WITHOUT ROWID;
            CREATE TABLE pv_actuals(
                site_id TEXT NOT NULL,
                slot_start INTEGER NOT NULL,
                slot_end INTEGER NOT NULL,
                kwh REAL NOT NULL,
                fetched INTEGER NOT NULL,
                PRIMARY KEY (site_id, slot_start)) WITHOUT ROWID;
            CREATE TABLE api_calls(
                api TEXT NOT NULL,
                at INTEGER NOT NULL);
            CREATE INDEX api_calls_api_at ON api_calls(api, at);

            CREATE TABLE telemetry(
                minute INTEGER PRIMARY KEY,
                soc_percent REAL, battery_w REAL, grid_w REAL, load_w REAL, pv_w REAL);
            CREATE TABLE telemetry_30m(
                slot_start INTEGER PRIMARY KEY,
                samples INTEGER NOT NULL,
                soc_percent REAL, battery_w REAL, grid_w REAL, load_w REAL, pv_w REAL);

            CREATE TABLE plans(
                id INTEGER PRIMARY KEY,
                created INTEGER NOT NULL,
                trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                problem_json TEXT NOT NULL,
                plan_json TEXT NOT NULL);
            CREATE INDEX plans_created ON plans(created);

            CREATE TABLE audit_log(
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                target TEXT NOT NULL,
                command TEXT NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT);
            CREATE INDEX audit_log_at ON audit_log(at);

            CREATE TABLE overrides(
                id INTEGER PRIMARY KEY,
                created INTEGER NOT NULL,
                from_utc INTEGER NOT NULL,
                to_utc INTEGER NOT NULL CHECK (to_utc > from_utc),
                kind TEXT NOT NULL,
                value TEXT NOT NULL,
                reason TEXT,
                cleared INTEGER);

            CREATE TABLE settings(
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated INTEGER NOT NULL) WITHOUT ROWID;
            """),
        // The user's override with its history: every override asked for is a row (what, from when to when, through
        // which channel); the one in force is the row not yet ended. Times in Unix milliseconds. The generic table of
        // migration 1 was never written by the service and goes; the override the service kept as JSON in the
        // settings table ("override", enum modes as numbers) moves here.
        (2, "user overrides with history", """
            DROP TABLE overrides;
            CREATE TABLE user_overrides(
                id INTEGER PRIMARY KEY,
                mode TEXT NOT NULL,
                start_ms INTEGER NOT NULL,
                expires_ms INTEGER NOT NULL,
                power_w REAL,
                reserve_soc_percent REAL,
                source TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                ended_ms INTEGER,
                end_reason TEXT);
            CREATE UNIQUE INDEX user_overrides_in_force ON user_overrides((1)) WHERE ended_ms IS NULL;
            CREATE INDEX user_overrides_start ON user_overrides(start_ms);
            INSERT INTO user_overrides(mode, start_ms, expires_ms, power_w, reserve_soc_percent, source, created_ms)
                SELECT CASE json_extract(value, '$.mode') WHEN 1 THEN 'force-charge' WHEN 2 THEN 'force-discharge'
                            WHEN 3 THEN 'hold' WHEN 4 THEN 'self-use' ELSE CAST(json_extract(value, '$.mode') AS TEXT) END,
                       CAST(round((julianday(json_extract(value, '$.startUtc')) - 2440587.5) * 86400000) AS INTEGER),
                       CAST(round((julianday(json_extract(value, '$.expiresUtc')) - 2440587.5) * 86400000) AS INTEGER),
                       json_extract(value, '$.powerW'), json_extract(value, '$.reserveSocPercent'),
                       coalesce(json_extract(value, '$.source'), 'unknown'), updated * 1000
                FROM settings WHERE key = 'override' AND json_valid(value) AND json_type(value) = 'object'
                    AND julianday(json_extract(value, '$.startUtc')) IS NOT NULL AND julianday(json_extract(value, '$.expiresUtc')) IS NOT NULL;
            DELETE FROM settings WHERE key = 'override' AND (value = 'null' OR EXISTS (SELECT 1 FROM user_overrides));
            """),
        // What each immersion heater's relays delivered in each daily window (a row per heater, window and local
        // opening date, 'YYYY-MM-DD'): the planner takes it off the window's minimum, so a restart must not lose it.
        (3, "immersion heat delivered", """
            CREATE TABLE immersion_delivered(
                heater_id TEXT NOT NULL,
                window_index INTEGER NOT NULL,
                opens_on TEXT NOT NULL,
                kwh REAL NOT NULL CHECK (kwh >= 0),
                updated INTEGER NOT NULL,
                PRIMARY KEY (heater_id, window_index, opens_on)) WITHOUT ROWID;
            """),
        // The car charger's draw as evcc measured it, a part of load_w: the load forecasters learn the house without
        // the car, which the plan places itself (issue 19 §2). Null in every row written before.
        (4, "car charging power", """
            ALTER TABLE telemetry ADD COLUMN car_w REAL;
            ALTER TABLE telemetry_30m ADD COLUMN car_w REAL;
            """),
    ];
}
