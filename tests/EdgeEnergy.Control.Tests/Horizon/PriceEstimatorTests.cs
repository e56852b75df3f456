using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Horizon;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Tests.Horizon;

public class PriceEstimatorTests
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly DateTimeOffset s_monday = new(2024, 1, 8, 0, 0, 0, TimeSpan.Zero);

    private static BacktestHistory Fixture()
    {
        using var reader = new StreamReader(Testing.BacktestFixtures.History);
        return HistoryCsv.Read(reader, "history");
    }

    [Fact]
    public void Prices_after_the_decision_time_cannot_change_the_estimate()
    {
        var prices = Fixture().Slots.Select(s => s.ImportPence).ToArray();
        var t0 = Fixture().Slots[0].Start;
        const int known = 48 * 4;
        var before = PriceEstimator.Estimate(prices.AsSpan(0, known), t0, s_london, 48);
        for (var i = known; i < prices.Length; i++)
        {
            prices[i] = 999; // a future that would drag any peeking estimate up
        }

        Assert.Equal(before, PriceEstimator.Estimate(prices.AsSpan(0, known), t0, s_london, 48));
        Assert.All(before, p => Assert.True(p < 100));
    }

    [Fact]
    public void Estimates_stay_within_the_cap_and_floor_seen_even_when_the_level_is_rising()
    {
        // Three days, each 10p dearer than the last, peaks pinned at a 35p cap: level + shape would exceed it.
        var known = new double[48 * 3];
        for (var i = 0; i < known.Length; i++)
        {
            var hour = i % 48 / 2;
            known[i] = hour is >= 16 and < 19 ? 35 : Math.Min(35, 5 + (10 * (i / 48)) + hour);
        }

        var estimate = PriceEstimator.Estimate(known, s_monday, s_london, 72);

        Assert.All(estimate, p => Assert.InRange(p, known.Min(), 35));
        Assert.Contains(estimate, p => p == 35);
    }

    [Fact]
    public void The_16_to_19_peak_is_carried_into_tomorrows_estimate()
    {
        var history = Fixture();
        var prices = history.Slots.Select(s => s.ImportPence).ToArray();
        var known = 48 * 6; // 23:00 UK on the sixth day
        var estimate = PriceEstimator.Estimate(prices.AsSpan(0, known), history.Slots[0].Start, s_london, 48);
        var local = Enumerable.Range(0, 48).Select(k => TimeZoneInfo.ConvertTime(history.Slots[known + k].Start, s_london).Hour).ToArray();
        var peak = Enumerable.Range(0, 48).Where(k => local[k] is >= 16 and < 19).Select(k => estimate[k]).Average();
        var night = Enumerable.Range(0, 48).Where(k => local[k] is >= 0 and < 6).Select(k => estimate[k]).Average();

        Assert.True(peak > night + 5, $"peak {peak:0.0}p vs night {night:0.0}p");
    }

    [Fact]
    public void On_the_fixture_days_it_beats_the_same_slot_a_day_earlier()
    {
        // Every decision at 15:30 UK (the last before publication) from the third day: estimate 23:00 → 23:00 tomorrow.
        var history = Fixture();
        var prices = history.Slots.Select(s => s.ImportPence).ToArray();
        var zone = s_london;
        double estimateError = 0, naiveError = 0;
        var count = 0;
        for (var t = 0; t < prices.Length; t++)
        {
            var local = TimeZoneInfo.ConvertTime(history.Slots[t].Start, zone);
            if (local.Hour != 15 || local.Minute != 30 || t < 96)
            {
                continue;
            }

            var known = (int)((AgilePublication.KnownUntil(history.Slots[t].Start, zone) - history.Slots[0].Start).TotalMinutes / 30);
            var horizon = Math.Min(48, prices.Length - known);
            var estimate = PriceEstimator.Estimate(prices.AsSpan(0, known), history.Slots[0].Start, zone, horizon);
            for (var k = 0; k < horizon; k++)
            {
                var naive = known + k - 48 < known ? prices[known + k - 48] : prices[known + k - 96];
                estimateError += Math.Abs(estimate[k] - prices[known + k]);
                naiveError += Math.Abs(naive - prices[known + k]);
                count++;
            }
        }

        Assert.True(count >= 48 * 4, $"only {count} half hours estimated");
        Assert.True(estimateError < naiveError, $"estimator MAE {estimateError / count:0.00}p vs naive {naiveError / count:0.00}p");
    }

    [Fact]
    public void Nothing_known_is_a_clear_error() =>
        Assert.Contains("known price", Assert.Throws<ArgumentException>(() => PriceEstimator.Estimate([], s_monday, s_london, 3)).Message);
}
