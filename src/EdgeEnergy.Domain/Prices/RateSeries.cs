namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// An immutable, ordered, non-overlapping series of rates with binary-search lookup and one staleness rule: a series
/// is fresh at <c>now</c> only when it has a rate for <c>now</c> and no hole until <c>now + requiredAhead</c>.
/// </summary>
public sealed class RateSeries
{
    private readonly Rate[] _rates;

    public RateSeries(IEnumerable<Rate> rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        _rates = [.. rates.OrderBy(r => r.StartUtc)];
        for (var i = 1; i < _rates.Length; i++)
        {
            if (_rates[i].StartUtc < _rates[i - 1].EndUtc)
            {
                throw new ArgumentException($"rates overlap at {_rates[i].StartUtc:O}; validate them with RateValidator first", nameof(rates));
            }
        }
    }

    public static RateSeries Empty { get; } = new([]);

    public IReadOnlyList<Rate> Rates => _rates;

    public int Count => _rates.Length;

    /// <summary>The rate in force at <paramref name="instant"/>, found by binary search.</summary>
    public bool TryGetAt(DateTimeOffset instant, out Rate rate)
    {
        int lo = 0, hi = _rates.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_rates[mid].EndUtc <= instant)
            {
                lo = mid + 1;
            }
            else if (_rates[mid].StartUtc > instant)
            {
                hi = mid - 1;
            }
            else
            {
                rate = _rates[mid];
                return true;
            }
        }

        rate = default;
        return false;
    }

    /// <summary>
    /// The end of the unbroken run of rates that starts at the rate covering <paramref name="instant"/>, or null when
    /// no rate covers it.
    /// </summary>
    public DateTimeOffset? ContiguousUntil(DateTimeOffset instant)
    {
        if (!TryGetAt(instant, out var first))
        {
            return null;
        }

        var end = first.EndUtc;
        var index = Array.IndexOf(_rates, first);
        for (var i = index + 1; i < _rates.Length && _rates[i].StartUtc == end; i++)
        {
            end = _rates[i].EndUtc;
        }

        return end;
    }

    /// <summary>True when the series cannot price every instant from <paramref name="now"/> to now + <paramref name="requiredAhead"/>.</summary>
    public bool IsStale(DateTimeOffset now, TimeSpan requiredAhead) =>
        ContiguousUntil(now) is not { } until || until < now + requiredAhead;
}
