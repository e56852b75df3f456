using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>The daily report's figures for the Home Assistant sensors (issue 16 §2): yesterday and the 7-day sums, and
/// an incomplete day as no figure, never zero.</summary>
public sealed class ReportedBillsSummaryTests
{
    private static readonly DateTimeOffset s_computed = new(2026, 12, 9, 0, 10, 0, TimeSpan.Zero);

    private static BillReportDay Day(int december, double actual) => new(new DateOnly(2026, 12, december), null)
    {
        ActualBillPence = actual, EdgeEnergyBillPence = actual - 10, NoBatteryBillPence = actual + 100,
    };

    [Fact]
    public void Seven_complete_days_give_yesterday_and_the_week_sums()
    {
        var days = Enumerable.Range(2, 7).Select(d => Day(d, 100 * d)).ToList(); // 2–8 December: 200p … 800p

        var bills = ReportedBillsSummary.Of(days, s_computed);

        Assert.Equal(new DateOnly(2026, 12, 8), bills.Yesterday);
        Assert.Equal(new DayBills(800, 790, 900), bills.YesterdayBills);
        Assert.Equal(new DayBills(3500, 3430, 4200), bills.WeekBills); // 200 + … + 800 = 3500; −7 × 10; +7 × 100
        Assert.Equal(7, bills.WeekCompleteDays);
        Assert.Equal(s_computed, bills.ComputedUtc);
    }

    [Fact]
    public void An_incomplete_yesterday_has_no_figures_and_leaves_the_week_unknown()
    {
        var days = Enumerable.Range(2, 6).Select(d => Day(d, 100 * d)).Append(new BillReportDay(new DateOnly(2026, 12, 8), "telemetry: missing")).ToList();

        var bills = ReportedBillsSummary.Of(days, s_computed);

        Assert.Null(bills.YesterdayBills);
        Assert.Null(bills.WeekBills);
        Assert.Equal(6, bills.WeekCompleteDays);
        // The dashboard's days: every one, the incomplete one with its reason and no figures.
        Assert.Equal(7, bills.Days.Count);
        Assert.Equal(new ReportedDay(new DateOnly(2026, 12, 8), "telemetry: missing", "shadow", null, null, null, null, null, null), bills.Days[^1]);
        Assert.Equal(700, bills.Days[^2].ActualPence);
        Assert.Equal(690, bills.Days[^2].EdgeEnergyPence);
    }
}
