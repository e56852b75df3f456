using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// The one piece of arithmetic that turns a heater's daily local-time windows into a plan problem's slot windows. The
/// live planner and the backtest's replay both call <see cref="Lay"/>, so a heater is planned the same way in both.
/// </summary>
public static class HeatWindows
{
    /// <summary>
    /// The occurrences of <paramref name="heater"/>'s windows that cover at least one of the
    /// <paramref name="slotCount"/> slots from <paramref name="start"/> (on the grid), in opening-date order and, within a
    /// date, window order. A window's ends are rounded up to the grid (a window ending 07:15 includes the 07:00 slot).
    /// </summary>
    public static IReadOnlyList<PlacedHeatWindow> Place(ImmersionHeater heater, DateTimeOffset start, int slotCount, int slotMinutes, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(heater);
        ArgumentNullException.ThrowIfNull(zone);
        var placed = new List<PlacedHeatWindow>();
        if (heater.Windows.Count == 0 || slotCount <= 0)
        {
            return placed;
        }

        var step = heater.PowerKw * (slotMinutes / 60.0);
        var end = start.AddMinutes((double)slotCount * slotMinutes);
        // A window opens on its date and closes at most a day (25 hours on the autumn change) later, so the windows
        // that can reach the horizon opened from the day before its first local date to its last local date.
        var first = LocalDate(start, zone).AddDays(-1);
        var last = LocalDate(end, zone);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            for (var w = 0; w < heater.Windows.Count; w++)
            {
                var window = heater.Windows[w];
                var opens = UkTime.ToUtc(date, window.FromLocal, zone);
                var closes = UkTime.ToUtc(window.ToLocal > window.FromLocal ? date : date.AddDays(1), window.ToLocal, zone);
                var (from, to) = (SlotAtOrAfter(start, opens, slotMinutes), SlotAtOrAfter(start, closes, slotMinutes));
                if (to <= from || to <= 0 || from >= slotCount)
                {
                    continue;
                }

                placed.Add(new PlacedHeatWindow(new HeatWindowKey(heater.Id, w, date), from, to, Math.Min(window.MinKwh, step * (to - from)), window.MaxKwh));
            }
        }

        return placed;
    }

    /// <summary>
    /// <paramref name="heater"/> over the <paramref name="slotCount"/> slots from <paramref name="start"/>: each window
    /// occurrence cut to the horizon, what it has already delivered (<paramref name="delivered"/>, by key; absent: 0)
    /// taken off its minimum and maximum, and its minimum lowered by what the element could still deliver in its slots
    /// past the horizon (those are the next plan's to use). A closed window never reaches the horizon, so it asks nothing.
    /// </summary>
    public static ImmersionSpec Lay(
        ImmersionHeater heater, DateTimeOffset start, int slotCount, int slotMinutes, TimeZoneInfo zone, IReadOnlyDictionary<HeatWindowKey, double>? delivered)
    {
        ArgumentNullException.ThrowIfNull(heater);
        var step = heater.PowerKw * (slotMinutes / 60.0);
        var windows = new List<ImmersionWindow>();
        foreach (var w in Place(heater, start, slotCount, slotMinutes, zone))
        {
            var done = delivered is not null && delivered.TryGetValue(w.Key, out var kwh) ? kwh : 0;
            var (a, b) = (Math.Max(w.FromSlot, 0), Math.Min(w.ToSlot, slotCount));
            var beyond = Math.Max(0, w.ToSlot - slotCount) * step;
            var min = Math.Clamp(w.MinKwh - done - beyond, 0, step * (b - a));
            double? max = w.MaxKwh is { } m ? Math.Max(min, m - done) : null;
            windows.Add(new ImmersionWindow { FromSlot = a, ToSlot = b, MinKwh = min, MaxKwh = max });
        }

        return new ImmersionSpec { Id = heater.Id, PowerKw = heater.PowerKw, ValuePencePerKwh = heater.ValuePencePerKwh, Windows = windows };
    }

    /// <summary>The keys of <paramref name="heater"/>'s windows open in the slot starting at <paramref name="slotStart"/> (on the grid): where that slot's heat is counted.</summary>
    public static IEnumerable<HeatWindowKey> OpenIn(ImmersionHeater heater, DateTimeOffset slotStart, int slotMinutes, TimeZoneInfo zone) =>
        Place(heater, slotStart, 1, slotMinutes, zone).Select(w => w.Key);

    private static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    // Counted from the grid's origin and rounded up; the epsilon keeps an instant on the grid from rounding to the next slot.
    private static int SlotAtOrAfter(DateTimeOffset origin, DateTimeOffset instant, int slotMinutes) =>
        (int)Math.Ceiling((instant - origin).TotalMinutes / slotMinutes - 1e-9);
}
