namespace EdgeEnergy.Domain.Prices;

/// <summary>Pure: which slot-aligned ranges of a window hold no stored slot, coalesced into as few ranges as possible.</summary>
public static class GapDetector
{
    public static IReadOnlyList<TimeRange> FindMissing(IEnumerable<DateTimeOffset> presentStartsUtc, TimeRange window, TimeSpan slotLength)
    {
        ArgumentNullException.ThrowIfNull(presentStartsUtc);
        if (slotLength <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(slotLength), slotLength, "slot length must be positive");
        }

        var from = AlignDown(window.FromUtc, slotLength);
        var to = AlignUp(window.ToUtc, slotLength);
        var present = new HashSet<long>(presentStartsUtc.Select(s => s.UtcTicks));
        var missing = new List<TimeRange>();
        DateTimeOffset? runStart = null;
        for (var slot = from; slot < to; slot += slotLength)
        {
            if (!present.Contains(slot.UtcTicks))
            {
                runStart ??= slot;
            }
            else if (runStart is { } start)
            {
                missing.Add(new TimeRange(start, slot));
                runStart = null;
            }
        }

        if (runStart is { } last)
        {
            missing.Add(new TimeRange(last, to));
        }

        return missing;
    }

    public static DateTimeOffset AlignDown(DateTimeOffset instant, TimeSpan step) =>
        new(instant.UtcTicks - (instant.UtcTicks % step.Ticks), TimeSpan.Zero);

    public static DateTimeOffset AlignUp(DateTimeOffset instant, TimeSpan step)
    {
        var down = AlignDown(instant, step);
        return down.UtcTicks == instant.UtcTicks ? down : down + step;
    }
}
