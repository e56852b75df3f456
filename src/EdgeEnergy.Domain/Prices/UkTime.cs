namespace EdgeEnergy.Domain.Prices;

/// <summary>UK civil time (Europe/London, GMT/BST) for rules that are stated in local time.</summary>
public static class UkTime
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The UTC instant of a UK wall-clock time; in the spring-forward hour the later valid instant.</summary>
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time) => ToUtc(date, time, Zone);

    /// <summary>The UTC instant of a wall-clock time in <paramref name="zone"/>; in a spring-forward gap the later valid instant.</summary>
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
