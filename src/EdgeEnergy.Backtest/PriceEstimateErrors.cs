namespace EdgeEnergy.Backtest;

/// <summary>
/// Absolute errors of the price estimates the optimiser planned with against the prices later published, by the
/// local hour of day of the estimated half hour, next to a naive estimate (the same half hour one day earlier, or
/// the latest known day if that is not published yet). Pence per kWh.
/// </summary>
public sealed class PriceEstimateErrors
{
    private readonly double[] _import = new double[24];
    private readonly double[] _export = new double[24];
    private readonly double[] _naive = new double[24];
    private readonly int[] _count = new int[24];

    /// <summary>Mean absolute error of the estimated import price, by local hour (NaN where none was estimated).</summary>
    public IReadOnlyList<double> ImportMaeByHour => Mean(_import);

    /// <summary>Mean absolute error of the estimated export price, by local hour.</summary>
    public IReadOnlyList<double> ExportMaeByHour => Mean(_export);

    /// <summary>Mean absolute error of the naive import estimate, by local hour.</summary>
    public IReadOnlyList<double> NaiveImportMaeByHour => Mean(_naive);

    /// <summary>Estimated half hours counted, by local hour.</summary>
    public IReadOnlyList<int> Count => _count;

    public double ImportMae => Total(_import);

    public double ExportMae => Total(_export);

    public double NaiveImportMae => Total(_naive);

    /// <summary>Counts one replan's estimates for the half hours from <paramref name="known"/> on.</summary>
    public void Add(BacktestHistory history, int known, double[] import, double[] export, double[] actualImport, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(actualImport);
        for (var k = 0; k < import.Length; k++)
        {
            var slot = history.Slots[known + k];
            var hour = TimeZoneInfo.ConvertTime(slot.Start, zone).Hour;
            var naiveAt = known + k - 48;
            while (naiveAt >= known)
            {
                naiveAt -= 48;
            }

            _import[hour] += Math.Abs(import[k] - slot.ImportPence);
            _export[hour] += Math.Abs(export[k] - slot.ExportPence);
            _naive[hour] += Math.Abs((naiveAt >= 0 ? actualImport[naiveAt] : actualImport[known - 1]) - slot.ImportPence);
            _count[hour]++;
        }
    }

    /// <summary>Adds the counts of another part of the same replay (a segment replayed on another thread).</summary>
    public void Add(PriceEstimateErrors other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var hour = 0; hour < 24; hour++)
        {
            _import[hour] += other._import[hour];
            _export[hour] += other._export[hour];
            _naive[hour] += other._naive[hour];
            _count[hour] += other._count[hour];
        }
    }

    private double[] Mean(double[] sums) => [.. sums.Select((s, h) => _count[h] == 0 ? double.NaN : s / _count[h])];

    private double Total(double[] sums)
    {
        var n = _count.Sum();
        return n == 0 ? double.NaN : sums.Sum() / n;
    }
}
