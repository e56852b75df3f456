using EdgeEnergy.Control.Ev;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>
/// The car over a replay (the history's EV columns, SITE.json's charger): its plug-in sessions and what each has been
/// given, kWh into the car's battery. A session runs from its plug-in slot; the car may draw only in its slots before
/// the deadline (the last whole slot before <c>ev_deadline_utc</c>, as the live planner counts it), and stops when the
/// need is met, as a car at its target does. The backtest's side of the car, as <see cref="ImmersionTasks"/> is of the
/// heaters: the need a plan is given is laid by <see cref="EvNeedPlanner.NeedBy"/>, the function the live cycle calls.
/// </summary>
internal sealed class EvCharge
{
    private readonly BacktestHistory _history;
    private readonly EvSpec _charger;
    private readonly int[] _sessionAt; // per slot, the session the car is plugged in for, or -1
    private readonly List<Session> _sessions = [];
    private readonly double[] _delivered;

    private EvCharge(BacktestHistory history, EvSpec charger)
    {
        _history = history;
        _charger = charger;
        var n = history.Slots.Count;
        _sessionAt = new int[n];
        for (var t = 0; t < n; t++)
        {
            var ev = history.Slots[t].Ev!;
            if (!ev.Plugged)
            {
                _sessionAt[t] = -1;
                continue;
            }

            if (t == 0 || _sessionAt[t - 1] < 0)
            {
                var deadline = (int)Math.Floor((ev.DeadlineUtc - history.Slots[0].Start).TotalMinutes / BacktestHistory.SlotMinutes);
                _sessions.Add(new Session(t, deadline, ev.NeedKwh, ev.DeadlineUtc));
            }

            _sessionAt[t] = _sessions.Count - 1;
        }

        _delivered = new double[_sessions.Count];
    }

    /// <summary>The car of a replay; null when the history has no EV columns (then the site has no charger either).</summary>
    public static EvCharge? For(BacktestHistory history, BacktestSite site) =>
        history.HasEv ? new EvCharge(history, site.Ev ?? throw new InvalidOperationException("EV columns without SITE.json's ev")) : null;

    private double MaxDrawKwh => _charger.MaxKw * BacktestHistory.SlotHours;

    /// <summary>What the car still needs (kWh into its battery) at slot <paramref name="t"/>: 0 unplugged or past the deadline.</summary>
    public double RemainingKwh(int t)
    {
        var s = _sessionAt[t];
        return s < 0 || t >= _sessions[s].DeadlineSlot ? 0 : Math.Max(0, _sessions[s].NeedKwh - _delivered[s]);
    }

    /// <summary>A dumb charger: full power from plug-in until the need is met (the last slot part-filled).</summary>
    public double DumbDrawKwh(int t) => Math.Min(MaxDrawKwh, RemainingKwh(t) / _charger.Efficiency);

    /// <summary>A planned draw as the car takes it: not beyond the charger's maximum, nor beyond what fills the need.</summary>
    public double Limit(int t, double plannedKwh) => Math.Clamp(plannedKwh, 0, DumbDrawKwh(t));

    /// <summary>Records that the charger drew <paramref name="drawnKwh"/> in slot <paramref name="t"/>.</summary>
    public void Deliver(int t, double drawnKwh)
    {
        if (_sessionAt[t] is var s and >= 0)
        {
            _delivered[s] += drawnKwh * _charger.Efficiency;
        }
    }

    /// <summary>
    /// What the car has been given so far in the session open across the start of slot <paramref name="t"/> (plugged in before
    /// it): all of this record that slot t onward depends on, since a later session has had nothing and an earlier one
    /// is never asked again.
    /// </summary>
    public double DeliveredInOpenSession(int t) =>
        _sessionAt[t] is var s and >= 0 && _sessions[s].FromSlot < t ? _delivered[s] : 0;

    /// <summary>
    /// The car for a plan over history slots [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>):
    /// with <paramref name="foresight"/> false only the session the car is plugged in for at <paramref name="from"/>
    /// (what the live service knows: a car plugged in, its need and departure; never a future plug-in), with it every
    /// session in the window. Null when nothing is asked.
    /// </summary>
    public EvSpec? ForPlan(int from, int count, bool foresight)
    {
        if (!foresight && _sessionAt[from] < 0)
        {
            return null;
        }

        var start = _history.Slots[from].Start;
        var needs = new List<EvNeed>();
        var first = _sessionAt[from] >= 0 ? _sessionAt[from] : _sessions.FindIndex(s => s.FromSlot > from);
        var last = foresight ? _sessions.Count : first + 1;
        for (var s = first; s >= 0 && s < last && _sessions[s].FromSlot < from + count; s++)
        {

            var kwh = Math.Max(0, _sessions[s].NeedKwh - _delivered[s]);
            if (EvNeedPlanner.NeedBy(kwh, _sessions[s].DeadlineUtc, start, BacktestHistory.SlotMinutes, count, Math.Max(0, _sessions[s].FromSlot - from)) is { } need)
            {
                needs.Add(need);
            }
        }

        return needs.Count == 0 ? null : _charger with { Needs = needs };
    }

    /// <summary>
    /// kWh short at the deadlines: each session's need less what it was given, over the sessions whose deadline falls
    /// within the history (one the history cuts off was never wholly replayed).
    /// </summary>
    public double ShortKwh()
    {
        var n = _history.Slots.Count;
        return _sessions.Select((s, k) => s.DeadlineSlot <= n ? Math.Max(0, s.NeedKwh - _delivered[k]) : 0).Sum();
    }

    private sealed record Session(int FromSlot, int DeadlineSlot, double NeedKwh, DateTimeOffset DeadlineUtc);
}
