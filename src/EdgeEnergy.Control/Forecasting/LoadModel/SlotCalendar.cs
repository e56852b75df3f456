namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>What the calendar says about one half-hour slot, in the site's local time.</summary>
/// <param name="SlotOfDay">0–47 from local midnight (on the days the clocks change, the local hour decides).</param>
/// <param name="DayOfWeek">0 = Monday … 6 = Sunday.</param>
/// <param name="Holiday">A bank holiday in England and Wales (<see cref="UkBankHolidays"/>).</param>
public readonly record struct SlotDay(int SlotOfDay, int DayOfWeek, bool Holiday)
{
    /// <summary>A day most people are at home: Saturday, Sunday or a bank holiday.</summary>
    public bool OffDay => Holiday || DayOfWeek >= 5;
}

/// <summary>
/// Maps slot indices of a half-hourly series (slot 0 starting at <paramref name="originUtc"/>) to the site's local
/// calendar. Pure: the origin and the zone are values.
/// </summary>
public sealed class SlotCalendar(DateTimeOffset originUtc, TimeZoneInfo zone)
{
    public DateTimeOffset OriginUtc { get; } = originUtc;

    public TimeZoneInfo Zone { get; } = zone ?? throw new ArgumentNullException(nameof(zone));

    public SlotDay At(int slot) => Describe(TimeZoneInfo.ConvertTime(OriginUtc.AddMinutes(30.0 * slot), Zone).DateTime);

    /// <summary>
    /// The slots first, first + 1, … into <paramref name="days"/>: one time-zone conversion at each end, and per slot
    /// only arithmetic when the offset from UTC is the same at both (no clock change between them).
    /// </summary>
    public void Fill(int first, Span<SlotDay> days)
    {
        if (days.IsEmpty)
        {
            return;
        }

        var start = OriginUtc.AddMinutes(30.0 * first);
        var startOffset = Zone.GetUtcOffset(start);
        if (startOffset != Zone.GetUtcOffset(start.AddMinutes(30.0 * (days.Length - 1))))
        {
            for (var i = 0; i < days.Length; i++)
            {
                days[i] = At(first + i);
            }

            return;
        }

        var local = start.UtcDateTime + startOffset;
        var date = DateOnly.MinValue;
        var holiday = false;
        for (var i = 0; i < days.Length; i++, local = local.AddMinutes(30))
        {
            var d = DateOnly.FromDateTime(local);
            if (d != date)
            {
                date = d;
                holiday = UkBankHolidays.IsHoliday(d);
            }

            days[i] = new SlotDay(local.Hour * 2 + local.Minute / 30, ((int)local.DayOfWeek + 6) % 7, holiday);
        }
    }

    private static SlotDay Describe(DateTime local) =>
        new(local.Hour * 2 + local.Minute / 30, ((int)local.DayOfWeek + 6) % 7, UkBankHolidays.IsHoliday(DateOnly.FromDateTime(local)));
}
