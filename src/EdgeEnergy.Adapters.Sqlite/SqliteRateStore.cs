using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>Every rate ever fetched, one row per kind and slot; a changed price keeps the old one in <c>rate_revisions</c>.</summary>
public sealed class SqliteRateStore(SqliteDatabase database, ILogger<SqliteRateStore>? logger = null) : IRateStore
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public Task<int> SaveAsync(RateKind kind, IReadOnlyList<Rate> rates, DateTimeOffset fetchedUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var kindName = KindName(kind);
        return database.WriteAsync(async (connection, transaction) =>
        {
            var changed = 0;
            await using var find = connection.Command("SELECT pence FROM rates WHERE kind = $k AND slot_start = $s;", transaction)
                .With("$k", kindName).With("$s", 0L);
            await using var upsert = connection.Command(
                """
                INSERT INTO rates(kind, slot_start, slot_end, pence, first_fetched, last_fetched) VALUES ($k, $s, $e, $p, $f, $f)
                ON CONFLICT(kind, slot_start) DO UPDATE SET slot_end = excluded.slot_end, pence = excluded.pence, last_fetched = excluded.last_fetched;
                """, transaction)
                .With("$k", kindName).With("$s", 0L).With("$e", 0L).With("$p", 0.0).With("$f", SqlTime.ToUnix(fetchedUtc));
            await using var revise = connection.Command("INSERT INTO rate_revisions(kind, slot_start, pence, replaced_at) VALUES ($k, $s, $p, $f);", transaction)
                .With("$k", kindName).With("$s", 0L).With("$p", 0.0).With("$f", SqlTime.ToUnix(fetchedUtc));
            foreach (var rate in rates)
            {
                if (!double.IsFinite(rate.Pence))
                {
                    // The validator rejects these; refusing here too keeps a bug elsewhere from storing a non-price.
                    throw new ArgumentException($"rate for {rate.StartUtc:O} is not a finite number; validate rates before saving", nameof(rates));
                }

                var start = SqlTime.ToUnix(rate.StartUtc);
                find.Parameters["$s"].Value = start;
                var old = await find.ExecuteScalarAsync(cancellationToken);
                if (old is double oldPence)
                {
                    if (oldPence.Equals(rate.Pence))
                    {
                        continue;
                    }

                    revise.Parameters["$s"].Value = start;
                    revise.Parameters["$p"].Value = oldPence;
                    await revise.ExecuteNonQueryAsync(cancellationToken);
                    _logger.RateRevised(kindName, rate.StartUtc, oldPence, rate.Pence);
                }

                upsert.Parameters["$s"].Value = start;
                upsert.Parameters["$e"].Value = SqlTime.ToUnix(rate.EndUtc);
                upsert.Parameters["$p"].Value = rate.Pence;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
                changed++;
            }

            return changed;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Rate>> GetAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Rate>>(async connection =>
        {
            await using var command = connection.Command("SELECT slot_start, slot_end, pence FROM rates WHERE kind = $k AND slot_start >= $f AND slot_start < $t ORDER BY slot_start;")
                .With("$k", KindName(kind)).With("$f", SqlTime.ToUnix(range.FromUtc)).With("$t", SqlTime.ToUnix(range.ToUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rates = new List<Rate>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rates.Add(new Rate(SqlTime.FromUnix(reader.GetInt64(0)), SqlTime.FromUnix(reader.GetInt64(1)), reader.GetDouble(2)));
            }

            return rates;
        }, cancellationToken);

    /// <summary>How many earlier prices were replaced for this slot (revision history).</summary>
    public Task<IReadOnlyList<double>> GetRevisionsAsync(RateKind kind, DateTimeOffset slotStartUtc, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<double>>(async connection =>
        {
            await using var command = connection.Command("SELECT pence FROM rate_revisions WHERE kind = $k AND slot_start = $s ORDER BY rowid;")
                .With("$k", KindName(kind)).With("$s", SqlTime.ToUnix(slotStartUtc));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var values = new List<double>();
            while (await reader.ReadAsync(cancellationToken))
            {
                values.Add(reader.GetDouble(0));
            }

            return values;
        }, cancellationToken);

    internal static string KindName(RateKind kind) => kind switch
    {
        RateKind.Import => "import",
        RateKind.Export => "export",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown rate kind"),
    };
}
