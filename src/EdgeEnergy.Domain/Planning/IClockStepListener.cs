namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// Told when the control loop sees the wall clock step (NTP correcting a device without a real-time clock, the time set
/// by hand) while the monotonic clock ran on: for what schedules itself on the wall clock.
/// </summary>
public interface IClockStepListener
{
    /// <summary><paramref name="stepSize"/>: how far the wall clock jumped (+ ahead, − back).</summary>
    Task ClockSteppedAsync(TimeSpan stepSize, CancellationToken cancellationToken);
}
