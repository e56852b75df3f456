using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>The A/B figures of <c>edgeenergy report</c> (issue 16 §4) against a calculation by hand.</summary>
public sealed class AbComparisonTests
{
    private static BillReportDay Day(int december, string mode, double actual, double noBattery = 500, double perfect = 400) =>
        new(new DateOnly(2026, 12, december), null)
        {
            Mode = mode, ActualBillPence = actual, NoBatteryBillPence = noBattery, PerfectBillPence = perfect,
            EdgeEnergyBillPence = actual, EdgeEnergyErrorBarPence = 0, Causes = new EdgeEnergy.Backtest.Attribution(0, 0, 0, 0, 0),
        };

    private static AbSchedule Alternate() => AbSchedule.TryParse("alternate-days", out var s) ? s : throw new InvalidOperationException();

    [Fact]
    public void Captures_means_spreads_and_days_needed_match_the_hand_calculation()
    {
        // December 2026: even dates are A days (days since 2000-01-01 even), odd dates B days.
        // A: captures (500 − 420)/100 = 80 %, 60 %, 70 %: mean 70, sample sd √((100 + 100 + 0)/2) = 10.
        // B: 65 %, 55 %, 75 %: mean 65, sd 10. Δ = 5; pooled σ² = (2·100 + 2·100)/4 = 100;
        // n per group = 2 (1.96 + 0.84)² · 100 / 25 = 15.68 · 4 = 62.72 → 63.
        var days = new[]
        {
            Day(1, "shadow", 435), Day(2, "active", 420), Day(3, "shadow", 445), Day(4, "active", 440),
            Day(5, "shadow", 425), Day(6, "active", 430),
            Day(7, "active", 300), // a B day that ran active: not compared
            Day(8, "mixed", 300), // the mode changed during the day: not compared
            Day(10, "active", 499.5, noBattery: 500, perfect: 499.6), // perfect foresight saves 0.4p: nothing to capture
            new BillReportDay(new DateOnly(2026, 12, 12), "telemetry: missing") { Mode = "active" },
        };

        var ab = AbComparison.Of(days, Alternate());

        Assert.Equal(3, ab.ADays);
        Assert.Equal(3, ab.BDays);
        Assert.Equal(70, ab.ACapturePercentMean!.Value, 9);
        Assert.Equal(65, ab.BCapturePercentMean!.Value, 9);
        Assert.Equal(10, ab.ACaptureStdDev!.Value, 9);
        Assert.Equal(10, ab.BCaptureStdDev!.Value, 9);
        Assert.Equal(5, ab.DifferencePercent!.Value, 9);
        Assert.Equal(63, ab.DaysNeededForSignificance);
        Assert.Equal(["B", "A", "B", "A", "B", "A", "B", "A", "A", "A"], ab.Days.Select(d => d.Label));
        Assert.Equal("ran active, not shadow as a B day", ab.Days[6].Excluded);
        Assert.Equal("ran mixed, not active as an A day", ab.Days[7].Excluded);
        Assert.StartsWith("perfect foresight saves 0.40p", ab.Days[8].Excluded, StringComparison.Ordinal);
        Assert.Equal("incomplete: telemetry: missing", ab.Days[9].Excluded);
    }

    [Fact]
    public void Days_needed_is_unknown_until_each_group_has_two_days()
    {
        var ab = AbComparison.Of([Day(1, "shadow", 450), Day(2, "active", 420), Day(4, "active", 430)], Alternate());

        Assert.Equal(75, ab.ACapturePercentMean!.Value, 9);
        Assert.Null(ab.BCaptureStdDev);
        Assert.Equal(25, ab.DifferencePercent!.Value, 9);
        Assert.Null(ab.DaysNeededForSignificance);
    }
}
