using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Writes each poll's telemetry minute to the history, the one place that decides what is recorded.
/// <list type="bullet">
/// <item>Rows are stamped with the wall clock, a row per minute (later polls of the same minute replace it). After the
/// clock steps back it would stamp minutes already written: those rows are history and are kept, so a poll is not
/// recorded until the clock passes the newest minute written (event 5037; the store refuses older minutes too, which
/// covers a restart on a clock that is behind).</item>
/// <item>When the store cannot take a minute (a full disk, an unwritable file) the samples are held in memory, oldest
/// first, and written together with the next one once the store takes writes again, so a store that fails for hours
/// loses no minute. At most a day of polls is held (the oldest go first beyond that, counted and logged). While samples
/// are held the "telemetry-history" component is degraded in /healthz, with the cause; one warning when writing starts
/// to fail and one line when it works again, not one error a poll.</item>
/// </list>
/// </summary>
internal sealed class TelemetryHistoryWriter(ITelemetryStore store, IApplianceStatusPublisher status, int capacity, ILogger logger)
{
    public const string Component = "telemetry-history";
    private readonly List<TelemetrySample> _held = [];
    private long _dropped;
    private bool _failing;
    private DateTimeOffset? _newestMinute;
    private bool _clockSteppedSinceNewest;
    private bool _behindLogged;

    /// <summary>Samples written to memory only, waiting for the store.</summary>
    public int Held => _held.Count;

    /// <summary>The wall clock stepped: even the minute last written is not written again until the clock passes it.</summary>
    public void ClockStepped() => _clockSteppedSinceNewest = true;

    public async Task AppendAsync(TelemetrySample sample, CancellationToken cancellationToken)
    {
        if (!MayRecord(sample.TimestampUtc))
        {
            return;
        }

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
            if (!_failing)
            {
                logger.TelemetryHistoryFailing(e.Message, capacity);
                _failing = true;
            }

            status.Update(s => s.WithComponent(new ComponentHealth(Component, HealthState.Degraded,
                $"telemetry not stored ({e.Message}): {_held.Count} minute(s) held in memory{(_dropped > 0 ? $", {_dropped} oldest dropped" : "")}", sample.TimestampUtc)));
            return;
        }

        if (_failing)
        {
            logger.TelemetryHistoryRecovered(_held.Count, _dropped);
            status.Update(s => s.WithoutComponent(Component));
            _failing = false;
            _dropped = 0;
        }

        _held.Clear();
    }

    private bool MayRecord(DateTimeOffset now)
    {
        var minute = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        if (_newestMinute is { } newest && (minute < newest || (minute == newest && _clockSteppedSinceNewest)))
        {
            if (!_behindLogged)
            {
                _behindLogged = true;
                logger.TelemetryBehindClock(now, newest);
            }

            return false;
        }

        (_newestMinute, _clockSteppedSinceNewest, _behindLogged) = (minute, false, false);
        return true;
    }
}
