using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>A UK day's standing charges, pence (import + export): known, or null with the reason it is not.</summary>
public sealed record DayStanding(double? Pence, string? Problem)
{
    /// <summary>
    /// Each day of <paramref name="from"/>..<paramref name="to"/>: the import's and the export's charge in force at the
    /// day's start (<see cref="StandingChargeDays.ForDay"/>). <paramref name="readProblem"/> (the charges could not be
    /// read) or a day a published list does not cover: null, with the reason. Never 0 p for "not known".
    /// </summary>
    public static IReadOnlyDictionary<DateOnly, DayStanding> Of(
        StandingCharges? import, StandingCharges? export, string? readProblem, DateOnly from, DateOnly to, TimeZoneInfo zone)
    {
        var days = new Dictionary<DateOnly, DayStanding>();
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (readProblem is not null || import is null || export is null)
            {
                days[date] = new DayStanding(null, $"standing charges not read: {readProblem ?? "no standing-charge source"}");
                continue;
            }

            var importPence = StandingChargeDays.ForDay(import, date, zone, out var importMissing);
            var exportPence = StandingChargeDays.ForDay(export, date, zone, out var exportMissing);
            days[date] = importPence is { } i && exportPence is { } e
                ? new DayStanding(i + e, null)
                : new DayStanding(null, $"standing charge missing: {importMissing ?? exportMissing}");
        }

        return days;
    }
}

/// <summary>
/// The daily report's figures for the status (and so Home Assistant, issue 16 §2): the last day's bills, and the sums
/// over the last 7 days, each bill with the day's standing charges (the same for every strategy, so savings do not
/// change). An incomplete day, or one whose standing charge is not known, gives no figure (null, shown as unknown),
/// never a zero; the week's sums only when all 7 days are complete.
/// </summary>
public static class ReportedBillsSummary
{
    public const int WeekDays = 7;

    /// <param name="days">The report's days, oldest first, ending with yesterday (energy bills, as <c>edgeenergy report</c>).</param>
    /// <param name="computedUtc">When the report ran.</param>
    /// <param name="standing">Each day's standing charges (<see cref="DayStanding.Of"/>); a day not in it has an unknown charge.</param>
    public static ReportedBills Of(IReadOnlyList<BillReportDay> days, DateTimeOffset computedUtc, IReadOnlyDictionary<DateOnly, DayStanding> standing)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(standing);
        if (days.Count == 0)
        {
            throw new ArgumentException("no days reported", nameof(days));
        }

        var reported = days.Skip(Math.Max(0, days.Count - WeekDays)).Select(d => Day(d, standing)).ToList();
        var complete = reported.Where(d => d.IncompleteReason is null).ToList();
        var weekBills = reported.Count == WeekDays && complete.Count == WeekDays ? Sum(complete) : null;
        var last = Day(days[^1], standing);
        var lastBills = last.IncompleteReason is null ? Sum([last]) : null;
        return new ReportedBills(last.Date, lastBills, weekBills, complete.Count, computedUtc) { Days = reported };
    }

    private static DayBills Sum(IReadOnlyList<ReportedDay> days) =>
        new(days.Sum(d => d.ActualPence!.Value), days.Sum(d => d.EdgeEnergyPence!.Value), days.Sum(d => d.NoBatteryPence!.Value))
        {
            StandingPence = days.Sum(d => d.StandingPence!.Value),
        };

    private static ReportedDay Day(BillReportDay d, IReadOnlyDictionary<DateOnly, DayStanding> standing)
    {
        var charge = standing.TryGetValue(d.Date, out var s) ? s : new DayStanding(null, "standing charges not read for this day");
        var reason = d.Reason ?? charge.Problem;
        if (reason is not null)
        {
            return new ReportedDay(d.Date, reason, d.Mode, null, null, null, null, null, null) { StandingPence = charge.Pence };
        }

        var pence = charge.Pence!.Value;
        return new ReportedDay(
            d.Date, null, d.Mode, d.ActualBillPence + pence, d.EdgeEnergyBillPence + pence, d.EdgeEnergyErrorBarPence, d.NoBatteryBillPence + pence,
            d.PerfectBillPence + pence,
            d.Causes is { } c ? new ReportedCauses(c.LoadForecastPence, c.PvForecastPence, c.PricesPence, c.HorizonPence, c.ExecutionPence) : null)
        {
            StandingPence = pence,
        };
    }
}
