using System.Globalization;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Control;

/// <summary>
/// The A/B schedule (configuration <c>Control:AbSchedule</c>, issue 16 §4): <c>off</c>, or <c>alternate-days</c>, where
/// EdgeEnergy is in control on A days and hands control back to the incumbent on B days. A UK local date is an A day
/// when the number of days from <see cref="Epoch"/> (Saturday 1 January 2000) to it is even: 2026-12-01 is day 9831,
/// a B day; 2026-12-02 an A day. Days change at UK midnight (Europe/London, so 00:00 GMT in winter, 00:00 BST in summer).
/// Pure: the caller gives the instant.
/// </summary>
public sealed class AbSchedule
{
    public const string Off = "off";
    public const string AlternateDays = "alternate-days";

    /// <summary>Day 0 of the alternation (an A day).</summary>
    public static readonly DateOnly Epoch = new(2000, 1, 1);

    private AbSchedule(string name, TimeZoneInfo zone) => (Name, Zone) = (name, zone);

    public static AbSchedule None { get; } = new(Off, UkTime.Zone);

    /// <summary><c>off</c> or <c>alternate-days</c>.</summary>
    public string Name { get; }

    public bool Enabled => Name != Off;

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <c>off</c> or <c>alternate-days</c> (case-insensitive, blanks ignored; empty is off); false for anything else.</summary>
    public static bool TryParse(string? text, out AbSchedule schedule, TimeZoneInfo? zone = null)
    {
        var name = string.IsNullOrWhiteSpace(text) ? Off : text.Trim().ToLowerInvariant();
        schedule = new AbSchedule(name is AlternateDays ? AlternateDays : Off, zone ?? UkTime.Zone);
        return name is Off or AlternateDays;
    }

    /// <summary>The UK local date of <paramref name="instant"/>.</summary>
    public DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>True for an A day (EdgeEnergy in control); with the schedule off every day is an A day.</summary>
    public bool IsADay(DateOnly date) => !Enabled || (date.DayNumber - Epoch.DayNumber) % 2 == 0;

    /// <summary><c>A</c> or <c>B</c>.</summary>
    public string Label(DateOnly date) => IsADay(date) ? "A" : "B";

    /// <summary>The mode the schedule gives a day when the person's mode (<paramref name="chosen"/>) is active: active
    /// on A days, shadow on B days; shadow stays shadow whatever the day.</summary>
    public ControlMode ModeOn(DateOnly date, ControlMode chosen) => chosen == ControlMode.Active && IsADay(date) ? ControlMode.Active : ControlMode.Shadow;

    /// <summary>The next UK midnight after <paramref name="instant"/>, UTC.</summary>
    public DateTimeOffset NextSwitchUtc(DateTimeOffset instant) => UkTime.ToUtc(DateOf(instant).AddDays(1), TimeOnly.MinValue, Zone);

    /// <summary>The store key of the mode a day ran in (<c>control.day_mode.YYYY-MM-DD</c>; values as <see cref="DayModes"/>).</summary>
    public static string DayKey(DateOnly date) => "control.day_mode." + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}

/// <summary>
/// The mode a UK day ran in, as recorded in the store: <c>active</c> or <c>shadow</c> when the whole day (from the first
/// record on it) ran in one mode, <c>mixed</c> when the mode changed during the day.
/// </summary>
public static class DayModes
{
    public const string Mixed = "mixed";

    /// <summary>What to store for a day that was <paramref name="recorded"/> (null: nothing yet) and is now <paramref name="mode"/>.</summary>
    public static string Next(string? recorded, ControlMode mode) =>
        recorded is null || recorded == mode.ToWire() ? mode.ToWire() : Mixed;
}
