namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// The standing charges of the tariff in force for <see cref="RateKind.Import"/> or <see cref="RateKind.Export"/>:
/// published rows in pence per day (VAT included), each UK day paying the row in force at its start. Throws
/// <see cref="PriceSourceException"/> when the source cannot be read: a charge not read is unknown, never 0 p.
/// </summary>
public interface IStandingChargeSource
{
    Task<StandingCharges> FetchStandingChargesAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>
/// One tariff's standing charges over a range. <paramref name="Published"/> false: the tariff has no standing-charges
/// list at all (most export tariffs; no kind configured): it charges nothing per day. Otherwise <paramref name="Rows"/>
/// as published, and a day none of them covers is a missing charge (<see cref="StandingChargeDays.ForDay"/>).
/// </summary>
/// <param name="Tariff">The tariff code (e.g. <c>E-1R-GO-VAR-22-10-14-J</c>), or the reason there is none.</param>
/// <param name="Published">Whether the tariff has a standing-charges list.</param>
/// <param name="Rows">The list's rows over the range, pence per day.</param>
public sealed record StandingCharges(string Tariff, bool Published, IReadOnlyList<TariffRow> Rows)
{
    /// <summary>A kind with no tariff or a tariff without standing charges.</summary>
    public static StandingCharges None(string tariff) => new(tariff, false, []);
}

/// <summary>Standing charges per UK day (pure).</summary>
public static class StandingChargeDays
{
    /// <summary>
    /// The charge (pence) for the local day <paramref name="date"/>: the row in force at the day's start; 0 when the
    /// tariff publishes none; null with <paramref name="missing"/> saying which tariff and day when the list has no row for it.
    /// </summary>
    public static double? ForDay(StandingCharges charges, DateOnly date, TimeZoneInfo zone, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(zone);
        missing = null;
        if (!charges.Published)
        {
            return 0;
        }

        var start = UkTime.ToUtc(date, TimeOnly.MinValue, zone);
        foreach (var row in charges.Rows)
        {
            if (row.FromUtc <= start && (row.ToUtc is not { } to || start < to))
            {
                return row.Pence;
            }
        }

        missing = $"{charges.Tariff} publishes no standing charge for {date:yyyy-MM-dd}";
        return null;
    }
}
