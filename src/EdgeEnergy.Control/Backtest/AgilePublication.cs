namespace EdgeEnergy.Control.Backtest;

/// <summary>
/// When Agile prices become known (docs/contracts.md section 3): the rates for 23:00 UK day D to 23:00 UK day D+1 are
/// published at 16:00 UK on day D, never earlier. So before 16:00 prices are known up to 23:00 today; from 16:00 up
/// to 23:00 tomorrow.
/// </summary>
public static class AgilePublication
{
    public static readonly TimeOnly PublishedLocal = new(16, 0);
    public static readonly TimeOnly DayBoundaryLocal = new(23, 0);

    /// <summary>The first instant (UTC) whose price is not yet known at <paramref name="now"/>.</summary>
    public static DateTimeOffset KnownUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (TimeOnly.FromDateTime(local.DateTime) >= PublishedLocal)
        {
            date = date.AddDays(1);
        }

        return LocalToUtc(date.ToDateTime(DayBoundaryLocal), zone);
    }

    /// <summary>A local wall-clock time as UTC (a time in the spring-forward gap moves an hour later).</summary>
    public static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
