namespace EdgeEnergy.Domain.Forecasts;

/// <summary>
/// Forecast PV energy for one slot [<see cref="StartUtc"/>, <see cref="EndUtc"/>) in kWh (≥ 0): the 10th, 50th and
/// 90th percentiles, so P10Kwh ≤ P50Kwh ≤ P90Kwh.
/// </summary>
public readonly record struct PvForecastPoint(DateTimeOffset StartUtc, DateTimeOffset EndUtc, double P10Kwh, double P50Kwh, double P90Kwh);

/// <summary>Estimated actual PV energy for one slot in kWh (≥ 0).</summary>
public readonly record struct PvActualPoint(DateTimeOffset StartUtc, DateTimeOffset EndUtc, double Kwh);

/// <summary>A forecast as issued at <see cref="IssuedUtc"/> for one site.</summary>
public sealed record PvForecast(string SiteId, DateTimeOffset IssuedUtc, IReadOnlyList<PvForecastPoint> Points);

/// <summary>
/// A rooftop PV forecast service. Energies in kWh per slot (≥ 0), times UTC. Every call may spend a metered API
/// call; callers go through <see cref="IApiCallLedger"/> first. Throws <see cref="ForecastSourceException"/> on failure.
/// </summary>
public interface IPvForecastSource
{
    Task<IReadOnlyList<PvForecastPoint>> FetchForecastAsync(string siteId, CancellationToken cancellationToken);

    Task<IReadOnlyList<PvActualPoint>> FetchEstimatedActualsAsync(string siteId, CancellationToken cancellationToken);
}

/// <summary>Durable cache of forecasts (kWh per slot, UTC), so a restart spends no API calls.</summary>
public interface IPvForecastStore
{
    Task SaveForecastAsync(PvForecast forecast, CancellationToken cancellationToken);

    Task SaveActualsAsync(string siteId, IReadOnlyList<PvActualPoint> actuals, CancellationToken cancellationToken);

    /// <summary>The newest forecast of <paramref name="siteId"/>, or null when none was ever stored.</summary>
    Task<PvForecast?> GetLatestForecastAsync(string siteId, CancellationToken cancellationToken);

    /// <summary>
    /// What was forecast for the past: for each slot starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>),
    /// the point of the newest forecast issued at or before that slot's start (the one a plan then stood on), ordered by
    /// start. Slots no stored forecast covered are absent.
    /// </summary>
    Task<IReadOnlyList<PvForecastPoint>> GetPastForecastAsync(string siteId, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);
}

/// <summary>
/// A durable count of metered API calls per UTC day. A call is reserved (and counted) before it is made, so a crash
/// mid-call can never let the count run under what the provider saw.
/// </summary>
public interface IApiCallLedger
{
    /// <summary>Counts one call of <paramref name="api"/> unless that would exceed <paramref name="dailyLimit"/> this UTC day.</summary>
    Task<bool> TryReserveAsync(string api, DateTimeOffset nowUtc, int dailyLimit, CancellationToken cancellationToken);

    /// <summary>Calls of <paramref name="api"/> counted on the UTC day of <paramref name="nowUtc"/>.</summary>
    Task<int> CountTodayAsync(string api, DateTimeOffset nowUtc, CancellationToken cancellationToken);
}

/// <summary>The forecast service failed (network, status, document); <see cref="RetryAfterUtc"/> is set when it said when to retry.</summary>
public sealed class ForecastSourceException : Exception
{
    public ForecastSourceException()
    {
    }

    public ForecastSourceException(string message)
        : base(message)
    {
    }

    public ForecastSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ForecastSourceException(string message, DateTimeOffset? retryAfterUtc)
        : base(message) => RetryAfterUtc = retryAfterUtc;

    /// <summary>When the service asked us to come back (HTTP 429 Retry-After), if it did.</summary>
    public DateTimeOffset? RetryAfterUtc { get; }
}
