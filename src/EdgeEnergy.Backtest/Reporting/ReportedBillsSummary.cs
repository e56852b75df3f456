using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// The daily report's figures for the status (and so Home Assistant, issue 16 §2): the last day's bills, and the sums
/// over the last 7 days. An incomplete day gives no figure (null, shown as unknown), never a zero; the week's sums only
/// when all 7 days are complete.
/// </summary>
public static class ReportedBillsSummary
{
    public const int WeekDays = 7;

    /// <param name="days">The report's days, oldest first, ending with yesterday.</param>
    /// <param name="computedUtc">When the report ran.</param>
    public static ReportedBills Of(IReadOnlyList<BillReportDay> days, DateTimeOffset computedUtc)
    {
        ArgumentNullException.ThrowIfNull(days);
        if (days.Count == 0)
        {
            throw new ArgumentException("no days reported", nameof(days));
        }

        var week = days.Skip(Math.Max(0, days.Count - WeekDays)).ToList();
        var complete = week.Where(d => d.Complete).ToList();
        var weekBills = week.Count == WeekDays && complete.Count == WeekDays
            ? new DayBills(complete.Sum(d => d.ActualBillPence!.Value), complete.Sum(d => d.EdgeEnergyBillPence!.Value), complete.Sum(d => d.NoBatteryBillPence!.Value))
            : null;
        var last = days[^1];
        var lastBills = last.Complete ? new DayBills(last.ActualBillPence!.Value, last.EdgeEnergyBillPence!.Value, last.NoBatteryBillPence!.Value) : null;
        return new ReportedBills(last.Date, lastBills, weekBills, complete.Count, computedUtc)
        {
            Days = [.. week.Select(d => new ReportedDay(
                d.Date, d.Reason, d.Mode, d.ActualBillPence, d.EdgeEnergyBillPence, d.EdgeEnergyErrorBarPence, d.NoBatteryBillPence, d.PerfectBillPence,
                d.Causes is { } c ? new ReportedCauses(c.LoadForecastPence, c.PvForecastPence, c.PricesPence, c.HorizonPence, c.ExecutionPence) : null))],
        };
    }
}
