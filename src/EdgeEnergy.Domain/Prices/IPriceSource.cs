namespace EdgeEnergy.Domain.Prices;

/// <summary>What one fetch returned: the validated rates plus every rejection with its reason.</summary>
public sealed record PriceFetchResult(RateKind Kind, IReadOnlyList<Rate> Rates, IReadOnlyList<RateRejection> Rejected, int Pages);

/// <summary>
/// A tariff's published unit rates. Prices are pence per kWh (import inc. VAT, export as paid; may be negative);
/// times are UTC. Only validated rates are returned; broken ones are listed in <see cref="PriceFetchResult.Rejected"/>.
/// Throws <see cref="PriceSourceException"/> when the source cannot be read at all.
/// </summary>
public interface IPriceSource
{
    /// <summary>True when this source is configured for <paramref name="kind"/> (e.g. no export product set).</summary>
    bool Supports(RateKind kind);

    Task<PriceFetchResult> FetchAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>The price source could not be read (network, HTTP status, unreadable document); the message says where.</summary>
public class PriceSourceException : Exception
{
    public PriceSourceException()
    {
    }

    public PriceSourceException(string message)
        : base(message)
    {
    }

    public PriceSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The configured tariff does not exist (an unknown product code, or no tariff for the region): bad input, not a
/// passing fault. The message names the configuration key or option the code came from.
/// </summary>
public sealed class TariffNotFoundException : PriceSourceException
{
    public TariffNotFoundException()
    {
    }

    public TariffNotFoundException(string message)
        : base(message)
    {
    }

    public TariffNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
