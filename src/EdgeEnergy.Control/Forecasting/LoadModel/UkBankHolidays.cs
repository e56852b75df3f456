using System.Collections.Concurrent;

namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// Bank holidays of England and Wales, computed from the rules (Banking and Financial Dealings Act 1971 and the
/// proclamations since), never downloaded: New Year's Day, Good Friday, Easter Monday, the early May and spring bank
/// holidays (first and last Monday of May), the summer bank holiday (last Monday of August), Christmas Day and Boxing
/// Day, each falling on a weekend moved to the next weekday not already a holiday (the substitute day); plus the
/// one-off changes proclaimed so far (<see cref="s_moved"/>, <see cref="s_extra"/>).
/// </summary>
public static class UkBankHolidays
{
    /// <summary>Regular holidays moved by proclamation: the rule's date → the date observed.</summary>
    private static readonly Dictionary<DateOnly, DateOnly> s_moved = new()
    {
        [new DateOnly(1995, 5, 1)] = new DateOnly(1995, 5, 8),   // early May → VE Day 50th anniversary
        [new DateOnly(2002, 5, 27)] = new DateOnly(2002, 6, 4),  // spring → Golden Jubilee
        [new DateOnly(2012, 5, 28)] = new DateOnly(2012, 6, 4),  // spring → Diamond Jubilee
        [new DateOnly(2020, 5, 4)] = new DateOnly(2020, 5, 8),   // early May → VE Day 75th anniversary
        [new DateOnly(2022, 5, 30)] = new DateOnly(2022, 6, 2),  // spring → Platinum Jubilee
    };

    /// <summary>One-off extra holidays.</summary>
    private static readonly DateOnly[] s_extra =
    [
        new(1999, 12, 31), // Millennium
        new(2002, 6, 3),   // Golden Jubilee
        new(2011, 4, 29),  // Royal wedding
        new(2012, 6, 5),   // Diamond Jubilee
        new(2022, 6, 3),   // Platinum Jubilee
        new(2022, 9, 19),  // State funeral of Queen Elizabeth II
        new(2023, 5, 8),   // Coronation of King Charles III
    ];

    private static readonly ConcurrentDictionary<int, IReadOnlySet<DateOnly>> s_byYear = new();

    /// <summary>Whether <paramref name="date"/> is a bank holiday in England and Wales.</summary>
    public static bool IsHoliday(DateOnly date) => For(date.Year).Contains(date);

    /// <summary>The bank holidays of one year, in England and Wales.</summary>
    public static IReadOnlySet<DateOnly> For(int year) => s_byYear.GetOrAdd(year, Compute);

    /// <summary>Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    private static HashSet<DateOnly> Compute(int year)
    {
        var days = new HashSet<DateOnly>();
        void AddObserved(DateOnly rule)
        {
            var date = s_moved.GetValueOrDefault(rule, rule);
            // The substitute day: the next weekday not already a holiday.
            while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || days.Contains(date))
            {
                date = date.AddDays(1);
            }

            days.Add(date);
        }

        var easter = EasterSunday(year);
        days.Add(easter.AddDays(-2));
        days.Add(easter.AddDays(1));
        days.Add(s_moved.GetValueOrDefault(FirstMonday(year, 5), FirstMonday(year, 5)));
        days.Add(s_moved.GetValueOrDefault(LastMonday(year, 5), LastMonday(year, 5)));
        days.Add(LastMonday(year, 8));
        AddObserved(new DateOnly(year, 1, 1));
        AddObserved(new DateOnly(year, 12, 25));
        AddObserved(new DateOnly(year, 12, 26));
        foreach (var extra in s_extra.Where(d => d.Year == year))
        {
            days.Add(extra);
        }

        return days;
    }

    private static DateOnly FirstMonday(int year, int month)
    {
        var date = new DateOnly(year, month, 1);
        while (date.DayOfWeek != DayOfWeek.Monday)
        {
            date = date.AddDays(1);
        }

        return date;
    }

    private static DateOnly LastMonday(int year, int month)
    {
        var date = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        while (date.DayOfWeek != DayOfWeek.Monday)
        {
            date = date.AddDays(-1);
        }

        return date;
    }
}
