namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// Durable store of every rate ever fetched (pence per kWh, UTC slots). Saving a slot again with a different price
/// keeps the old value as a revision; nothing is ever deleted.
/// </summary>
public interface IRateStore
{
    /// <summary>Saves validated rates in one transaction; returns how many slots were new or changed.</summary>
    Task<int> SaveAsync(RateKind kind, IReadOnlyList<Rate> rates, DateTimeOffset fetchedUtc, CancellationToken cancellationToken);

    /// <summary>The stored rates of <paramref name="kind"/> starting within <paramref name="range"/>, ordered by start.</summary>
    Task<IReadOnlyList<Rate>> GetAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken);
}
