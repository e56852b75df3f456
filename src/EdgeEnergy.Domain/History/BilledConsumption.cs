using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.History;

/// <summary>The supplier's meter registers: import (kWh drawn from the grid) and export (kWh sent to it).</summary>
public enum MeterDirection
{
    Import,
    Export,
}

/// <summary>One half hour as the supplier billed it: <see cref="Kwh"/> ≥ 0 through the register over [start, end), UTC.</summary>
public sealed record ConsumptionSlot(DateTimeOffset StartUtc, DateTimeOffset EndUtc, double Kwh);

/// <summary>What one fetch of a meter returned: its half hours in time order, the items refused with reasons, the pages read.</summary>
public sealed record ConsumptionFetchResult(IReadOnlyList<ConsumptionSlot> Slots, IReadOnlyList<string> Rejected, int Pages);

/// <summary>
/// The supplier's own half-hourly meter readings (the billed truth; for Octopus, the consumption endpoint). kWh ≥ 0 per
/// half hour and direction, times UTC. A half hour the supplier has not published yet (it lags a day or two) is simply
/// absent, never 0. Throws <see cref="MeterRefusedException"/> when the configured key or meter is refused (bad input),
/// <see cref="ConsumptionSourceException"/> when the source cannot be read (an outage).
/// </summary>
public interface IBilledConsumptionSource
{
    /// <summary>True when a meter is configured for <paramref name="direction"/>.</summary>
    bool Supports(MeterDirection direction);

    Task<ConsumptionFetchResult> FetchAsync(MeterDirection direction, TimeRange range, CancellationToken cancellationToken);
}

/// <summary>The billed consumption could not be read (network, HTTP status, unreadable document); the message says where.</summary>
public class ConsumptionSourceException : Exception
{
    public ConsumptionSourceException()
    {
    }

    public ConsumptionSourceException(string message)
        : base(message)
    {
    }

    public ConsumptionSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The supplier refused the configured key or meter (Octopus: HTTP 401, 403 or 404): bad input, not a passing fault. The
/// message names the configuration keys to check.
/// </summary>
public sealed class MeterRefusedException : ConsumptionSourceException
{
    public MeterRefusedException()
    {
    }

    public MeterRefusedException(string message)
        : base(message)
    {
    }

    public MeterRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
