using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

/// <summary>
/// A child process writes batches through the real stores; it is killed with SIGKILL in the middle of writing,
/// several times over the same file. Afterwards the file passes <c>PRAGMA integrity_check</c>, every batch the child
/// reported as committed is whole, and no batch is partly there.
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private const int Kills = 6;
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Sigkill_mid_write_loses_at_most_the_open_transaction_and_never_corrupts_the_file()
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "EdgeEnergy.Sqlite.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"{writer} missing: build tests/EdgeEnergy.Sqlite.CrashWriter");
        var random = new Random(20261127);
        var lastCommitted = -1;
        var hotWalSeen = false;
        for (var kill = 0; kill < Kills; kill++)
        {
            var waitFor = random.Next(2, 6);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(writer);
            start.ArgumentList.Add(_db.Path);
            using var child = Process.Start(start)!;
            var seen = 0;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (seen < waitFor)
                {
                    var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                        ?? throw new InvalidOperationException($"writer exited early: {await child.StandardError.ReadToEndAsync()}");
                    lastCommitted = int.Parse(line["committed ".Length..], CultureInfo.InvariantCulture);
                    seen++;
                }

                // A random moment inside the next batch's transactions.
                Thread.Sleep(random.Next(0, 15));
            }
            finally
            {
                // Process.Kill sends SIGKILL on Unix: no handlers, no flush, no rollback.
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }

            Assert.Equal(137, child.ExitCode);
            hotWalSeen |= new FileInfo(_db.Path + "-wal") is { Exists: true, Length: > 0 };
        }

        Assert.True(hotWalSeen, "no kill left a write-ahead log to recover; the test did not exercise recovery");
        SqliteConnection.ClearAllPools();
        using var after = new SqliteDatabase(_db.Path);
        Assert.Equal("ok", await after.CheckIntegrityAsync(CancellationToken.None));

        var rateDays = await CountPerDayAsync(after, "SELECT slot_start / 86400, COUNT(*), SUM(pence) FROM rates GROUP BY 1 ORDER BY 1;");
        var telemetryDays = await CountPerDayAsync(after, "SELECT minute / 86400, COUNT(*), SUM(load_w) FROM telemetry GROUP BY 1 ORDER BY 1;");
        var epochDay = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 86400;
        for (var n = 0; n <= lastCommitted; n++)
        {
            Assert.True(rateDays.TryGetValue(epochDay + n, out var r), $"committed batch {n}: rates missing");
            Assert.Equal(48, r.Count);
            Assert.Equal((48 * n) + (Enumerable.Range(0, 48).Sum() / 100.0), r.Sum, 6);
            Assert.True(telemetryDays.TryGetValue(epochDay + n, out var t), $"committed batch {n}: telemetry missing");
            Assert.Equal(240, t.Count);
            Assert.Equal(240 * (1000 + n), t.Sum, 6);
        }

        // A batch cut off by the kill is absent or whole in each table, never partial.
        Assert.All(rateDays.Values, r => Assert.Equal(48, r.Count));
        Assert.All(telemetryDays.Values, t => Assert.Equal(240, t.Count));
        Assert.True(lastCommitted >= Kills * 2 - 1, $"only {lastCommitted + 1} batches committed over {Kills} runs");
    }

    private static Task<Dictionary<long, (long Count, double Sum)>> CountPerDayAsync(SqliteDatabase database, string sql) =>
        database.ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var days = new Dictionary<long, (long, double)>();
            while (await reader.ReadAsync())
            {
                days[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetDouble(2));
            }

            return days;
        }, CancellationToken.None);
}
