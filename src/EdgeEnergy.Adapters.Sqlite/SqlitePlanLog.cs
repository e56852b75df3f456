using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Every plan with its full problem JSON (the contract's form, so <c>edgeenergy plan</c> replays it) and plan JSON.</summary>
public sealed class SqlitePlanLog(SqliteDatabase database) : IPlanLog, IPlanHistory
{
    public Task<long> RecordAsync(DateTimeOffset createdUtc, PlanningTrigger trigger, PlanProblem problem, Plan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(plan);
        var problemJson = ProblemJson(problem);
        var planJson = JsonSerializer.Serialize(plan, PlanJson.Lenient);
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
        var node = JsonSerializer.SerializeToNode(problem, PlanJson.Lenient)!.AsObject();
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
        var problem = JsonSerializer.Deserialize<PlanProblem>(reader.GetString(3), PlanJson.Lenient)
            ?? throw new InvalidDataException($"{database.Path}: plan {reader.GetInt64(0)} has an empty problem");
        var plan = JsonSerializer.Deserialize<Plan>(reader.GetString(4), PlanJson.Lenient)
            ?? throw new InvalidDataException($"{database.Path}: plan {reader.GetInt64(0)} has an empty plan");
        var trigger = Enum.TryParse<PlanningTrigger>(reader.GetString(2), out var t) ? t : PlanningTrigger.Manual;
        return new PlanRecord(reader.GetInt64(0), SqlTime.FromUnix(reader.GetInt64(1)), trigger, problem, plan);
    }
}
