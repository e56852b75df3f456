namespace EdgeEnergy.Adapters.Modbus.Transport;

/// <summary>Waits of a few milliseconds that must not overshoot (RTU silences, an emulated line). Timer sleeps on Linux
/// overshoot by about a millisecond, which at 9600 baud is a character per frame; so on the real clock the last 2 ms
/// are spun (yielding). On any other <see cref="TimeProvider"/> (a fake clock in tests) it is a plain timed delay.</summary>
internal static class PreciseDelay
{
    private static readonly TimeSpan s_spin = TimeSpan.FromMilliseconds(2);

    public static async Task UntilAsync(long dueTimestamp, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromSeconds((double)(dueTimestamp - timeProvider.GetTimestamp()) / timeProvider.TimestampFrequency);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        if (timeProvider != TimeProvider.System)
        {
            await Task.Delay(wait, timeProvider, cancellationToken);
            return;
        }

        if (wait > s_spin)
        {
            await Task.Delay(wait - s_spin, timeProvider, cancellationToken);
        }

        while (timeProvider.GetTimestamp() < dueTimestamp)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }

    public static long After(TimeProvider timeProvider, long fromTimestamp, TimeSpan span) =>
        fromTimestamp + (long)(span.TotalSeconds * timeProvider.TimestampFrequency);
}
