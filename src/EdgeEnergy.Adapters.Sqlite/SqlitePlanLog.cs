using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Every plan with its full problem JSON (the contract's form, so <c>edgeenergy plan</c> replays it) and plan JSON.</summary>
public sealed class SqlitePlanLog(SqliteDatabase database) : IPlanLog, IPlanHistory, IPlannedForecastHistory
{
    public Task<long> RecordAsync(DateTimeOffset createdUtc, PlanningTrigger trigger, PlanProblem problem, Plan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(plan);
        var problemJson = ProblemJson(problem);
        var planJson = JsonSerializer.Serialize(plan, PlanJson.Lenient.For<Plan>());
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(
                "INSERT INTO plans(created, trigger, status, problem_json, plan_json) VALUES ($c, $t, $s, $p, $o) RETURNING id;", transaction)
                .With("$c", SqlTime.ToUnix(createdUtc)).With("$t", trigger.ToString()).With("$s", plan.Status.ToString())
                .With("$p", problemJson).With("$o", planJson);
            return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
    }

    public Task<PlanRecord?> GetLatestAsync(CancellationToken cancellationToken) =>
        QueryOneAsync("SELECT id, created, trigger, problem_json, plan_json FROM plans ORDER BY created DESC, id DESC LIMIT 1;", null, cancellationToken);

    public Task<PlanRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        QueryOneAsync("SELECT id, created, trigger, problem_json, plan_json FROM plans WHERE id = $id;", id, cancellationToken);

    public Task<IReadOnlyList<PlanRecord>> GetCreatedAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PlanRecord>>(async connection =>
        {
            await using var command = connection.Command(
                "SELECT id, created, trigger, problem_json, plan_json FROM plans WHERE created >= $f AND created < $t ORDER BY created, id;")
                .With("$f", SqlTime.ToUnix(fromUtc)).With("$t", SqlTime.ToUnix(toUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var records = new List<PlanRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                records.Add(Read(reader));
            }

            return records;
        }, cancellationToken);

    /// <summary>
    /// Read from the stored problems' JSON by SQLite itself (the contract's <c>start</c>, <c>slotMinutes</c> and each
    /// slot's <c>loadKwh</c> and <c>pvKwh</c>): a fortnight is some 4,000 plans, and deserialising every problem and
    /// plan whole for two numbers a slot would cost the Pi seconds an hour. The first plan of each half hour is chosen
    /// in the query too, so replans on events (a burst of them within minutes) do not weigh the same slots many times.
    /// </summary>
    public Task<IReadOnlyList<PlannedSlotForecast>> GetPlannedForecastsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PlannedSlotForecast>>(async connection =>
        {
            // SQLite's bare column beside min(): id is the row that has the earliest created of its half hour. The
            // start is read once per plan in the CTE: in the SELECT it would re-parse the problem for each of its slots.
            await using var command = connection.Command(
                """
                WITH chosen AS MATERIALIZED (
                    SELECT p.id, p.created, json_extract(p.problem_json, '$.start') AS start, json_extract(p.problem_json, '$.slotMinutes') AS minutes
                    FROM plans p JOIN (SELECT id, min(created) FROM plans WHERE created >= $f AND created < $t GROUP BY created / 1800) f ON f.id = p.id)
                SELECT c.created, c.start, c.minutes, s.key, json_extract(s.value, '$.loadKwh'), json_extract(s.value, '$.pvKwh')
                FROM chosen c JOIN plans p ON p.id = c.id, json_each(p.problem_json, '$.slots') s
                ORDER BY c.created, c.id, s.key;
                """).With("$f", SqlTime.ToUnix(fromUtc)).With("$t", SqlTime.ToUnix(toUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var forecasts = new List<PlannedSlotForecast>();
            string? startText = null;
            var start = DateTimeOffset.MinValue;
            while (await reader.ReadAsync(cancellationToken))
            {
                var text = reader.GetString(1);
                if (!string.Equals(text, startText, StringComparison.Ordinal))
                {
                    start = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime();
                    startText = text;
                }

                var slotMinutes = reader.IsDBNull(2) ? 30 : reader.GetInt64(2); // the contract's default
                forecasts.Add(new PlannedSlotForecast(
                    SqlTime.FromUnix(reader.GetInt64(0)), start.AddMinutes(slotMinutes * reader.GetInt64(3)),
                    reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4), reader.IsDBNull(5) ? 0 : reader.GetDouble(5)));
            }

            return forecasts;
        }, cancellationToken);

    /// <summary>The stored problem exactly as <c>edgeenergy plan</c> reads it.</summary>
    public Task<string?> GetProblemJsonAsync(long id, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command("SELECT problem_json FROM plans WHERE id = $id;").With("$id", id);
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// The contract's problem JSON. <see cref="PlanProblem.SlotHours"/> is derived, not part of the contract, so it is
    /// left out: a replayed problem must parse without an "unknown member" warning.
    /// </summary>
    internal static string ProblemJson(PlanProblem problem)
    {
        var node = JsonSerializer.SerializeToNode(problem, PlanJson.Lenient.For<PlanProblem>())!.AsObject();
        node.Remove("slotHours");
        return node.ToJsonString(PlanJson.Lenient);
    }

    private Task<PlanRecord?> QueryOneAsync(string sql, long? id, CancellationToken cancellationToken) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.Command(sql);
            if (id is { } value)
            {
                command.With("$id", value);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }, cancellationToken);

    /// <summary>One row of <c>id, created, trigger, problem_json, plan_json</c>.</summary>
    private PlanRecord Read(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        var problem = JsonSerializer.Deserialize(reader.GetString(3), PlanJson.Lenient.For<PlanProblem>())
            ?? throw new InvalidDataException($"{database.Path}: plan {reader.GetInt64(0)} has an empty problem");
        var plan = JsonSerializer.Deserialize(reader.GetString(4), PlanJson.Lenient.For<Plan>())
            ?? throw new InvalidDataException($"{database.Path}: plan {reader.GetInt64(0)} has an empty plan");
        var trigger = Enum.TryParse<PlanningTrigger>(reader.GetString(2), out var t) ? t : PlanningTrigger.Manual;
        return new PlanRecord(reader.GetInt64(0), SqlTime.FromUnix(reader.GetInt64(1)), trigger, problem, plan);
    }
}
