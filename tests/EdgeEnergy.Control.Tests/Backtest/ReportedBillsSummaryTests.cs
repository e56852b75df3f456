using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>The daily report's figures for the Home Assistant sensors (issue 16 §2): yesterday and the 7-day sums, each
/// with the day's standing charges (issue 18 §1), and an incomplete day or an unknown charge as no figure, never zero.</summary>
public sealed class ReportedBillsSummaryTests
{
    private const string ImportTariff = "E-1R-GO-VAR-22-10-14-C";
    private static readonly DateTimeOffset s_computed = new(2026, 12, 9, 0, 10, 0, TimeSpan.Zero);
    private static readonly DateOnly s_first = new(2026, 12, 2);
    private static readonly DateOnly s_last = new(2026, 12, 8);

    /// <summary>December is GMT: UK midnight is 00:00Z.</summary>
    private static DateTimeOffset Midnight(int december) => new(2026, 12, december, 0, 0, 0, TimeSpan.Zero);

    private static BillReportDay Day(int december, double actual) => new(new DateOnly(2026, 12, december), null)
    {
        ActualBillPence = actual, EdgeEnergyBillPence = actual - 10, NoBatteryBillPence = actual + 100, PerfectBillPence = actual - 20, EdgeEnergyErrorBarPence = 3,
    };

    private static List<BillReportDay> Week() => [.. Enumerable.Range(2, 7).Select(d => Day(d, 100 * d))]; // 2–8 December: 200p … 800p

    /// <summary>Import 50.00 p/day to the end of 4 December, 52.50 p/day from 5 December (until further notice); no export charge.</summary>
    private static readonly StandingCharges s_goChanging = new(ImportTariff, true,
        [new TariffRow(Midnight(1).AddYears(-1), Midnight(5), 50.0), new TariffRow(Midnight(5), null, 52.5)]);

    private static IReadOnlyDictionary<DateOnly, DayStanding> Standing(StandingCharges import, StandingCharges? export = null, string? problem = null) =>
        DayStanding.Of(import, export ?? StandingCharges.None("no export tariff"), problem, s_first, s_last, UkTime.Zone);

    [Fact]
    public void Seven_complete_days_give_yesterday_and_the_week_sums_with_each_days_standing_charge_in_force()
    {
        var bills = ReportedBillsSummary.Of(Week(), s_computed, Standing(s_goChanging));

        Assert.Equal(new DateOnly(2026, 12, 8), bills.Yesterday);
        // 8 December: 800 + 52.50, 790 + 52.50, 900 + 52.50.
        Assert.Equal(new DayBills(852.5, 842.5, 952.5) { StandingPence = 52.5 }, bills.YesterdayBills);
        // Standing: 2, 3, 4 December at 50.00 = 150.00; 5–8 at 52.50 = 210.00; 360.00 in all.
        // Energy: 200 + … + 800 = 3500; −7 × 10; +7 × 100.
        Assert.Equal(new DayBills(3860, 3790, 4560) { StandingPence = 360 }, bills.WeekBills);
        Assert.Equal(7, bills.WeekCompleteDays);
        Assert.Equal(s_computed, bills.ComputedUtc);
        // The dashboard's days carry the charge in every bill: 4 December (the last at 50.00) and 5 (the first at 52.50).
        var fourth = bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 4));
        Assert.Equal((450.0, 440.0, 550.0, 430.0, 3.0, 50.0), (fourth.ActualPence!.Value, fourth.EdgeEnergyPence!.Value, fourth.NoBatteryPence!.Value, fourth.PerfectPence!.Value, fourth.ErrorBarPence!.Value, fourth.StandingPence!.Value));
        var fifth = bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 5));
        Assert.Equal((552.5, 542.5, 652.5, 532.5, 52.5), (fifth.ActualPence!.Value, fifth.EdgeEnergyPence!.Value, fifth.NoBatteryPence!.Value, fifth.PerfectPence!.Value, fifth.StandingPence!.Value));
    }

    [Fact]
    public void An_export_standing_charge_adds_to_the_imports()
    {
        var export = new StandingCharges("E-1R-OUTGOING-FIX-12M-19-05-13-C", true, [new TariffRow(Midnight(1), null, 1.25)]);

        var bills = ReportedBillsSummary.Of(Week(), s_computed, Standing(s_goChanging, export));

        Assert.Equal(new DayBills(853.75, 843.75, 953.75) { StandingPence = 53.75 }, bills.YesterdayBills);
        Assert.Equal(360 + (7 * 1.25), bills.WeekBills!.StandingPence);
    }

    [Fact]
    public void A_day_the_standing_charges_do_not_cover_has_no_bills_and_says_which_tariff_and_day()
    {
        // The list stops at the end of 6 December: 7 and 8 December have no charge published.
        var gap = new StandingCharges(ImportTariff, true, [new TariffRow(Midnight(1), Midnight(7), 50.0)]);

        var bills = ReportedBillsSummary.Of(Week(), s_computed, Standing(gap));

        Assert.Null(bills.YesterdayBills);
        Assert.Null(bills.WeekBills);
        Assert.Equal(5, bills.WeekCompleteDays);
        var seventh = bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 7));
        Assert.Equal($"standing charge missing: {ImportTariff} publishes no standing charge for 2026-12-07", seventh.IncompleteReason);
        Assert.Null(seventh.ActualPence);
        Assert.Null(seventh.StandingPence);
        Assert.Equal(650.0, bills.Days.Single(d => d.Date == new DateOnly(2026, 12, 6)).ActualPence);
    }

    [Fact]
    public void Standing_charges_that_could_not_be_read_leave_every_day_without_bills_with_the_reason()
    {
        var bills = ReportedBillsSummary.Of(Week(), s_computed, Standing(s_goChanging, problem: "Octopus E-1R-GO-VAR-22-10-14-C standing-charges: HTTP 503"));

        Assert.Null(bills.YesterdayBills);
        Assert.Null(bills.WeekBills);
        Assert.Equal(0, bills.WeekCompleteDays);
        Assert.All(bills.Days, d => Assert.Equal("standing charges not read: Octopus E-1R-GO-VAR-22-10-14-C standing-charges: HTTP 503", d.IncompleteReason));
    }

    [Fact]
    public void The_standing_charge_that_changes_at_uk_midnight_after_the_autumn_clock_change_applies_from_that_day()
    {
        // 25 October 2026: the clocks go back at 02:00 BST; the day starts at 23:00Z on the 24th (BST).
        var change = new DateTimeOffset(2026, 10, 24, 23, 0, 0, TimeSpan.Zero);
        var import = new StandingCharges(ImportTariff, true, [new TariffRow(change.AddDays(-30), change, 48.0), new TariffRow(change, null, 49.5)]);

        var days = DayStanding.Of(import, StandingCharges.None("none"), null, new DateOnly(2026, 10, 24), new DateOnly(2026, 10, 26), UkTime.Zone);

        Assert.Equal(48.0, days[new DateOnly(2026, 10, 24)].Pence);
        Assert.Equal(49.5, days[new DateOnly(2026, 10, 25)].Pence);
        Assert.Equal(49.5, days[new DateOnly(2026, 10, 26)].Pence);
    }

    [Fact]
    public void An_incomplete_yesterday_has_no_figures_and_leaves_the_week_unknown()
    {
        var days = Enumerable.Range(2, 6).Select(d => Day(d, 100 * d)).Append(new BillReportDay(new DateOnly(2026, 12, 8), "telemetry: missing")).ToList();

        var bills = ReportedBillsSummary.Of(days, s_computed, Standing(s_goChanging));

        Assert.Null(bills.YesterdayBills);
        Assert.Null(bills.WeekBills);
        Assert.Equal(6, bills.WeekCompleteDays);
        // The dashboard's days: every one, the incomplete one with its reason and no figures (its standing charge known).
        Assert.Equal(7, bills.Days.Count);
        Assert.Equal(new ReportedDay(new DateOnly(2026, 12, 8), "telemetry: missing", "shadow", null, null, null, null, null, null) { StandingPence = 52.5 }, bills.Days[^1]);
        Assert.Equal(752.5, bills.Days[^2].ActualPence);
        Assert.Equal(742.5, bills.Days[^2].EdgeEnergyPence);
    }
}
