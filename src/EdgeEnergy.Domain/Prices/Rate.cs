namespace EdgeEnergy.Domain.Prices;

/// <summary>Which way the energy a rate prices flows.</summary>
public enum RateKind
{
    /// <summary>Energy bought from the grid (Agile import), pence/kWh including VAT.</summary>
    Import,

    /// <summary>Energy sold to the grid (Agile Outgoing), pence/kWh (no VAT on export).</summary>
    Export,
}

/// <summary>
/// One published unit rate: the price in pence per kWh (inc. VAT for import; may be negative) that applies to energy
/// in [<see cref="StartUtc"/>, <see cref="EndUtc"/>). Both instants are UTC.
/// </summary>
public readonly record struct Rate(DateTimeOffset StartUtc, DateTimeOffset EndUtc, double Pence)
{
    public TimeSpan Duration => EndUtc - StartUtc;

    public bool Contains(DateTimeOffset instant) => instant >= StartUtc && instant < EndUtc;
}

/// <summary>A half-open UTC interval [<see cref="FromUtc"/>, <see cref="ToUtc"/>).</summary>
public readonly record struct TimeRange(DateTimeOffset FromUtc, DateTimeOffset ToUtc)
{
    public TimeSpan Duration => ToUtc - FromUtc;

    public override string ToString() => $"{FromUtc.UtcDateTime:yyyy-MM-ddTHH:mmZ}..{ToUtc.UtcDateTime:yyyy-MM-ddTHH:mmZ}";
}
