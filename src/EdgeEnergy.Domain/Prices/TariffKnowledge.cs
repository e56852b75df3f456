namespace EdgeEnergy.Domain.Prices;

/// <summary>How a tariff's prices become known.</summary>
public enum TariffPublication
{
    /// <summary>Agile: each half hour priced day-ahead, 23:00 → 23:00 UK published from about 16:00 UK.</summary>
    DayAhead,

    /// <summary>Tracker: one price per UK day, tomorrow's from about 11:00 UK.</summary>
    Daily,

    /// <summary>Fixed and fixed-window tariffs (Go, Flux, Cosy, Outgoing Fixed, flat): known ahead, until further notice.</summary>
    KnownAhead,
}

/// <summary>
/// Which prices of a tariff are known at a moment, how far a plan may estimate the rest, and when to poll: the
/// per-tariff form of <see cref="AgilePublication"/> (which stays the rule for <see cref="TariffPublication.DayAhead"/>).
/// </summary>
/// <remarks>
/// The product code says the kind: <c>AGILE-…</c> (import and Outgoing) is day-ahead, <c>SILVER-…</c> and <c>…TRACKER…</c>
/// daily, anything else known ahead. Known-ahead prices are stored to the end of tomorrow (UK) and no further, so a
/// row that ends "until further notice" is re-read every day and a price change announced in advance is picked up.
/// </remarks>
public sealed record TariffKnowledge(TariffPublication Publication)
{
    public static TariffKnowledge Agile { get; } = new(TariffPublication.DayAhead);

    /// <summary>The time of day (UK) the next day's prices appear, or null when they are known ahead.</summary>
    public TimeOnly? PublishTimeLocal => Publication switch
    {
        TariffPublication.DayAhead => AgilePublication.PublishTimeLocal,
        TariffPublication.Daily => new TimeOnly(11, 0),
        _ => null,
    };

    public static TariffKnowledge ForProduct(string? productCode)
    {
        var code = productCode?.Trim().ToUpperInvariant() ?? string.Empty;
        if (code.StartsWith("AGILE", StringComparison.Ordinal))
        {
            return Agile;
        }

        return code.StartsWith("SILVER", StringComparison.Ordinal) || code.Contains("TRACKER", StringComparison.Ordinal)
            ? new TariffKnowledge(TariffPublication.Daily)
            : new TariffKnowledge(TariffPublication.KnownAhead);
    }

    /// <summary>The first instant (UTC) whose price is not yet known at <paramref name="now"/>, the rule read in <paramref name="zone"/>.</summary>
    public DateTimeOffset KnownUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Publication == TariffPublication.DayAhead)
        {
            return AgilePublication.KnownUntil(now, zone);
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var published = Publication == TariffPublication.KnownAhead || TimeOnly.FromDateTime(local.DateTime) >= PublishTimeLocal;
        return UkTime.ToUtc(today.AddDays(published ? 2 : 1), TimeOnly.MinValue, zone);
    }

    /// <summary>How far estimated prices may take a plan made at <paramref name="now"/>: the end of what the next publication covers.</summary>
    public DateTimeOffset EstimatedUntil(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Publication == TariffPublication.DayAhead)
        {
            return AgilePublication.EstimatedUntil(now, zone);
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return UkTime.ToUtc(today.AddDays(2), TimeOnly.MinValue, zone);
    }

    /// <summary>
    /// How long to wait after a fetch at <paramref name="nowUtc"/>: from the publication time (UK) until the expected
    /// prices are all in, <paramref name="publishingInterval"/>; otherwise <paramref name="normalInterval"/>.
    /// </summary>
    public TimeSpan PollInterval(DateTimeOffset nowUtc, DateTimeOffset? storedUntilUtc, TimeSpan publishingInterval, TimeSpan normalInterval)
    {
        var publishing = PublishTimeLocal is { } at && TimeOnly.FromDateTime(UkTime.ToLocal(nowUtc).DateTime) >= at;
        var complete = storedUntilUtc is { } until && until >= KnownUntil(nowUtc, UkTime.Zone);
        return publishing && !complete ? publishingInterval : normalInterval;
    }

    /// <summary>True when a fetch is due at <paramref name="nowUtc"/> given the last attempt.</summary>
    public bool IsFetchDue(DateTimeOffset nowUtc, DateTimeOffset? lastAttemptUtc, DateTimeOffset? storedUntilUtc, TimeSpan publishingInterval, TimeSpan normalInterval) =>
        lastAttemptUtc is not { } last || nowUtc - last >= PollInterval(nowUtc, storedUntilUtc, publishingInterval, normalInterval);

    /// <summary>What a plan on an import and an export tariff knows: the earlier of the two.</summary>
    public static DateTimeOffset KnownUntilForPair(DateTimeOffset now, TimeZoneInfo zone, TariffKnowledge import, TariffKnowledge? export)
    {
        ArgumentNullException.ThrowIfNull(import);
        var until = import.KnownUntil(now, zone);
        return export is null ? until : Min(until, export.KnownUntil(now, zone));
    }

    /// <summary>How far a plan on an import and an export tariff may estimate: the earlier of the two ends.</summary>
    public static DateTimeOffset EstimatedUntilForPair(DateTimeOffset now, TimeZoneInfo zone, TariffKnowledge import, TariffKnowledge? export)
    {
        ArgumentNullException.ThrowIfNull(import);
        var until = import.EstimatedUntil(now, zone);
        return export is null ? until : Min(until, export.EstimatedUntil(now, zone));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
