using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>One day of the A/B comparison: its label, the mode it ran in, and its capture or why it is left out.</summary>
/// <param name="Date">The UK day.</param>
/// <param name="Label"><c>A</c> (EdgeEnergy in control) or <c>B</c> (handed back to the incumbent).</param>
/// <param name="Mode">The mode it ran in as recorded: <c>active</c>, <c>shadow</c> or <c>mixed</c>.</param>
/// <param name="CapturePercent">(noBattery − actual) / (noBattery − perfect) × 100; null when left out.</param>
/// <param name="Excluded">Why the day is not compared (incomplete, not the mode its label asks for, nothing to capture); null when compared.</param>
public sealed record AbDay(DateOnly Date, string Label, string Mode, double? CapturePercent, string? Excluded);

/// <summary>
/// The A/B comparison of <c>edgeenergy report</c> (issue 16 §4). Each compared day's capture is how much of its own
/// perfect-foresight saving its metered bill got: (noBattery − actual) / (noBattery − perfect) × 100, on A days with
/// EdgeEnergy in control, on B days with the incumbent in control, each against its own day's optimum. A day is
/// compared only when complete and run all day in the mode its label asks for (A active, B shadow); a day whose perfect
/// foresight saves less than <see cref="MinimumSavingPence"/> has no capture to speak of and is left out.
/// Days needed: a two-sample comparison of means at 5 % two-sided with 80 % power, normal approximation:
/// n per group = 2 (z₀.₉₇₅ + z₀.₈)² σ² / Δ² = 2 (1.96 + 0.84)² σ² / Δ², σ the pooled standard deviation of the two
/// groups' captures, Δ the observed difference of their means; rounded up. Null while either group has fewer than two
/// days or the means are equal.
/// </summary>
public sealed record AbComparison(
    string Schedule,
    IReadOnlyList<AbDay> Days,
    double? ACapturePercentMean,
    double? BCapturePercentMean,
    double? ACaptureStdDev,
    double? BCaptureStdDev,
    double? DifferencePercent,
    int? DaysNeededForSignificance)
{
    /// <summary>Perfect foresight must save at least this much against no battery for a day's capture to mean anything.</summary>
    public const double MinimumSavingPence = 1;

    /// <summary>(z for 5 % two-sided + z for 80 % power)², doubled: n per group = this × σ² / Δ².</summary>
    public const double SampleSizeFactor = 2 * (1.96 + 0.84) * (1.96 + 0.84);

    public int ADays => Captures(Days, "A").Count;

    public int BDays => Captures(Days, "B").Count;

    private static List<double> Captures(IEnumerable<AbDay> days, string label) =>
        [.. days.Where(d => d.Label == label && d.CapturePercent is not null).Select(d => d.CapturePercent!.Value)];

    public static AbComparison Of(IEnumerable<BillReportDay> days, AbSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(schedule);
        var compared = days.Select(d => Day(d, schedule)).ToList();
        var (a, b) = (Captures(compared, "A"), Captures(compared, "B"));
        var (aMean, bMean) = (Mean(a), Mean(b));
        var (aSd, bSd) = (StdDev(a), StdDev(b));
        var difference = aMean - bMean;
        int? needed = null;
        if (aSd is { } sa && bSd is { } sb && difference is { } delta && Math.Abs(delta) > 1e-9)
        {
            var pooledVariance = (((a.Count - 1) * sa * sa) + ((b.Count - 1) * sb * sb)) / (a.Count + b.Count - 2);
            needed = (int)Math.Ceiling(SampleSizeFactor * pooledVariance / (delta * delta));
        }

        return new AbComparison(schedule.Name, compared, aMean, bMean, aSd, bSd, difference, needed);
    }

    private static AbDay Day(BillReportDay day, AbSchedule schedule)
    {
        var label = schedule.Label(day.Date);
        var wanted = label == "A" ? ControlModes.Active : ControlModes.Shadow;
        if (!day.Complete)
        {
            return new AbDay(day.Date, label, day.Mode, null, $"incomplete: {day.Reason}");
        }

        if (day.Mode != wanted)
        {
            return new AbDay(day.Date, label, day.Mode, null, $"ran {day.Mode}, not {wanted} as {(label == "A" ? "an A" : "a B")} day");
        }

        var saving = day.NoBatteryBillPence!.Value - day.PerfectBillPence!.Value;
        return saving < MinimumSavingPence
            ? new AbDay(day.Date, label, day.Mode, null, $"perfect foresight saves {saving:0.00}p against no battery: nothing to capture")
            : new AbDay(day.Date, label, day.Mode, (day.NoBatteryBillPence!.Value - day.ActualBillPence!.Value) / saving * 100, null);
    }

    private static double? Mean(List<double> values) => values.Count == 0 ? null : values.Average();

    /// <summary>The sample standard deviation (n − 1); null below two values.</summary>
    private static double? StdDev(List<double> values)
    {
        if (values.Count < 2)
        {
            return null;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
