namespace EdgeEnergy.Soak;

/// <summary>The faults the soak injects (docs/soak.md says what each one does to which peer).</summary>
internal enum FaultKind
{
    BrokerDown,
    PriceFeedDown,
    ModbusTimeouts,
    ModbusExceptionReplies,
    CableCutMidWrite,
    InverterReboot,
    ServiceRestart,
    AbsurdTelemetry,
    /// <summary>The database's filesystem full (<see cref="SoakDisk"/>): writes that need more room fail until it is freed.</summary>
    DiskFull,
    /// <summary>Not in the random schedule: another program puts the inverter on a 2500 W remote discharge with an hour's
    /// timeout (the check that the in-control judge sees a lapse, <see cref="SoakTests"/>).</summary>
    ForeignSetpoint,
}

/// <summary>One fault: from minute <see cref="Start"/> of the run for <see cref="Minutes"/> minutes.</summary>
internal sealed record Fault(FaultKind Kind, int Start, int Minutes)
{
    public int End => Start + Minutes;

    public bool Covers(int minute) => minute >= Start && minute < End;
}

/// <summary>A seeded random schedule of faults over a run of whole days: every kind at least once, no two faults of one kind overlapping.</summary>
internal static class FaultSchedule
{
    /// <summary>Per simulated day, and how long each lasts (minutes, inclusive range).</summary>
    private static readonly Dictionary<FaultKind, (double PerDay, int MinMinutes, int MaxMinutes)> s_shape = new()
    {
        [FaultKind.BrokerDown] = (1, 5, 180),
        [FaultKind.PriceFeedDown] = (0.1, 6 * 60, 24 * 60),
        [FaultKind.ModbusTimeouts] = (2, 2, 30),
        [FaultKind.ModbusExceptionReplies] = (1, 2, 30),
        [FaultKind.CableCutMidWrite] = (1, 1, 20),
        [FaultKind.InverterReboot] = (0.5, 2, 3),
        [FaultKind.ServiceRestart] = (1, 1, 3),
        [FaultKind.AbsurdTelemetry] = (0.5, 5, 60),
        [FaultKind.DiskFull] = (0.3, 10, 360),
    };

    public static IReadOnlyList<Fault> Create(int days, int seed)
    {
        var random = new Random(seed);
        var total = days * 24 * 60;
        const int warmUp = 120; // the first two hours run clean: prices fetched, a plan in force
        var faults = new List<Fault>();
        foreach (var (kind, (perDay, min, max)) in s_shape)
        {
            var count = Math.Max(1, (int)Math.Round(days * perDay));
            var placed = 0;
            for (var attempt = 0; placed < count && attempt < count * 50; attempt++)
            {
                var minutes = random.Next(min, max + 1);
                var start = random.Next(warmUp, Math.Max(warmUp + 1, total - minutes - 180)); // ends 3 h before the run does
                var fault = new Fault(kind, start, minutes);
                if (faults.Any(f => f.Kind == kind && f.Start < fault.End + 60 && fault.Start < f.End + 60))
                {
                    continue;
                }

                faults.Add(fault);
                placed++;
            }
        }

        return [.. faults.OrderBy(f => f.Start).ThenBy(f => f.Kind)];
    }
}
