namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Notices a step of the wall clock (<see cref="TimeProvider.GetUtcNow"/>): NTP correcting a device without a
/// real-time clock, or someone setting the time, moves the wall clock at once while the monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>) and timers run on. Between two observations it compares how far each
/// moved; a difference of <see cref="Threshold"/> or more is a step (ordinary NTP slewing is a few milliseconds a poll).
/// </summary>
public sealed class WallClockStepDetector(TimeProvider time)
{
    /// <summary>The smallest difference between wall-clock and monotonic elapsed time taken as a step.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(10);

    private DateTimeOffset? _lastWall;
    private long _lastTimestamp;

    /// <summary>
    /// Records <paramref name="nowUtc"/> (the wall clock just read) against the monotonic clock, and returns the step
    /// since the previous observation (+ the wall clock jumped ahead, − back), or null when there was none (or this is
    /// the first observation).
    /// </summary>
    public TimeSpan? Observe(DateTimeOffset nowUtc)
    {
        var timestamp = time.GetTimestamp();
        TimeSpan? step = null;
        if (_lastWall is { } lastWall)
        {
            var difference = (nowUtc - lastWall) - time.GetElapsedTime(_lastTimestamp, timestamp);
            if (difference.Duration() >= Threshold)
            {
                step = difference;
            }
        }

        (_lastWall, _lastTimestamp) = (nowUtc, timestamp);
        return step;
    }
}
