using System.Collections.Concurrent;
using System.Globalization;
using EdgeEnergy.Control.Forecasting.LoadModel;

namespace EdgeEnergy.Control.Forecasting;

/// <summary>
/// A big load that recurs at the same local time of day and stands well above the home's own base (an electric car on
/// a charging timer, a timed storage heater), learned from the home's measured half-hourly load (kWh per slot, NaN
/// where nothing was measured). Per local slot of day, and per kind of day (working day or off day) when the data
/// say the two differ, it holds the share of days the block was on and its power when on.
/// <para>
/// Why it is kept apart from the house load: a block that comes on some nights and not others is smeared by the
/// house-load forecasters into a little extra load every night, its nights make the day totals look anomalous to the
/// blend, and the smoothing spreads its edges into the slots beside it. Taken out, the house load is forecast on the
/// house alone, and the block comes back as its own expected energy per slot; once it has been seen to start tonight,
/// as what followed such a start on the nights before.
/// </para>
/// <para>
/// The rule (each threshold below with its reason): over the last <see cref="WindowDays"/> days, a slot is high when its
/// load exceeds the home's median half hour by <see cref="BlockMinimumKwh"/>; high slots in runs of at least
/// <see cref="MinimumRunSlots"/> are "on". A slot of the day belongs to a block when it was on on at least
/// <see cref="MinimumOnDays"/> days and on at least <see cref="MinimumShare"/> of the days measured there; the block
/// then takes in the slots next to it that were on on at least <see cref="ExtensionOnDays"/> days (the short and long nights' ends). Fewer than <see cref="MinimumDays"/>
/// days measured: nothing is learned, and <see cref="Reason"/> says so.
/// </para>
/// </summary>
public sealed class ScheduledLoad
{
    /// <summary>Days of history learned from: the live service keeps 28 days of measured load for planning, so the
    /// backtest learns from the same stretch; four weeks see a weekly habit four times.</summary>
    public const int WindowDays = 28;

    /// <summary>Fewer measured days than this (counted in measured half hours) and nothing is learned: two weeks see a
    /// weekly habit twice, the least to call it recurring.</summary>
    public const int MinimumDays = 14;

    /// <summary>kWh per half hour above the home's median half hour (2 kW held for the whole half hour) before a slot
    /// counts as high. A kettle (3 kW for 3 minutes) is 0.15 kWh; an evening of oven and hob rarely holds 2 kW over a
    /// whole half hour twice in a row; a car charger (2.3–7.4 kW) or a storage heater does. On the three 2022 LCL homes
    /// no 28-day window of the year learns anything at this threshold; at half of it, two of them learn their evening
    /// peaks (2026-12-02 report, "Scheduled load").</summary>
    public const double BlockMinimumKwh = 1.0;

    /// <summary>High slots count as on only in runs of at least this many (an hour): one busy half hour is cooking, not
    /// a scheduled load.</summary>
    public const int MinimumRunSlots = 2;

    /// <summary>A slot joins a block only when it was on on at least this many days of the window (once a week)…</summary>
    public const int MinimumOnDays = 4;

    /// <summary>…and on at least this share of the days measured there (about two nights a week): a load that comes
    /// on now and then is left to the house forecast.</summary>
    public const double MinimumShare = 0.25;

    /// <summary>A slot next to a block joins it when on on at least this many days: a charge that runs long some nights
    /// ends in slots that each see it too seldom to pass the rule above, and would otherwise stay in the house load.</summary>
    public const int ExtensionOnDays = 2;

    /// <summary>Working days and off days get their own share only when their mean shares over the block differ by at
    /// least this much (a commuter's car charges after working days); closer than that, the pooled share is steadier.</summary>
    public const double SplitShareDifference = 0.3;

    /// <summary>A share conditioned on tonight's start (on or off in the last measured slot) is used only when the
    /// window holds at least this many nights in that state; fewer, the slot's plain share.</summary>
    public const int MinimumConditionNights = 3;

    private const int Day = SlotGrid.SlotsPerDay;

    // Per slot of day: in a block; the block's power when on (kWh per slot); the home's level there with it off.
    private readonly bool[] _block = new bool[Day];
    private readonly double[] _powerKwh = new double[Day];
    private readonly double[] _houseKwh = new double[Day];

    // Share of days on, per kind of day (0 working, 1 off); both rows equal when the kinds are not told apart.
    private readonly double[][] _share = [new double[Day], new double[Day]];

    // The window, kept for the shares conditioned on tonight's start: its slots of day, high and on flags.
    private readonly int[] _windowSlotOfDay;
    private readonly bool[] _windowHigh;
    private readonly bool[] _windowOn;

    private ScheduledLoad(string reason, double baseKwh, int[] windowSlotOfDay, bool[] windowHigh, bool[] windowOn)
    {
        Reason = reason;
        BaseKwh = baseKwh;
        _windowSlotOfDay = windowSlotOfDay;
        _windowHigh = windowHigh;
        _windowOn = windowOn;
    }

    /// <summary>Whether a block was learned (false: the load is forecast as it is).</summary>
    public bool Found { get; private set; }

    /// <summary>What was learned, or why nothing was, in words for the log and the forecast component.</summary>
    public string Reason { get; private set; }

    /// <summary>The home's median half hour over the window, kWh (NaN when too little was measured).</summary>
    public double BaseKwh { get; }

    /// <summary>Whether working days and off days have their own shares.</summary>
    public bool SplitByKindOfDay { get; private set; }

    /// <summary>Whether local slot of day <paramref name="slotOfDay"/> (0–47) is part of the block.</summary>
    public bool InBlock(int slotOfDay) => _block[slotOfDay];

    /// <summary>The block's power when on at local slot of day <paramref name="slotOfDay"/>, kWh per half hour (0 outside it).</summary>
    public double PowerKwh(int slotOfDay) => _block[slotOfDay] ? _powerKwh[slotOfDay] : 0;

    /// <summary>The share of days the block was on at local slot of day <paramref name="slotOfDay"/>, on working days or off days.</summary>
    public double Share(int slotOfDay, bool offDay) => _block[slotOfDay] ? _share[offDay ? 1 : 0][slotOfDay] : 0;

    /// <summary>
    /// Learns from the last <see cref="WindowDays"/> days of <paramref name="loadKwh"/> (slot 0 at the calendar's origin;
    /// NaN, infinite or negative values are gaps). Never throws on bad values: too few measured days learns nothing and
    /// says so in <see cref="Reason"/>.
    /// </summary>
    public static ScheduledLoad Learn(ReadOnlySpan<double> loadKwh, SlotCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var start = Math.Max(0, loadKwh.Length - WindowDays * Day);
        var window = loadKwh[start..];
        var n = window.Length;
        var days = new SlotDay[n];
        calendar.Fill(start, days);
        var slotOfDay = days.Select(d => d.SlotOfDay).ToArray();
        var measured = new List<double>(n);
        foreach (var v in window)
        {
            if (Measured(v))
            {
                measured.Add(v);
            }
        }

        var high = new bool[n];
        var on = new bool[n];
        if (measured.Count < MinimumDays * Day)
        {
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"no scheduled load learned: {measured.Count / (double)Day:0.#} days of measured load in the last {WindowDays}, it needs {MinimumDays}");
            return new ScheduledLoad(reason, double.NaN, slotOfDay, high, on);
        }

        measured.Sort();
        var baseKwh = measured[measured.Count / 2];
        for (var k = 0; k < n; k++)
        {
            high[k] = Measured(window[k]) && window[k] > baseKwh + BlockMinimumKwh;
        }

        for (var k = 0; k < n;)
        {
            if (!high[k])
            {
                k++;
                continue;
            }

            var end = k;
            while (end < n && high[end])
            {
                end++;
            }

            if (end - k >= MinimumRunSlots)
            {
                on.AsSpan(k, end - k).Fill(true);
            }

            k = end;
        }

        var learned = new ScheduledLoad("", baseKwh, slotOfDay, high, on);
        learned.Fit(window, days);
        return learned;
    }

    private static bool Measured(double kwh) => double.IsFinite(kwh) && kwh >= 0;

    private void Fit(ReadOnlySpan<double> window, SlotDay[] days)
    {
        // Counts per kind of day (0 working, 1 off) and slot of day: days measured, days on.
        var measuredDays = new int[2, Day];
        var onDays = new int[2, Day];
        var onSamples = new List<double>[Day];
        var offSamples = new List<double>[Day];
        for (var s = 0; s < Day; s++)
        {
            onSamples[s] = [];
            offSamples[s] = [];
        }

        for (var k = 0; k < window.Length; k++)
        {
            if (!Measured(window[k]))
            {
                continue;
            }

            var kind = days[k].OffDay ? 1 : 0;
            var s = days[k].SlotOfDay;
            measuredDays[kind, s]++;
            if (_windowOn[k])
            {
                onDays[kind, s]++;
                onSamples[s].Add(window[k]);
            }
            else
            {
                offSamples[s].Add(window[k]);
            }
        }

        double ShareOf(int kind, int s) => measuredDays[kind, s] == 0 ? 0 : onDays[kind, s] / (double)measuredDays[kind, s];
        double Pooled(int s) => measuredDays[0, s] + measuredDays[1, s] == 0 ? 0 : (onDays[0, s] + onDays[1, s]) / (double)(measuredDays[0, s] + measuredDays[1, s]);
        static bool Passes(int on, double share) => on >= MinimumOnDays && share >= MinimumShare;

        for (var s = 0; s < Day; s++)
        {
            // Over all days: a kind of day alone would let one habit a week through (a Sunday roast is on every
            // second off day), and a load on fewer than two days in seven is left to the house forecast.
            _block[s] = Passes(onDays[0, s] + onDays[1, s], Pooled(s));
        }

        if (!_block.Any(b => b))
        {
            Reason = "no scheduled load: no big load recurs at the same time of day in the last " +
                     string.Create(CultureInfo.InvariantCulture, $"{WindowDays} days");
            return;
        }

        // The ends: neighbours of the block (around midnight too) that were on often enough, until none is left.
        for (var grown = true; grown;)
        {
            grown = false;
            for (var s = 0; s < Day; s++)
            {
                if (!_block[s] && (_block[(s + 1) % Day] || _block[(s + Day - 1) % Day]) && onDays[0, s] + onDays[1, s] >= ExtensionOnDays)
                {
                    _block[s] = true;
                    grown = true;
                }
            }
        }

        for (var s = 0; s < Day; s++)
        {
            // With the block off, the home's own level there; too few such nights to tell: its median half hour.
            _houseKwh[s] = offSamples[s].Count >= MinimumConditionNights ? Median(offSamples[s]) : BaseKwh;
            _powerKwh[s] = _block[s] ? Math.Max(0, Median(onSamples[s]) - _houseKwh[s]) : 0;
        }

        double MeanShare(int kind)
        {
            var slots = Enumerable.Range(0, Day).Where(s => _block[s] && measuredDays[kind, s] > 0).ToArray();
            return slots.Length == 0 ? double.NaN : slots.Average(s => ShareOf(kind, s));
        }

        var working = MeanShare(0);
        var off = MeanShare(1);
        SplitByKindOfDay = double.IsFinite(working) && double.IsFinite(off) && Math.Abs(working - off) >= SplitShareDifference;
        for (var s = 0; s < Day; s++)
        {
            _share[0][s] = SplitByKindOfDay ? ShareOf(0, s) : Pooled(s);
            _share[1][s] = SplitByKindOfDay ? ShareOf(1, s) : Pooled(s);
        }

        Found = true;
        Reason = Describe(working, off);
    }

    /// <summary>"scheduled load 00:30–03:00, 6.8 kW on 4 nights in 7, taken out of the house load", one part per block.</summary>
    private string Describe(double workingShare, double offShare)
    {
        var parts = new List<string>();
        // Start the walk at a slot outside every block, so a block across midnight is one block.
        var first = Array.FindIndex(_block, b => !b);
        if (first < 0)
        {
            first = 0;
        }

        for (var i = 0; i < Day;)
        {
            var s = (first + i) % Day;
            if (!_block[s])
            {
                i++;
                continue;
            }

            var length = 0;
            while (i + length < Day && _block[(first + i + length) % Day])
            {
                length++;
            }

            var slots = Enumerable.Range(i, length).Select(x => (first + x) % Day).ToArray();
            // The power of the block's busiest slots (those on on most days): its tail slots are part-filled.
            var core = slots.Where(x => _share[0][x] + _share[1][x] >= slots.Max(y => _share[0][y] + _share[1][y]) / 2).ToArray();
            var kw = core.Average(x => _powerKwh[x]) * 2;
            var nights = core.Average(x => (5 * _share[0][x] + 2 * _share[1][x]) / 7) * 7;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Clock(slots[0])}–{Clock((slots[^1] + 1) % Day)}, {kw:0.0} kW on {nights:0} nights in 7"));
            i += length;
        }

        var kinds = !SplitByKindOfDay ? ""
            : offShare < 0.05 ? ", on working days only"
            : workingShare < 0.05 ? ", on off days only"
            : string.Create(CultureInfo.InvariantCulture, $", more often on {(workingShare > offShare ? "working" : "off")} days");
        return $"scheduled load {string.Join("; ", parts)}{kinds}, taken out of the house load";
    }

    private static string Clock(int slotOfDay) => $"{slotOfDay / 2:00}:{slotOfDay % 2 * 30:00}";

    /// <summary>
    /// <paramref name="loadKwh"/> with the block's energy taken out (slot 0 at the calendar's origin): in each slot of
    /// the block that was high (above the home's median half hour by <see cref="BlockMinimumKwh"/>), the block's power
    /// there, but never below the home's level with the block off. Other slots, and gaps, are left as they are.
    /// </summary>
    public double[] TakeOut(ReadOnlySpan<double> loadKwh, SlotCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var house = loadKwh.ToArray();
        if (!Found)
        {
            return house;
        }

        TakeOutInPlace(house, 0, calendar);
        return house;
    }

    /// <summary><see cref="TakeOut"/> of slots from <paramref name="first"/> on, in place.</summary>
    internal void TakeOutInPlace(Span<double> loadKwh, int first, SlotCalendar calendar)
    {
        if (!Found || first >= loadKwh.Length)
        {
            return;
        }

        var days = new SlotDay[loadKwh.Length - first];
        calendar.Fill(first, days);
        for (var k = first; k < loadKwh.Length; k++)
        {
            var s = days[k - first].SlotOfDay;
            var v = loadKwh[k];
            if (_block[s] && Measured(v) && v > BaseKwh + BlockMinimumKwh)
            {
                loadKwh[k] = Math.Max(Math.Min(v, _houseKwh[s]), v - _powerKwh[s]);
            }
        }
    }

    /// <summary>
    /// Adds the block's expected energy to a house-load forecast of slots <paramref name="firstTarget"/>, … (indices of
    /// the series whose measured past is <paramref name="knownKwh"/>, slot 0 at the calendar's origin): per slot its
    /// power × the share of such days it was on. For the slots of the block still ahead tonight, the share is that of the
    /// nights in the window that were in the same state (on or off) at the last measured slot, when there were at least
    /// <see cref="MinimumConditionNights"/> of them: once the car has started, it is expected to go on as it did then.
    /// </summary>
    public void AddExpected(ReadOnlySpan<double> knownKwh, int firstTarget, SlotCalendar calendar, Span<double> forecastKwh)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (!Found || forecastKwh.IsEmpty)
        {
            return;
        }

        var days = new SlotDay[forecastKwh.Length];
        calendar.Fill(firstTarget, days);
        var last = knownKwh.Length - 1;
        var lastSlot = last >= 0 ? calendar.At(last).SlotOfDay : -1;
        bool? lastHigh = last >= 0 && _block[lastSlot] && Measured(knownKwh[last]) ? knownKwh[last] > BaseKwh + BlockMinimumKwh : null;
        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var s = days[i].SlotOfDay;
            if (!_block[s])
            {
                continue;
            }

            var share = _share[days[i].OffDay ? 1 : 0][s];
            var lead = firstTarget + i - last;
            if (lastHigh is { } state && lead is > 0 and < Day && SameBlock(lastSlot, lead) && Conditional(lastSlot, lead, state) is { } conditional)
            {
                share = conditional;
            }

            forecastKwh[i] += share * _powerKwh[s];
        }
    }

    /// <summary>Whether every slot of the day from <paramref name="slotOfDay"/> to <paramref name="lead"/> slots later is in the block.</summary>
    private bool SameBlock(int slotOfDay, int lead)
    {
        for (var d = 0; d <= lead; d++)
        {
            if (!_block[(slotOfDay + d) % Day])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Of the window's nights whose slot <paramref name="slotOfDay"/> was high (or not), the share on <paramref name="lead"/> slots later.</summary>
    private double? Conditional(int slotOfDay, int lead, bool high)
    {
        int nights = 0, on = 0;
        for (var k = 0; k + lead < _windowSlotOfDay.Length; k++)
        {
            if (_windowSlotOfDay[k] == slotOfDay && _windowHigh[k] == high)
            {
                nights++;
                on += _windowOn[k + lead] ? 1 : 0;
            }
        }

        return nights >= MinimumConditionNights ? on / (double)nights : null;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}

/// <summary>
/// A house-load forecaster with the home's scheduled load (<see cref="ScheduledLoad"/>) kept apart: the house
/// forecaster is given the history with the block's energy taken out, and the block's expected energy is added to its
/// forecast. Learned at whole days of the series (slot 0 at the calendar's origin) from the history before them, each
/// once, so the forecast at slot t depends only on the history before t (the backtest's parallel segments give the same
/// answer as one replay). Nothing learned: the house forecaster's own forecast, unchanged.
/// </summary>
public sealed class ScheduledLoadForecaster(ISlotForecaster house, SlotCalendar calendar) : ISlotForecaster
{
    private readonly ISlotForecaster _house = house ?? throw new ArgumentNullException(nameof(house));
    private readonly SlotCalendar _calendar = calendar ?? throw new ArgumentNullException(nameof(calendar));
    private readonly ConcurrentDictionary<int, Lazy<(ScheduledLoad Learned, double[] House)>> _learned = new();

    /// <summary>The forecaster of the house load alone.</summary>
    public ISlotForecaster House => _house;

    /// <summary>Where slot 0 is, in time and in the local calendar.</summary>
    public SlotCalendar Calendar => _calendar;

    /// <summary>The house forecaster's name: reports and their readers find the forecaster by it, and with nothing
    /// learned the forecast is the house forecaster's own.</summary>
    public string Name => _house.Name;

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        var (learned, house) = Split(known, known);
        _house.Forecast(house is null ? known : house, firstTarget, forecastKwh);
        learned.AddExpected(known, firstTarget, _calendar, forecastKwh);
    }

    /// <summary>
    /// What was learned at the last whole day within <paramref name="measured"/> (NaN: not measured), and
    /// <paramref name="known"/> (the same slots as the house forecaster is given them, gaps filled as the caller
    /// fills them) with the block taken out; null when nothing was learned: the house load is the history as it is.
    /// </summary>
    public (ScheduledLoad Learned, double[]? House) Split(ReadOnlySpan<double> measured, ReadOnlySpan<double> known)
    {
        if (measured.Length != known.Length)
        {
            throw new ArgumentException($"the measured history has {measured.Length} slots and the known one {known.Length}", nameof(known));
        }

        var (learned, housePrefix) = Learned(measured, known);
        if (!learned.Found)
        {
            return (learned, null);
        }

        var house = new double[known.Length];
        housePrefix.CopyTo(house, 0);
        known[housePrefix.Length..].CopyTo(house.AsSpan(housePrefix.Length));
        learned.TakeOutInPlace(house, housePrefix.Length, _calendar);
        return (learned, house);
    }

    private (ScheduledLoad Learned, double[] House) Learned(ReadOnlySpan<double> measured, ReadOnlySpan<double> known)
    {
        var at = measured.Length / SlotGrid.SlotsPerDay * SlotGrid.SlotsPerDay;
        if (_learned.TryGetValue(at, out var cached))
        {
            return cached.Value;
        }

        var learnFrom = measured[..at].ToArray();
        var takeOutOf = known[..at].ToArray();
        return _learned.GetOrAdd(at, _ => new Lazy<(ScheduledLoad, double[])>(() =>
        {
            var learned = ScheduledLoad.Learn(learnFrom, _calendar);
            return (learned, learned.Found ? learned.TakeOut(takeOutOf, _calendar) : []);
        })).Value;
    }
}
