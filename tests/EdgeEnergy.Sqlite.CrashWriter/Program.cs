using System.Globalization;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;

// Usage: EdgeEnergy.Sqlite.CrashWriter DB_PATH
// Writes batch after batch through the real stores: batch n is day n of import rates (48 slots, one transaction,
// pence = n + slot/100) then 240 telemetry minutes (another transaction). After both commit it prints
// "committed n" on stdout, so the test knows what must survive a SIGKILL. On start it resumes at the first batch
// that is not whole in both tables (saving the same values again changes nothing).
if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: EdgeEnergy.Sqlite.CrashWriter DB_PATH");
    return 2;
}

using var database = new SqliteDatabase(args[0]);
var rates = new SqliteRateStore(database);
var telemetry = new SqliteTelemetryStore(database);
var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
var storedRates = await rates.GetAsync(RateKind.Import, new TimeRange(epoch, epoch.AddYears(50)), CancellationToken.None);
var storedTelemetry = await telemetry.GetAsync(epoch, epoch.AddYears(50), CancellationToken.None);
var next = Math.Min(storedRates.Count / 48, storedTelemetry.Count / 240);
while (true)
{
    var day = epoch.AddDays(next);
    var batch = Enumerable.Range(0, 48).Select(i => new Rate(day.AddMinutes(30 * i), day.AddMinutes(30 * (i + 1)), next + (i / 100.0))).ToList();
    var samples = Enumerable.Range(0, 240).Select(i => new TelemetrySample(day.AddMinutes(i), next % 100, i, -i, 1000 + next, 0)).ToList();
    await rates.SaveAsync(RateKind.Import, batch, day, CancellationToken.None);
    await telemetry.AppendAsync(samples, CancellationToken.None);
    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {next}"));
    Console.Out.Flush();
    next++;
}
