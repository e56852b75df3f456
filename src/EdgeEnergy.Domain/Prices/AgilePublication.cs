namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// When Agile prices are known and when to ask for them. Day-ahead prices for 23:00 UK today → 23:00 UK tomorrow
/// appear from about 16:00 UK; before that only slots up to 23:00 UK today exist.
/// </summary>
public static class AgilePublication
{
    public static TimeOnly PublishTimeLocal { get; } = new(16, 0);

    /// <summary>The end (UTC) of the prices that should be published at <paramref name="nowUtc"/>.</summary>
    public static DateTimeOffset ExpectedHorizonEnd(DateTimeOffset nowUtc)
    {
        var local = UkTime.ToLocal(nowUtc);
        var today = DateOnly.FromDateTime(local.DateTime);
        var day = TimeOnly.FromDateTime(local.DateTime) >= PublishTimeLocal ? today.AddDays(1) : today;
        return UkTime.ToUtc(day, new TimeOnly(23, 0));
    }

    /// <summary>
    /// How long to wait after a fetch at <paramref name="nowUtc"/>: from 16:00 UK, while the expected prices are not
    /// all in (<paramref name="storedUntilUtc"/> short of the horizon), <paramref name="afternoonInterval"/>;
    /// otherwise <paramref name="normalInterval"/>.
    /// </summary>
    public static TimeSpan PollInterval(DateTimeOffset nowUtc, DateTimeOffset? storedUntilUtc, TimeSpan afternoonInterval, TimeSpan normalInterval)
    {
        var local = UkTime.ToLocal(nowUtc);
        var afternoon = TimeOnly.FromDateTime(local.DateTime) >= PublishTimeLocal;
        var complete = storedUntilUtc is { } until && until >= ExpectedHorizonEnd(nowUtc);
        return afternoon && !complete ? afternoonInterval : normalInterval;
    }

    /// <summary>True when a fetch is due at <paramref name="nowUtc"/> given the last attempt.</summary>
    public static bool IsFetchDue(DateTimeOffset nowUtc, DateTimeOffset? lastAttemptUtc, DateTimeOffset? storedUntilUtc, TimeSpan afternoonInterval, TimeSpan normalInterval) =>
        lastAttemptUtc is not { } last || nowUtc - last >= PollInterval(nowUtc, storedUntilUtc, afternoonInterval, normalInterval);
}
