using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Backtest;

/// <summary>One day's window of one heater in history slot indices [FromSlot, ToSlot) and what it must deliver.</summary>
internal sealed record ImmersionTask(int Heater, int FromSlot, int ToSlot, double MinKwh, double? MaxKwh);

/// <summary>
/// The site's daily immersion windows laid onto the history, and what each has delivered so far. Builds the windows
/// of a plan problem for a horizon, and the simple "heat the minimum from the window's start" schedule of the
/// no-battery and rules strategies.
/// </summary>
internal sealed class ImmersionTasks
{
    private readonly BacktestSite _site;
    private readonly ImmersionTask[] _tasks;
    private readonly double[] _delivered;

    public ImmersionTasks(BacktestSite site, BacktestHistory history, TimeZoneInfo zone)
    {
        _site = site;
        var n = history.Slots.Count;
        var tasks = new List<ImmersionTask>();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(history.Slots[0].Start, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(history.Slots[^1].Start, zone).DateTime).AddDays(1);
        int Slot(DateTimeOffset utc) => Math.Clamp(history.SlotAtOrAfter(utc), 0, n);
        for (var heater = 0; heater < site.Immersions.Count; heater++)
        {
            var spec = site.Immersions[heater];
            for (var date = first; date <= last; date = date.AddDays(1))
            {
                foreach (var w in spec.Windows)
                {
                    var start = UkTime.ToUtc(date, w.FromLocal, zone);
                    var end = UkTime.ToUtc(w.ToLocal > w.FromLocal ? date : date.AddDays(1), w.ToLocal, zone);
                    var (from, to) = (Slot(start), Slot(end));
                    if (to > from)
                    {
                        var capacity = spec.PowerKw * BacktestHistory.SlotHours * (to - from);
                        tasks.Add(new ImmersionTask(heater, from, to, Math.Min(w.MinKwh, capacity), w.MaxKwh));
                    }
                }
            }
        }

        _tasks = [.. tasks];
        _delivered = new double[_tasks.Length];
    }

    public int HeaterCount => _site.Immersions.Count;

    /// <summary>Records what heater <paramref name="heater"/> delivered in slot <paramref name="slot"/>.</summary>
    public void Deliver(int slot, int heater, double kwh)
    {
        for (var i = 0; i < _tasks.Length; i++)
        {
            var task = _tasks[i];
            if (task.Heater == heater && slot >= task.FromSlot && slot < task.ToSlot)
            {
                _delivered[i] += kwh;
            }
        }
    }

    /// <summary>
    /// What the windows open across the start of slot <paramref name="slot"/> (begun before it, ending after it) have
    /// delivered, in task order: all of this record that later slots can depend on, since a window not yet begun has
    /// delivered nothing and a closed one is never asked again.
    /// </summary>
    public double[] DeliveredInOpenWindows(int slot) =>
        [.. _tasks.Select((task, i) => (task, i)).Where(x => x.task.FromSlot < slot && x.task.ToSlot > slot).Select(x => _delivered[x.i])];

    /// <summary>Heat the window's minimum at full power from its start (the no-battery and rules strategies).</summary>
    public double GreedyKwh(int slot, int heater)
    {
        var step = _site.Immersions[heater].PowerKw * BacktestHistory.SlotHours;
        double need = 0, cap = step;
        for (var i = 0; i < _tasks.Length; i++)
        {
            var task = _tasks[i];
            if (task.Heater == heater && slot >= task.FromSlot && slot < task.ToSlot)
            {
                need = Math.Max(need, task.MinKwh - _delivered[i]);
                if (task.MaxKwh is { } max)
                {
                    cap = Math.Min(cap, max - _delivered[i]);
                }
            }
        }

        return Math.Max(0, Math.Min(need, cap));
    }

    /// <summary>
    /// The heaters of a plan problem over history slots [from, to): each window cut to the horizon, with what it has
    /// already delivered taken off, and its minimum lowered by what the slots past the horizon could still deliver.
    /// </summary>
    public IReadOnlyList<ImmersionSpec> ForHorizon(int from, int to)
    {
        if (_site.Immersions.Count == 0)
        {
            return [];
        }

        var windows = new List<ImmersionWindow>[_site.Immersions.Count];
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = [];
        }

        for (var i = 0; i < _tasks.Length; i++)
        {
            var task = _tasks[i];
            if (task.ToSlot <= from || task.FromSlot >= to)
            {
                continue;
            }

            var step = _site.Immersions[task.Heater].PowerKw * BacktestHistory.SlotHours;
            var (a, b) = (Math.Max(task.FromSlot, from), Math.Min(task.ToSlot, to));
            var beyond = Math.Max(0, task.ToSlot - to) * step;
            var min = Math.Clamp(task.MinKwh - _delivered[i] - beyond, 0, step * (b - a));
            double? max = task.MaxKwh is { } m ? Math.Max(min, m - _delivered[i]) : null;
            windows[task.Heater].Add(new ImmersionWindow { FromSlot = a - from, ToSlot = b - from, MinKwh = min, MaxKwh = max });
        }

        return [.. _site.Immersions.Select((s, i) => new ImmersionSpec
        {
            Id = s.Id, PowerKw = s.PowerKw, ValuePencePerKwh = s.ValuePencePerKwh, Windows = windows[i],
        })];
    }

    /// <summary>Windows whose minimum was not met, for the report (should be none).</summary>
    public int Shortfalls() => _tasks.Where((t, i) => _delivered[i] < t.MinKwh - 1e-3).Count();
}
