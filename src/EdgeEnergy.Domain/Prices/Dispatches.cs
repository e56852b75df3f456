namespace EdgeEnergy.Domain.Prices;

/// <summary>What kind of charge Octopus planned for the car (Intelligent Octopus Go).</summary>
public enum DispatchKind
{
    /// <summary>A smart charge Octopus scheduled: its half hours are billed off-peak for the whole house.</summary>
    Smart,

    /// <summary>A bump or boost charge the driver asked for: billed at the normal (peak) rate.</summary>
    Boost,
}

/// <summary>One charge Octopus plans for the car, [<see cref="StartUtc"/>, <see cref="EndUtc"/>) UTC; <see cref="EnergyKwh"/> as Octopus states it, when it does.</summary>
public sealed record PlannedDispatch(DateTimeOffset StartUtc, DateTimeOffset EndUtc, DispatchKind Kind, double? EnergyKwh = null)
{
    public bool Covers(DateTimeOffset instant) => instant >= StartUtc && instant < EndUtc;
}

/// <summary>
/// The dispatches Octopus lists now (only those: a withdrawn dispatch is simply not in the list), when they were read,
/// and the account's daily cap on cheap smart-charge time (null: none).
/// </summary>
public sealed record DispatchSchedule(IReadOnlyList<PlannedDispatch> Dispatches, DateTimeOffset FetchedUtc, TimeSpan? DailySmartCap)
{
    /// <summary>The dispatch in progress at <paramref name="instant"/>, if any (smart or boost: Octopus drives the car in both).</summary>
    public PlannedDispatch? At(DateTimeOffset instant) => Dispatches.FirstOrDefault(d => d.Covers(instant));

    /// <summary>The dispatches that have not ended by <paramref name="instant"/>, earliest first.</summary>
    public IReadOnlyList<PlannedDispatch> Upcoming(DateTimeOffset instant) => [.. Dispatches.Where(d => d.EndUtc > instant).OrderBy(d => d.StartUtc)];
}

/// <summary>Where the planner reads the dispatches currently planned (null: none known, or not an Intelligent Octopus Go home).</summary>
public interface IPlannedDispatches
{
    DispatchSchedule? Current { get; }
}

/// <summary>The import rates with the dispatches applied, which half hours became off-peak and which the daily cap kept at their published price.</summary>
public sealed record DispatchPricingResult(IReadOnlyList<Rate> Rates, IReadOnlyList<DateTimeOffset> OffPeakSlots, IReadOnlyList<DateTimeOffset> CappedSlots);

/// <summary>
/// Intelligent Octopus Go's billing rule for planned smart-charge dispatches (issue 18 §3), a pure function:
/// <list type="bullet">
/// <item>a half hour (UTC-aligned, as UK half hours are) is billed off-peak for the whole house when any part of it is
/// covered by a smart dispatch (17:10–17:40 makes the 17:00 and 17:30 half hours off-peak); boost/bump dispatches
/// change nothing;</item>
/// <item>the off-peak price is the lowest import rate published within 24 h either side of the half hour (the
/// tariff's own night window), so a half hour already at that price is not changed;</item>
/// <item>with a daily cap (<c>IOG-SMB</c>-style accounts: 6 h), only the first cap's worth of half hours a dispatch
/// makes cheaper in each UK local day (midnight to midnight, Europe/London, by the half hour's start) are off-peak,
/// earliest first; the rest keep their published (peak) price. Half hours already off-peak by the tariff's own
/// window do not count towards the cap;</item>
/// <item>a half hour with no published rate stays without one (never invented).</item>
/// </list>
/// </summary>
public static class DispatchPricing
{
    private static readonly TimeSpan s_slot = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan s_offPeakSearch = TimeSpan.FromHours(24);

    /// <summary>The half-hour slot starts (UTC) touched by any part of a smart dispatch, earliest first.</summary>
    public static IReadOnlyList<DateTimeOffset> SmartSlots(IEnumerable<PlannedDispatch> dispatches)
    {
        ArgumentNullException.ThrowIfNull(dispatches);
        var slots = new SortedSet<DateTimeOffset>();
        foreach (var dispatch in dispatches.Where(d => d.Kind == DispatchKind.Smart && d.EndUtc > d.StartUtc))
        {
            for (var slot = GapDetector.AlignDown(dispatch.StartUtc, s_slot); slot < dispatch.EndUtc; slot += s_slot)
            {
                slots.Add(slot);
            }
        }

        return [.. slots];
    }

    /// <summary>Applies <paramref name="schedule"/> to <paramref name="import"/> (see the class summary); UK local days in <paramref name="zone"/>.</summary>
    public static DispatchPricingResult Apply(IReadOnlyList<Rate> import, DispatchSchedule schedule, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(zone);
        var series = new RateSeries(import);
        var capSlots = schedule.DailySmartCap is { } cap ? (int)Math.Floor(cap / s_slot) : int.MaxValue;
        var usedPerDay = new Dictionary<DateOnly, int>();
        var cheap = new Dictionary<DateTimeOffset, double>();
        var capped = new List<DateTimeOffset>();
        foreach (var slot in SmartSlots(schedule.Dispatches))
        {
            if (!series.TryGetAt(slot, out var published))
            {
                continue;
            }

            var offPeak = series.Rates.Where(r => r.StartUtc >= slot - s_offPeakSearch && r.StartUtc < slot + s_offPeakSearch).Min(r => r.Pence);
            if (published.Pence <= offPeak)
            {
                continue;
            }

            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, zone).DateTime);
            var used = usedPerDay.GetValueOrDefault(day);
            if (used >= capSlots)
            {
                capped.Add(slot);
                continue;
            }

            usedPerDay[day] = used + 1;
            cheap[slot] = offPeak;
        }

        if (cheap.Count == 0)
        {
            return new DispatchPricingResult(import, [], capped);
        }

        var rates = new List<Rate>(import.Count + cheap.Count);
        foreach (var rate in series.Rates)
        {
            if (!cheap.Keys.Any(rate.Contains))
            {
                rates.Add(rate);
                continue;
            }

            // A row longer than a half hour is cut into half hours so only the dispatched ones change.
            for (var start = rate.StartUtc; start < rate.EndUtc; start += s_slot)
            {
                var end = start + s_slot < rate.EndUtc ? start + s_slot : rate.EndUtc;
                rates.Add(new Rate(start, end, cheap.TryGetValue(start, out var pence) ? pence : rate.Pence));
            }
        }

        return new DispatchPricingResult(rates, [.. cheap.Keys.Order()], capped);
    }
}
