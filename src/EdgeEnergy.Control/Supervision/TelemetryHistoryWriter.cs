using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Writes each poll's telemetry minute to the history. When the store cannot take it (a full disk, an unwritable
/// file) the samples are held in memory, oldest first, and written together with the next one once the store takes
/// writes again, so a store that fails for hours loses no minute. At most a day of polls is held (the oldest go first
/// beyond that, counted and logged). While samples are held the "telemetry-history" component is degraded in /healthz,
/// with the cause; one warning when writing starts to fail and one line when it works again, not one error a poll.
/// </summary>
internal sealed class TelemetryHistoryWriter(ITelemetryStore store, IApplianceStatusPublisher status, int capacity, ILogger logger)
{
    public const string Component = "telemetry-history";
    private readonly List<TelemetrySample> _held = [];
    private long _dropped;
    private string? _failure;

    /// <summary>Samples written to memory only, waiting for the store.</summary>
    public int Held => _held.Count;

    public async Task AppendAsync(TelemetrySample sample, CancellationToken cancellationToken)
    {
        _held.Add(sample);
        if (_held.Count > capacity)
        {
            var excess = _held.Count - capacity;
            _held.RemoveRange(0, excess);
            _dropped += excess;
        }

        try
        {
            await store.AppendAsync([.. _held], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_failure is null)
            {
                logger.TelemetryHistoryFailing(e.Message, capacity);
            }

            _failure = e.Message;
            status.Update(s => s.WithComponent(new ComponentHealth(Component, HealthState.Degraded,
                $"telemetry not stored ({e.Message}): {_held.Count} minute(s) held in memory{(_dropped > 0 ? $", {_dropped} oldest dropped" : "")}", sample.TimestampUtc)));
            return;
        }

        if (_failure is not null)
        {
            logger.TelemetryHistoryRecovered(_held.Count, _dropped);
            status.Update(s => s.WithoutComponent(Component));
            _failure = null;
            _dropped = 0;
        }

        _held.Clear();
    }
}
