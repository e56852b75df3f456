using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> with a wall-clock step on top (the soak's <c>ClockStep</c> fault, and unit tests of
/// the same): NTP stepping the system clock of a Pi without a real-time clock. Only the wall
/// clock moves: <see cref="GetUtcNow"/> is the true time plus <see cref="Offset"/>, while the monotonic clock
/// (<see cref="GetTimestamp"/>, <see cref="TimestampFrequency"/>) and timers (<see cref="CreateTimer"/>) are the fake
/// clock's, as a real step leaves <c>CLOCK_MONOTONIC</c>, <c>Stopwatch</c> and pending timers alone.
/// </summary>
public sealed class SteppedClock(FakeTimeProvider clock) : TimeProvider
{
    private long _offsetTicks;

    /// <summary>How far the wall clock is from the true time (zero when NTP has it right).</summary>
    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow() + Offset;

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        clock.CreateTimer(callback, state, dueTime, period);
}
