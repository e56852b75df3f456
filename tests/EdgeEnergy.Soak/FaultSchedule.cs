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
    /// <summary>The appliance's wall clock (<see cref="TimeProvider.GetUtcNow"/>) stepped by <see cref="Fault.StepMinutes"/>
    /// (±30–90 min) at the start and back to the true time at the end (NTP correcting a Pi without a real-time clock); the
    /// monotonic clock and timers run on (<see cref="EdgeEnergy.Testing.SteppedClock"/>). Placed by <see cref="FaultSchedule.WithClockSteps"/>.</summary>
    ClockStep,
}

/// <summary>One fault: from minute <see cref="Start"/> of the run for <see cref="Minutes"/> minutes.</summary>
/// <param name="StepMinutes">For <see cref="FaultKind.ClockStep"/>: how far the appliance's wall clock is stepped (+ ahead, − behind).</param>
internal sealed record Fault(FaultKind Kind, int Start, int Minutes, int StepMinutes = 0)
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

    /// <summary>
    /// Adds the wall-clock steps (<see cref="FaultKind.ClockStep"/>) to <paramref name="faults"/>: 0.5 a day (at least one),
    /// each ±30–90 min for 10–120 min, drawn from their own seeded sequence so the other kinds' schedule does not move,
    /// with the same spacing rules. Then, for every UK clock change inside the run, at least one step that moves the
    /// appliance's wall clock across it: when none of the seeded ones does, one is added 20 minutes after the change,
    /// an hour back for 40 minutes (at 01:20 UTC on the October change the wall clock reads 00:20 UTC: 01:20 BST again
    /// instead of 01:20 GMT), replacing a seeded step within an hour of it.
    /// </summary>
    public static IReadOnlyList<Fault> WithClockSteps(IReadOnlyList<Fault> faults, DateTimeOffset startUtc, int days, int seed)
    {
        var random = new Random(unchecked((seed * 7919) + 1013));
        var total = days * 24 * 60;
        const int warmUp = 120;
        var steps = new List<Fault>();
        var count = Math.Max(1, (int)Math.Round(days * 0.5));
        for (var attempt = 0; steps.Count < count && attempt < count * 50; attempt++)
        {
            var minutes = random.Next(10, 121);
            var step = random.Next(30, 91) * (random.Next(2) == 0 ? -1 : 1);
            var start = random.Next(warmUp, Math.Max(warmUp + 1, total - minutes - 180));
            var fault = new Fault(FaultKind.ClockStep, start, minutes, step);
            if (!steps.Any(f => f.Start < fault.End + 60 && fault.Start < f.End + 60))
            {
                steps.Add(fault);
            }
        }

        foreach (var change in UkClockChanges(startUtc, total))
        {
            if (change < warmUp || change + 60 > total - 180 || steps.Any(f => CrossesAt(f, change)))
            {
                continue;
            }

            var added = new Fault(FaultKind.ClockStep, change + 20, 40, -60);
            steps.RemoveAll(f => f.Start < added.End + 60 && added.Start < f.End + 60);
            steps.Add(added);
        }

        return [.. faults.Concat(steps).OrderBy(f => f.Start).ThenBy(f => f.Kind)];
    }

    /// <summary>Does the step move the wall clock across the run's minute <paramref name="change"/> when it is applied or when NTP takes it back?</summary>
    public static bool CrossesAt(Fault f, int change) =>
        f.Kind == FaultKind.ClockStep && f.StepMinutes != 0
        && (Between(f.Start, f.Start + f.StepMinutes, change) || Between(f.End + f.StepMinutes, f.End, change));

    /// <summary>The minutes of the run at which UK time changes (BST starts or ends).</summary>
    public static IEnumerable<int> UkClockChanges(DateTimeOffset startUtc, int totalMinutes)
    {
        var zone = EdgeEnergy.Domain.Prices.UkTime.Zone;
        for (var m = 60; m < totalMinutes; m += 60)
        {
            if (zone.GetUtcOffset(startUtc.AddMinutes(m - 60)) != zone.GetUtcOffset(startUtc.AddMinutes(m)))
            {
                // The change is on the hour in UTC; find the minute.
                for (var k = m - 59; k <= m; k++)
                {
                    if (zone.GetUtcOffset(startUtc.AddMinutes(k)) != zone.GetUtcOffset(startUtc.AddMinutes(k - 1)))
                    {
                        yield return k;
                        break;
                    }
                }
            }
        }
    }

    private static bool Between(int fromWall, int toWall, int change) => Math.Min(fromWall, toWall) < change && change <= Math.Max(fromWall, toWall);
}
