namespace EdgeEnergy.Adapters.Modbus.FoxEss;

/// <summary>One block read: <see cref="Count"/> registers from <see cref="Start"/> in one space.</summary>
public sealed record ReadBlock(RegisterSpace Space, int Start, int Count)
{
    public int End => Start + Count - 1;
}

/// <summary>Plans block reads from the map: within the family's registers-per-read limit, never across a known invalid
/// range or outside the family's answered ranges, never splitting a 32-bit value, gaps of at most
/// <c>maxGap</c> unused registers, and one register per request where the family needs it.</summary>
public static class FoxReadPlanner
{
    public const int DefaultMaxGap = 8;

    public static IReadOnlyList<ReadBlock> Plan(FoxFamily family, IEnumerable<FoxRegister> registers, int maxRegistersPerRead, int maxGap = DefaultMaxGap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRegistersPerRead, 2);
        var blocks = new List<ReadBlock>();
        foreach (var space in registers.GroupBy(r => r.Space))
        {
            // Distinct items (address, words), sorted.
            var items = space.Select(r => (r.Address, r.Words)).Distinct().OrderBy(i => i.Address).ToList();
            int? start = null;
            var end = 0;
            foreach (var (address, words) in items)
            {
                var itemEnd = address + words - 1;
                if (start is { } s && CanExtend(family, space.Key, s, end, address, itemEnd, maxRegistersPerRead, maxGap))
                {
                    end = Math.Max(end, itemEnd);
                    continue;
                }

                if (start is { } done)
                {
                    blocks.Add(new ReadBlock(space.Key, done, end - done + 1));
                }

                start = address;
                end = itemEnd;
            }

            if (start is { } last)
            {
                blocks.Add(new ReadBlock(space.Key, last, end - last + 1));
            }
        }

        return blocks;
    }

    private static bool CanExtend(FoxFamily family, RegisterSpace space, int start, int end, int address, int itemEnd, int max, int maxGap)
    {
        if (address <= end)
        {
            return true; // overlapping item, already covered
        }

        if (address - end - 1 > maxGap || Math.Max(end, itemEnd) - start + 1 > max)
        {
            return false;
        }

        for (var a = start; a <= itemEnd; a++)
        {
            if (family.IsSingleRegister(space, a) || !family.IsAnswered(space, a))
            {
                return false;
            }
        }

        return !family.Invalid.Any(r => r.Overlaps(space, start, itemEnd));
    }
}
