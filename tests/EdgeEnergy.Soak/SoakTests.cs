using System.Globalization;
using Xunit.Abstractions;

namespace EdgeEnergy.Soak;

/// <summary>
/// Issue 20 §1. The short form (2 simulated days across the October DST change, a fixed seed) runs in the suite; set
/// <c>EDGEENERGY_SOAK_DAYS</c> (and optionally <c>EDGEENERGY_SOAK_SEED</c>, <c>EDGEENERGY_SOAK_START</c>,
/// <c>EDGEENERGY_SOAK_REPORT</c>, a file for the Markdown table) for the long form (docs/soak.md).
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_appliance_stays_in_control_through_a_seeded_schedule_of_faults_and_loses_no_data()
    {
        var days = int.TryParse(Environment.GetEnvironmentVariable("EDGEENERGY_SOAK_DAYS"), CultureInfo.InvariantCulture, out var d) ? d : 2;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EDGEENERGY_SOAK_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var start = DateTimeOffset.TryParse(Environment.GetEnvironmentVariable("EDGEENERGY_SOAK_START"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : new DateTimeOffset(2026, 10, 24, 0, 0, 0, TimeSpan.Zero);
        var log = new StringWriter(CultureInfo.InvariantCulture);
        SoakResult result;
        // SQLite on tmpfs when there is one (fsync costs nothing there; the process is killed, not the machine), or
        // where EDGEENERGY_SOAK_DATA says.
        var data = Environment.GetEnvironmentVariable("EDGEENERGY_SOAK_DATA") is { Length: > 0 } folder ? folder : Directory.Exists("/dev/shm") ? "/dev/shm" : null;
        await using (var run = new SoakRun(new SoakSettings(start, days, seed, data), TextWriter.Synchronized(log)))
        {
            result = await run.RunAsync(CancellationToken.None);
        }

        var report = SoakReport.Markdown(result, start, days, seed);
        output.WriteLine(report);
        output.WriteLine(log.ToString());
        if (Environment.GetEnvironmentVariable("EDGEENERGY_SOAK_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report + "\n\n```\n" + log + "```\n");
        }

        Assert.True(result.InControlShare >= 0.999, $"in control {result.InControlShare:P3}\n{report}");
        Assert.Empty(result.MissingPriceSlots);
        Assert.True(result.PriceChecks > 0, "no price check ran");
        Assert.Equal(0, result.TelemetryMinutesMissing);
        Assert.Empty(result.AbsurdTelemetryStored);
        Assert.NotEmpty(result.Restarts);
        Assert.Empty(result.IntegrityFailures);
        Assert.Empty(result.RowsLost);
        Assert.Empty(result.HardLimitBreaches);
        if (result.Faults.Any(f => f.Kind == FaultKind.DiskFull))
        {
            Assert.True(result.TelemetryHistoryDegradedMinutes > 0, "the full disk never made a write fail: the fault did not bite");
        }
        Assert.Contains(result.Faults, f => f.Kind == FaultKind.ClockStep);
        var changes = FaultSchedule.UkClockChanges(start, days * 24 * 60).Where(c => c >= 120 && c + 60 <= (days * 24 * 60) - 180).ToList();
        Assert.All(changes, c => Assert.Contains(result.Faults, f => FaultSchedule.CrossesAt(f, c))); // a UK clock change inside the run: a step across it
        Assert.True(result.ClockStepRowsChecked > 0, "no telemetry row was checked around a wall-clock step");
        Assert.Empty(result.TelemetryRowsOverwritten);
    }

    [Fact]
    public async Task The_in_control_judge_counts_the_minutes_another_program_holds_the_inverter_until_the_appliance_takes_it_back()
    {
        // Four clean hours, then at 03:00 another program puts the inverter on a 2500 W remote discharge with an hour's
        // timeout. The appliance takes it back within a refresh (60 s) or a re-send (Control:ResendSeconds, 300 s).
        var start = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
        var log = new StringWriter(CultureInfo.InvariantCulture);
        SoakResult result;
        var data = Directory.Exists("/dev/shm") ? "/dev/shm" : null;
        await using (var run = new SoakRun(new SoakSettings(start, 1, 7, data, [new Fault(FaultKind.ForeignSetpoint, 180, 1)], Minutes: 240), TextWriter.Synchronized(log)))
        {
            result = await run.RunAsync(CancellationToken.None);
        }

        output.WriteLine(SoakReport.Markdown(result, start, 0, 7));
        output.WriteLine(log.ToString());
        Assert.NotEmpty(result.Lapses);
        Assert.All(result.Lapses, l =>
        {
            Assert.InRange(l.MinuteUtc, start.AddMinutes(180), start.AddMinutes(180 + 6));
            Assert.Contains("remote setpoint 2500 W", l.What, StringComparison.Ordinal);
        });
        Assert.True(result.InControlShare < 1);
    }
}
