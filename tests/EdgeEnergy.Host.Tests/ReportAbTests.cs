using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Reporting;

namespace EdgeEnergy.Host.Tests;

/// <summary>
/// <c>edgeenergy report</c> with <c>Control:AbSchedule</c> = alternate-days (issue 16 §4), as a child process on a
/// SQLite store seeded with eight simulated December days, 1–8 December 2026: on the A days (2, 4, 6, 8) EdgeEnergy ran
/// the battery from its plans, on the B days the incumbent's timer did; each day's mode recorded as the service records
/// it, 8 December as mixed (the mode changed that day). The A/B figures are checked against a calculation by hand from
/// the report's own per-day bills.
/// </summary>
public sealed class ReportAbTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateOnly s_first = new(2026, 12, 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-report-ab-").FullName;
    private string Store => Path.Combine(_folder, "store.db");

    public async Task InitializeAsync()
    {
        Assert.True(AbSchedule.TryParse("alternate-days", out var schedule));
        var site = new ShadowSiteSimulation(s_first, 8, new OrToolsScheduleOptimiser(), edgeEnergyInControl: d => schedule.IsADay(s_first.AddDays(d)));
        using var database = new SqliteDatabase(Store);
        var settings = await ReportCommandTests.SeedAsync(database, site);
        for (var d = 0; d < 8; d++)
        {
            var date = s_first.AddDays(d);
            await settings.SetAsync(AbSchedule.DayKey(date), d == 7 ? DayModes.Mixed : schedule.ModeOn(date, ControlMode.Active).ToWire(), CancellationToken.None);
        }
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Report_compares_a_and_b_days_each_against_its_own_optimum_with_the_days_needed()
    {
        var environment = ReportCommandTests.Environment(Store);
        environment["EDGEENERGY__CONTROL__ABSCHEDULE"] = "alternate-days";

        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-01", "--to", "2026-12-08"], environment: environment);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonNode.Parse(result.Stdout)!;
        var days = json["days"]!.AsArray();
        var ab = json["ab"]!;
        Assert.All(days, d => Assert.True((bool)d!["complete"]!, d!.ToJsonString()));

        // Per day: its label and mode; on active days EdgeEnergy's bill is the metered one, on shadow days the replay.
        output.WriteLine(ab.ToJsonString());
        var abDays = ab["days"]!.AsArray();
        Assert.Equal(["B", "A", "B", "A", "B", "A", "B", "A"], abDays.Select(d => (string)d!["day"]!));
        Assert.Equal(["shadow", "active", "shadow", "active", "shadow", "active", "shadow", "mixed"], abDays.Select(d => (string)d!["mode"]!));
        Assert.Equal("ran mixed, not active as an A day", (string?)abDays[7]!["excluded"]);
        for (var i = 0; i < 7; i++)
        {
            var (actual, edgeEnergy) = ((double)days[i]!["actualBillPence"]!, (double)days[i]!["edgeEnergyBillPence"]!);
            if (i % 2 == 1)
            {
                Assert.Equal(actual, edgeEnergy);
            }
            else
            {
                Assert.NotEqual(actual, edgeEnergy);
            }
        }

        // By hand, from the per-day figures printed (to 0.01p): capture = (noBattery − actual) / (noBattery − perfect) × 100.
        double Capture(int i) =>
            ((double)days[i]!["noBatteryBillPence"]! - (double)days[i]!["actualBillPence"]!)
            / ((double)days[i]!["noBatteryBillPence"]! - (double)days[i]!["perfectBillPence"]!) * 100;
        double[] a = [Capture(1), Capture(3), Capture(5)];
        double[] b = [Capture(0), Capture(2), Capture(4), Capture(6)];
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(Capture(i), (double)abDays[i]!["capturePercent"]!, 0.05);
        }

        static double Mean(double[] x) => x.Sum() / x.Length;
        static double Variance(double[] x) => x.Sum(v => (v - Mean(x)) * (v - Mean(x))) / (x.Length - 1);
        var delta = Mean(a) - Mean(b);
        var pooled = ((2 * Variance(a)) + (3 * Variance(b))) / 5;
        var needed = 2 * (1.96 + 0.84) * (1.96 + 0.84) * pooled / (delta * delta);
        Assert.Equal(3, (int)ab["aDays"]!);
        Assert.Equal(4, (int)ab["bDays"]!);
        Assert.Equal(Mean(a), (double)ab["aCapturePercentMean"]!, 0.05);
        Assert.Equal(Mean(b), (double)ab["bCapturePercentMean"]!, 0.05);
        Assert.Equal(Math.Sqrt(Variance(a)), (double)ab["aCaptureStdDev"]!, 0.05);
        Assert.Equal(Math.Sqrt(Variance(b)), (double)ab["bCaptureStdDev"]!, 0.05);
        Assert.Equal(delta, (double)ab["differencePercent"]!, 0.05);
        Assert.InRange((int)ab["daysNeededForSignificance"]!, Math.Ceiling(needed * 0.99), Math.Ceiling(needed * 1.01));
        Assert.Equal("alternate-days", (string?)ab["schedule"]);
    }

    [Fact]
    public async Task Without_the_schedule_the_report_has_no_ab_object_but_each_day_keeps_its_recorded_mode()
    {
        var result = await CliRunner.RunAsync(["report", "--from", "2026-12-01", "--to", "2026-12-02"], environment: ReportCommandTests.Environment(Store));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Null(json["ab"]);
        var days = json["days"]!.AsArray();
        Assert.NotEqual((double)days[0]!["actualBillPence"]!, (double)days[0]!["edgeEnergyBillPence"]!); // 1 Dec recorded shadow
        Assert.Equal((double)days[1]!["actualBillPence"]!, (double)days[1]!["edgeEnergyBillPence"]!); // 2 Dec recorded active
    }
}
