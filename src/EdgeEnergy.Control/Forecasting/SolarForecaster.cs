namespace EdgeEnergy.Control.Forecasting;

/// <summary>Settings of <see cref="SolarForecaster"/>.</summary>
public sealed record SolarForecasterOptions
{
    /// <summary>Days whose same-time maximum makes the clear-sky envelope (long enough to hold a clear spell, short
    /// enough to follow the season).</summary>
    public int EnvelopeDays { get; init; } = 21;

    /// <summary>Days of daily clear-sky index averaged for the day-ahead level…</summary>
    public int IndexDays { get; init; } = 10;

    /// <summary>…each older day weighted by this share of the next newer one.</summary>
    public double IndexDecay { get; init; } = 0.8;

    /// <summary>Slots of the latest measured solar that set the "now" clear-sky index (1 h).</summary>
    public int NowcastSlots { get; init; } = 2;

    /// <summary>Hours over which the "now" index hands over to the day-ahead level (e-folding time: the weather of the
    /// last hour says much about the rest of the day; on the solar homes of 2022, 6 h scored better than 2.5 or 4).</summary>
    public double NowcastHours { get; init; } = 6;
}

/// <summary>
/// The home's own solar forecast from its measured generation, for homes without a forecast service (and as the
/// fallback when a service's forecast is unusable). Solar is a clear-sky envelope times a clear-sky index: the envelope
/// is the highest generation seen at the same time of day over recent weeks (what this roof gives in clear sky, with
/// its orientation, shading and season), the index the share of it the weather allows. Day-ahead, the index is a
/// weighted average of recent days'; for the next hours it starts from the last hour's index (cloud persists) and
/// hands over to the day-ahead level. Only actuals already known are read; the series may start at any time of day, and
/// NaN marks a slot not measured.
/// </summary>
public sealed class SolarForecaster(SolarForecasterOptions? options = null) : ISlotForecaster
{
    private readonly SolarForecasterOptions _options = options ?? new SolarForecasterOptions();

    public string Name => "own solar estimate (clear-sky envelope × recent clear-sky index, nowcast for the next hours)";

    public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
    {
        var o = _options;
        var n = known.Length;
        const int day = SlotGrid.SlotsPerDay;
        if (n < day)
        {
            forecastKwh.Clear(); // less than a day measured: nothing to go on (the caller says so)
            return;
        }

        // envelope[p]: the most seen at the time of day of slot n + p over the last EnvelopeDays days.
        Span<double> envelope = stackalloc double[day];
        var envelopeDays = Math.Min(o.EnvelopeDays, n / day);
        for (var p = 0; p < day; p++)
        {
            var most = 0.0;
            for (var k = 1; k <= envelopeDays; k++)
            {
                var v = known[n - k * day + p];
                most = double.IsFinite(v) ? Math.Max(most, v) : most; // NaN: not measured (the Pi was off)
            }

            envelope[p] = most;
        }

        double envelopeDayKwh = 0, peak = 0;
        foreach (var e in envelope)
        {
            envelopeDayKwh += e;
            peak = Math.Max(peak, e);
        }

        if (envelopeDayKwh <= 0)
        {
            forecastKwh.Clear(); // a roof that has given nothing for weeks (snow, an isolator off): forecast nothing
            return;
        }

        // Day-ahead index: weighted mean of the last IndexDays 24-hour windows' measured / envelope, each over the slots
        // measured in it (a window measured for less than a tenth of its clear-sky energy says nothing and is skipped).
        double indexSum = 0, weightSum = 0, weight = 1;
        for (var k = 1; k <= Math.Min(o.IndexDays, n / day); k++)
        {
            double measured = 0, possible = 0;
            for (var p = 0; p < day; p++)
            {
                var v = known[n - k * day + p];
                if (double.IsFinite(v))
                {
                    measured += v;
                    possible += envelope[p];
                }
            }

            if (possible >= 0.1 * envelopeDayKwh)
            {
                indexSum += weight * Math.Min(1, measured / possible);
                weightSum += weight;
            }

            weight *= o.IndexDecay;
        }

        if (weightSum == 0)
        {
            forecastKwh.Clear(); // nothing measured in daylight: no basis for a level (the caller needs a day of data)
            return;
        }

        var dayAhead = indexSum / weightSum;

        // Now index: the last NowcastSlots slots against the envelope at their times, when the sun was up enough to tell.
        double nowMeasured = 0, nowEnvelope = 0;
        for (var j = 1; j <= o.NowcastSlots; j++)
        {
            nowMeasured += known[n - j];
            nowEnvelope += envelope[day - j];
        }

        // Below a tenth of the peak slot per slot (dawn), the ratio is noise: the day-ahead level stands.
        var nowIndex = double.IsFinite(nowMeasured) && nowEnvelope >= 0.1 * peak * o.NowcastSlots ? Math.Clamp(nowMeasured / nowEnvelope, 0, 1) : dayAhead;
        for (var i = 0; i < forecastKwh.Length; i++)
        {
            var lead = firstTarget + i - n; // slots after the last known one
            var p = ((lead % day) + day) % day;
            var w = Math.Exp(-(lead + 1) * 0.5 / o.NowcastHours);
            forecastKwh[i] = envelope[p] * (w * nowIndex + (1 - w) * dayAhead);
        }
    }
}
