using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>
/// What each of the site's heater windows has delivered over a replay: the backtest's side of the immersion model.
/// Where a window lies is never worked out here: every window, its slots and its minimum come from
/// <see cref="HeatWindows"/>, the function the live planner calls too; this class only keeps the kWh, by
/// <see cref="HeatWindowKey"/> as the service's store does.
/// </summary>
internal sealed class ImmersionTasks(BacktestSite site, BacktestHistory history, TimeZoneInfo zone)
{
    private readonly Dictionary<HeatWindowKey, double> _delivered = [];

    public int HeaterCount => site.Immersions.Count;

    /// <summary>Records what heater <paramref name="heater"/> delivered in slot <paramref name="slot"/>.</summary>
    public void Deliver(int slot, int heater, double kwh)
    {
        foreach (var window in Open(slot, heater))
        {
            _delivered[window.Key] = Delivered(window.Key) + kwh;
        }
    }

    /// <summary>
    /// What the windows open across the start of slot <paramref name="slot"/> (begun before it, ending after it) have
    /// delivered, heater by heater in window order: all of this record that later slots can depend on, since a window not
    /// yet begun has delivered nothing and a closed one is never asked again.
    /// </summary>
    public double[] DeliveredInOpenWindows(int slot) =>
        [.. Enumerable.Range(0, site.Immersions.Count).SelectMany(heater => Open(slot, heater)).Where(w => w.FromSlot < 0).Select(w => Delivered(w.Key))];

    /// <summary>Heat the window's minimum at full power from its start (the no-battery and rules strategies).</summary>
    public double GreedyKwh(int slot, int heater)
    {
        var step = site.Immersions[heater].PowerKw * BacktestHistory.SlotHours;
        double need = 0, cap = step;
        foreach (var window in Open(slot, heater))
        {
            var done = Delivered(window.Key);
            need = Math.Max(need, window.MinKwh - done);
            if (window.MaxKwh is { } max)
            {
                cap = Math.Min(cap, max - done);
            }
        }

        return Math.Max(0, Math.Min(need, cap));
    }

    /// <summary>The heaters of a plan problem over history slots [from, to), laid by <see cref="HeatWindows.Lay"/> with what each window has delivered.</summary>
    public IReadOnlyList<ImmersionSpec> ForHorizon(int from, int to) =>
        [.. site.Immersions.Select(heater => HeatWindows.Lay(heater, SlotStart(from), to - from, BacktestHistory.SlotMinutes, zone, _delivered))];

    /// <summary>
    /// Windows wholly inside the history whose minimum was not met, for the report (should be none). A window the
    /// history cuts at either end is not counted: part of it was never replayed.
    /// </summary>
    public int Shortfalls()
    {
        var n = history.Slots.Count;
        return site.Immersions
            .SelectMany(heater => HeatWindows.Place(heater, SlotStart(0), n, BacktestHistory.SlotMinutes, zone))
            .Count(w => w.FromSlot >= 0 && w.ToSlot <= n && Delivered(w.Key) < w.MinKwh - 1e-3);
    }

    // The windows of one heater open in slot t, each with FromSlot/ToSlot counted from that slot.
    private IReadOnlyList<PlacedHeatWindow> Open(int slot, int heater) =>
        HeatWindows.Place(site.Immersions[heater], SlotStart(slot), 1, BacktestHistory.SlotMinutes, zone);

    private double Delivered(HeatWindowKey key) => _delivered.GetValueOrDefault(key);

    private DateTimeOffset SlotStart(int slot) => history.Slots[0].Start.AddMinutes((double)slot * BacktestHistory.SlotMinutes);
}
