namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// The engineered features of the load model, one row per target slot of one forecast: what the calendar says about
/// the target, the baseline (blended) forecast and the same-slot means it is made of, and what the day has done so
/// far as seen from the forecast's moment (<c>known.Length</c>). Only known slots are read.
/// </summary>
public static class LoadFeatures
{
    /// <summary>Slots ahead a forecast is made for (two days).</summary>
    public const int Horizon = 2 * SlotGrid.SlotsPerDay;

    public static readonly IReadOnlyList<string> Names =
    [
        "lead_slots", "slot_of_day", "day_of_week", "bank_holiday", "off_day", "day_ahead", "baseline_kwh",
        "same_slot_mean_7d_kwh", "same_weekday_mean_4w_kwh", "yesterday_total_kwh", "today_so_far_kwh",
        "today_so_far_vs_usual", "last_hour_kwh", "last_hour_vs_usual", "slot_of_day_now",
    ];

    public static int Count => Names.Count;

    /// <summary>
    /// Writes one row of <see cref="Count"/> features per target firstTarget … firstTarget + baseline.Length − 1 into
    /// <paramref name="features"/> (row-major). <paramref name="baselineKwh"/> is the baseline forecast of those targets.
    /// </summary>
    public static void Build(ReadOnlySpan<double> known, int firstTarget, ReadOnlySpan<double> baselineKwh, SlotCalendar calendar, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var n = known.Length;
        var count = Count;
        if (features.Length < baselineKwh.Length * count)
        {
            throw new ArgumentException("too small for one row per target", nameof(features));
        }

        // The day so far, in the site's local day: slots since local midnight that are known.
        var now = calendar.At(n);
        var sinceMidnight = Math.Min(now.SlotOfDay, n);
        double todaySoFar = 0, usualSoFar = 0, yesterday = 0;
        for (var j = n - sinceMidnight; j < n; j++)
        {
            todaySoFar += known[j];
            usualSoFar += SameSlotMean(known, j, SlotGrid.SlotsPerDay, 7);
        }

        for (var j = Math.Max(0, n - sinceMidnight - SlotGrid.SlotsPerDay); j < n - sinceMidnight; j++)
        {
            yesterday += known[j];
        }

        var lastHour = n >= 2 ? known[n - 1] + known[n - 2] : 0;
        var usualLastHour = n >= 2 ? SameSlotMean(known, n - 1, SlotGrid.SlotsPerDay, 7) + SameSlotMean(known, n - 2, SlotGrid.SlotsPerDay, 7) : 0;

        Span<SlotDay> days = baselineKwh.Length <= 256 ? stackalloc SlotDay[baselineKwh.Length] : new SlotDay[baselineKwh.Length];
        calendar.Fill(firstTarget, days);
        for (var i = 0; i < baselineKwh.Length; i++)
        {
            var target = firstTarget + i;
            var day = days[i];
            var lead = target - n;
            var row = features.Slice(i * count, count);
            row[0] = lead;
            row[1] = day.SlotOfDay;
            row[2] = day.DayOfWeek;
            row[3] = day.Holiday ? 1 : 0;
            row[4] = day.OffDay ? 1 : 0;
            row[5] = (now.SlotOfDay + lead) / SlotGrid.SlotsPerDay;
            row[6] = (float)baselineKwh[i];
            row[7] = (float)SameSlotMean(known, target, SlotGrid.SlotsPerDay, 7);
            row[8] = (float)SameSlotMean(known, target, SlotGrid.SlotsPerWeek, 4);
            row[9] = (float)yesterday;
            row[10] = (float)todaySoFar;
            row[11] = (float)Ratio(todaySoFar, usualSoFar);
            row[12] = (float)lastHour;
            row[13] = (float)Ratio(lastHour, usualLastHour);
            row[14] = now.SlotOfDay;
        }
    }

    private static double Ratio(double actual, double usual) => usual > 1e-6 ? Math.Min(10, actual / usual) : 1;

    /// <summary>Mean of the same slot one, two, … periods earlier among the known slots (at most <paramref name="count"/>);
    /// the mean of all known slots when none is known.</summary>
    private static double SameSlotMean(ReadOnlySpan<double> known, int target, int period, int count)
    {
        double sum = 0;
        var used = 0;
        for (var j = target - SlotGrid.FirstKnownLag(target, known.Length, period) * period; j >= 0 && used < count; j -= period)
        {
            sum += known[j];
            used++;
        }

        return used > 0 ? sum / used : SlotGrid.Mean(known);
    }
}
