using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>
/// The SQLite file: opens connections (WAL journal, synchronous=FULL, foreign keys on), applies the versioned schema
/// once per process before the first use, and runs write transactions. Every write of the stores is one
/// transaction, so a process killed mid-write loses only that transaction and never corrupts the file.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _migrateLock = new(1, 1);
    private readonly string _connectionString;
    private volatile bool _migrated;

    public SqliteDatabase(IOptions<StorageOptions> options, ILogger<SqliteDatabase> logger)
        : this(options?.Value.Path ?? throw new ArgumentNullException(nameof(options)), logger)
    {
    }

    public SqliteDatabase(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger ?? NullLogger.Instance;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>An open connection on a migrated database. The caller disposes it.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
        }

        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>Applies every pending migration; returns the schema version. Safe to call more than once.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrateLock.WaitAsync(cancellationToken);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            await using var connection = await OpenRawAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL);", cancellationToken);
            var version = Convert.ToInt32(await ScalarAsync(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            var newest = Migrations.All[^1].Version;
            if (version > newest)
            {
                throw new InvalidOperationException($"{Path}: schema version {version} is newer than this build knows ({newest}); use a newer edgeenergy");
            }

            foreach (var (number, name, sql) in Migrations.All.Where(m => m.Version > version))
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
                // Another process opening the same new file may have applied it while this one waited for the write
                // lock (the service and a CLI command started together): read again under the lock, never apply twice.
                var applied = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                if (applied >= number)
                {
                    await transaction.CommitAsync(cancellationToken);
                    version = applied;
                    continue;
                }

                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                await using (var record = connection.CreateCommand())
                {
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_migrations(version, name, applied) VALUES ($v, $n, unixepoch());";
                    record.Parameters.AddWithValue("$v", number);
                    record.Parameters.AddWithValue("$n", name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                _logger.SchemaMigrated(Path, number, name);
                version = number;
            }

            _migrated = true;
            return version;
        }
        finally
        {
            _migrateLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction and commits it; any exception rolls it all back.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> on a fresh connection (reads see a consistent WAL snapshot per statement).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary><c>PRAGMA integrity_check</c>: "ok" when the file is sound.</summary>
    public Task<string> CheckIntegrityAsync(CancellationToken cancellationToken) =>
        ReadAsync(async c => Convert.ToString(await ScalarAsync(c, null, "PRAGMA integrity_check;", cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "no answer", cancellationToken);

    internal static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public void Dispose() => _migrateLock.Dispose();

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // FULL: a commit is on disk before it returns, so even a power cut (not just a killed process) keeps it.
            await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
