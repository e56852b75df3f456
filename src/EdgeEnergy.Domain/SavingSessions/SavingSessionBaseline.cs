using System.Globalization;

namespace EdgeEnergy.Domain.SavingSessions;

/// <summary>
/// A session's baseline, kWh per half hour of the session (in session order), and the days it is the mean of. Null
/// <see cref="KwhPerSlot"/> with <see cref="Problem"/> when too little history was measured: the session is then
/// planned without a reward, and the reason says so (never a made-up baseline).
/// </summary>
public sealed record SessionBaseline(double[]? KwhPerSlot, IReadOnlyList<DateOnly> Days, int DaysMeasured, string? Problem)
{
    /// <summary>One line for the plan's reason and the log.</summary>
    public string Describe(SavingSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Problem is not null)
        {
            return Problem;
        }

        var kind = SavingSessionBaseline.IsWeekend(Days.Count > 0 ? Days[0] : default) ? "weekend days" : "weekdays";
        var total = KwhPerSlot!.Sum().ToString("0.00", CultureInfo.InvariantCulture);
        return DaysMeasured == Days.Count
            ? $"saving session '{session.Id}': baseline {total} kWh over the session, the mean of the last {Days.Count} {kind} without a session"
            : $"saving session '{session.Id}': baseline {total} kWh over the session, the mean of the {DaysMeasured} measured of the last {Days.Count} {kind} without a session";
    }
}

/// <summary>
/// Octopus's baseline for a Saving Session (issue 18 §4; docs/tariffs.md "Saving Sessions"), from the metered import:
/// for each half hour of the session, the mean import of the same UK wall-clock half hour over the previous 10
/// weekdays for a weekday session, or the previous 4 weekend days for a weekend session, skipping days that had a
/// session. Days are UK local days (a session at 17:30 is compared with 17:30 on each day, whether GMT or BST). Days
/// among those the appliance did not measure whole are left out of the mean, as long as at least half of them were
/// measured; fewer gives no baseline, with the reason. Pure: the caller reads the history.
/// </summary>
public static class SavingSessionBaseline
{
    /// <summary>Days the baseline is the mean of, for a weekday session.</summary>
    public const int Weekdays = 10;

    /// <summary>Days the baseline is the mean of, for a weekend session.</summary>
    public const int WeekendDays = 4;

    /// <summary>How far back days are looked for (10 weekdays with sessions on several of them still fit).</summary>
    public const int LookbackDays = 42;

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>The earliest instant whose import <see cref="Compute"/> may read for a session starting at <paramref name="sessionStartUtc"/>.</summary>
    public static DateTimeOffset HistoryFrom(DateTimeOffset sessionStartUtc) => sessionStartUtc.AddDays(-(LookbackDays + 1));

    /// <summary>
    /// The baseline of <paramref name="session"/>. <paramref name="importKwh"/> is the metered import per half hour, kWh,
    /// by the half hour's UTC start (missing or NaN: not measured); <paramref name="sessions"/> every session known
    /// (joined or not), whose UK days are skipped; <paramref name="zone"/> UK time (a parameter for tests).
    /// </summary>
    public static SessionBaseline Compute(
        SavingSession session, IReadOnlyList<SavingSession> sessions, IReadOnlyDictionary<DateTimeOffset, double> importKwh, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(importKwh);
        ArgumentNullException.ThrowIfNull(zone);
        if (session.Problem() is { } wrong)
        {
            return new SessionBaseline(null, [], 0, wrong);
        }

        var sessionDay = LocalDay(session.StartUtc, zone);
        var weekend = IsWeekend(sessionDay);
        var wanted = weekend ? WeekendDays : Weekdays;
        var sessionDays = sessions.Select(s => LocalDay(s.StartUtc, zone)).ToHashSet();
        var days = new List<DateOnly>();
        for (var back = 1; back <= LookbackDays && days.Count < wanted; back++)
        {
            var day = sessionDay.AddDays(-back);
            if (IsWeekend(day) == weekend && !sessionDays.Contains(day))
            {
                days.Add(day);
            }
        }

        // Each session half hour as a UK wall-clock time and its day's offset from the session's day (a session may
        // run past midnight).
        var n = session.SlotCount;
        var clock = new (int DayOffset, TimeOnly Time)[n];
        for (var k = 0; k < n; k++)
        {
            var local = TimeZoneInfo.ConvertTime(session.SlotStart(k), zone);
            clock[k] = (DateOnly.FromDateTime(local.DateTime).DayNumber - sessionDay.DayNumber, TimeOnly.FromDateTime(local.DateTime));
        }

        var sum = new double[n];
        var measured = 0;
        foreach (var day in days)
        {
            var values = new double[n];
            var whole = true;
            for (var k = 0; k < n && whole; k++)
            {
                var at = Prices.UkTime.ToUtc(day.AddDays(clock[k].DayOffset), clock[k].Time, zone);
                whole = importKwh.TryGetValue(at, out values[k]) && double.IsFinite(values[k]) && values[k] >= 0;
            }

            if (whole)
            {
                measured++;
                for (var k = 0; k < n; k++)
                {
                    sum[k] += values[k];
                }
            }
        }

        var kind = weekend ? "weekend days" : "weekdays";
        if (measured == 0 || measured * 2 < wanted)
        {
            return new SessionBaseline(null, days, measured, string.Create(CultureInfo.InvariantCulture,
                $"saving session '{session.Id}' at {TimeZoneInfo.ConvertTime(session.StartUtc, zone):yyyy-MM-dd HH:mm}: no baseline, only {measured} of the {wanted} {kind} before it have their import measured for the session's half hours (at least {(wanted + 1) / 2} needed); planned without a reward"));
        }

        return new SessionBaseline([.. sum.Select(s => s / measured)], days, measured, null);
    }

    private static DateOnly LocalDay(DateTimeOffset utc, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, zone).DateTime);
}
