namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// When Agile prices are known. Day-ahead prices for 23:00 UK today → 23:00 UK tomorrow
/// appear from about 16:00 UK; before that only slots up to 23:00 UK today exist.
/// </summary>
/// <remarks>
/// The one Agile rule: <see cref="TariffKnowledge"/> (the price updater's, the live planner's and the backtest's rule per
/// tariff, with its polling) asks it for day-ahead tariffs.
/// </remarks>
public static class AgilePublication
{
    public static TimeOnly PublishTimeLocal { get; } = new(16, 0);

    /// <summary>Each publication covers the day-ahead auction's day: 23:00 UK to 23:00 UK.</summary>
    public static TimeOnly DayBoundaryLocal { get; } = new(23, 0);

    /// <summary>The end (UTC) of the prices that should be published at <paramref name="nowUtc"/>.</summary>
    public static DateTimeOffset ExpectedHorizonEnd(DateTimeOffset nowUtc) => KnownUntil(nowUtc, UkTime.Zone);

    /// <summary>
    /// The first instant (UTC) whose price is not yet published at <paramref name="now"/>, with the publication rule read
    /// in <paramref name="zone"/>: before 16:00 the prices end at 23:00 today, from 16:00 at 23:00 tomorrow.
    /// </summary>
    public static DateTimeOffset KnownUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var day = TimeOnly.FromDateTime(local.DateTime) >= PublishTimeLocal ? today.AddDays(1) : today;
        return UkTime.ToUtc(day, DayBoundaryLocal, zone);
    }

    /// <summary>
    /// How far estimated prices may take a plan made at <paramref name="now"/>: to the end of what the next publication
    /// covers, 23:00 tomorrow (local). From 16:00 that is already published, unless Octopus is late, when the estimate
    /// stands in for it until it comes.
    /// </summary>
    public static DateTimeOffset EstimatedUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return UkTime.ToUtc(DateOnly.FromDateTime(local.DateTime).AddDays(1), DayBoundaryLocal, zone);
    }
}
