using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests.Prices;

public class RateSeriesTests
{
    [Fact]
    public void Lookup_finds_the_rate_covering_an_instant_by_binary_search()
    {
        var rates = FixtureData.AgileCsv("agile_import_J_2022-10-28_31.csv");
        var series = new RateSeries(rates);
        foreach (var rate in rates)
        {
            Assert.True(series.TryGetAt(rate.StartUtc.AddMinutes(29), out var found));
            Assert.Equal(rate, found);
        }

        Assert.False(series.TryGetAt(rates[0].StartUtc.AddTicks(-1), out _));
        Assert.False(series.TryGetAt(rates[^1].EndUtc, out _));
    }

    [Fact]
    public void Staleness_needs_unbroken_coverage_from_now_to_the_required_horizon()
    {
        var t0 = new DateTimeOffset(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);
        var rates = Enumerable.Range(0, 48).Where(i => i != 20).Select(i => new Rate(t0.AddMinutes(30 * i), t0.AddMinutes(30 * (i + 1)), i)).ToList();
        var series = new RateSeries(rates);
        Assert.Equal(t0.AddHours(10), series.ContiguousUntil(t0.AddHours(1)));
        Assert.False(series.IsStale(t0.AddHours(1), TimeSpan.FromHours(8)));
        Assert.True(series.IsStale(t0.AddHours(1), TimeSpan.FromHours(10)));
        Assert.True(series.IsStale(t0.AddHours(30), TimeSpan.Zero));
    }

    [Fact]
    public void Overlapping_rates_are_refused()
    {
        var t0 = new DateTimeOffset(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);
        Assert.Throws<ArgumentException>(() => new RateSeries([new Rate(t0, t0.AddHours(1), 1), new Rate(t0.AddMinutes(30), t0.AddHours(2), 2)]));
    }
}
