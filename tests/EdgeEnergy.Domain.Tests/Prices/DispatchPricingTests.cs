using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Prices;

/// <summary>Intelligent Octopus Go's dispatch rule on an IOG day: 7 p off-peak 23:30–05:30 UK, 30 p otherwise.</summary>
public sealed class DispatchPricingTests
{
    private const double OffPeak = 7.0;
    private const double Peak = 30.0;

    // Wednesday 2 December 2026 (GMT, so UK = UTC).
    private static readonly DateTimeOffset s_midnight = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Two UK days of half-hour rates from 1 December 00:00, off-peak 23:30–05:30.</summary>
    private static IReadOnlyList<Rate> TwoDays()
    {
        var from = s_midnight.AddDays(-1);
        return [.. Enumerable.Range(0, 96).Select(i =>
        {
            var start = from.AddMinutes(30 * i);
            var minute = start.Hour * 60 + start.Minute;
            return new Rate(start, start.AddMinutes(30), minute >= 23 * 60 + 30 || minute < 5 * 60 + 30 ? OffPeak : Peak);
        })];
    }

    private static DispatchSchedule Schedule(TimeSpan? cap, params PlannedDispatch[] dispatches) => new(dispatches, s_midnight, cap);

    private static PlannedDispatch Smart(double fromHour, double toHour) => new(s_midnight.AddHours(fromHour), s_midnight.AddHours(toHour), DispatchKind.Smart);

    private static double PriceAt(DispatchPricingResult result, DateTimeOffset at) => new RateSeries(result.Rates).TryGetAt(at, out var rate) ? rate.Pence : double.NaN;

    [Fact]
    public void A_dispatch_from_17_10_to_17_40_makes_the_17_00_and_17_30_half_hours_off_peak_and_no_other()
    {
        var result = DispatchPricing.Apply(TwoDays(), Schedule(null, Smart(17 + 10 / 60.0, 17 + 40 / 60.0)), UkTime.Zone);

        Assert.Equal([s_midnight.AddHours(17), s_midnight.AddHours(17.5)], result.OffPeakSlots);
        Assert.Equal(Peak, PriceAt(result, s_midnight.AddHours(16.5)));
        Assert.Equal(OffPeak, PriceAt(result, s_midnight.AddHours(17)));
        Assert.Equal(OffPeak, PriceAt(result, s_midnight.AddHours(17.5)));
        Assert.Equal(Peak, PriceAt(result, s_midnight.AddHours(18)));
        Assert.Equal(96, result.Rates.Count);
    }

    [Fact]
    public void A_dispatch_ending_exactly_on_a_half_hour_does_not_touch_the_next()
    {
        var result = DispatchPricing.Apply(TwoDays(), Schedule(null, Smart(17, 18)), UkTime.Zone);

        Assert.Equal([s_midnight.AddHours(17), s_midnight.AddHours(17.5)], result.OffPeakSlots);
        Assert.Equal(Peak, PriceAt(result, s_midnight.AddHours(18)));
    }

    [Fact]
    public void A_boost_dispatch_stays_at_the_peak_rate()
    {
        var boost = new PlannedDispatch(s_midnight.AddHours(17), s_midnight.AddHours(18), DispatchKind.Boost);

        var result = DispatchPricing.Apply(TwoDays(), Schedule(null, boost), UkTime.Zone);

        Assert.Empty(result.OffPeakSlots);
        Assert.Equal(Peak, PriceAt(result, s_midnight.AddHours(17)));
    }

    [Fact]
    public void A_dispatch_no_longer_listed_leaves_its_half_hours_at_the_peak_rate()
    {
        var before = DispatchPricing.Apply(TwoDays(), Schedule(null, Smart(17, 18), Smart(20, 21)), UkTime.Zone);
        var withdrawn = DispatchPricing.Apply(TwoDays(), Schedule(null, Smart(20, 21)), UkTime.Zone);

        Assert.Equal(OffPeak, PriceAt(before, s_midnight.AddHours(17)));
        Assert.Equal(Peak, PriceAt(withdrawn, s_midnight.AddHours(17)));
        Assert.Equal(OffPeak, PriceAt(withdrawn, s_midnight.AddHours(20)));
    }

    [Fact]
    public void A_six_hour_cap_keeps_the_dispatched_time_beyond_six_hours_in_a_uk_day_at_peak()
    {
        // Hand calculation, 2 December: dispatches 05:00–09:00 and 12:00–17:00 (9 h). 05:00 is already off-peak by the
        // tariff (05:00–05:30): not counted. Counted earliest first: 05:30–09:00 = 7 half hours, 12:00–14:30 = 5 more
        // (12 = 6 h); 14:30–17:00 (5 half hours) stay at 30 p. 3 December's 01:00–02:00 is in the night window anyway.
        var result = DispatchPricing.Apply(TwoDays(), Schedule(TimeSpan.FromHours(6), Smart(5, 9), Smart(12, 17)), UkTime.Zone);

        Assert.Equal(12, result.OffPeakSlots.Count);
        Assert.Equal(s_midnight.AddHours(5.5), result.OffPeakSlots[0]);
        Assert.Equal(s_midnight.AddHours(14), result.OffPeakSlots[^1]);
        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => s_midnight.AddHours(14.5 + 0.5 * i))], result.CappedSlots);
        Assert.Equal(OffPeak, PriceAt(result, s_midnight.AddHours(14)));
        Assert.Equal(Peak, PriceAt(result, s_midnight.AddHours(14.5)));
        // The day's bill for the car's 9 h at 7 kW, hand worked: 12 half hours at 7 p + 5 at 30 p + 1 off-peak already.
        var pence = result.Rates.Where(r => r.StartUtc >= s_midnight.AddHours(5) && r.StartUtc < s_midnight.AddHours(17) && (r.StartUtc < s_midnight.AddHours(9) || r.StartUtc >= s_midnight.AddHours(12)))
            .Sum(r => r.Pence * 3.5);
        Assert.Equal((13 * OffPeak + 5 * Peak) * 3.5, pence, 9);
    }

    [Fact]
    public void The_cap_restarts_at_uk_midnight_not_utc_midnight()
    {
        // 30 June 2026 (BST): UK midnight is 23:00 UTC. Peak all day but 03:00–03:30 UTC; one dispatch 16:00–23:30 UTC
        // (15 half hours), a 6 h cap. 30 June UK: 16:00–23:00 UTC = 14 half hours, 12 cheap, 22:00 and 22:30 stay
        // peak; 23:00 UTC is 1 July UK: cheap (on a UTC day it would have been the 15th of 30 June, capped).
        var day = new DateTimeOffset(2026, 6, 30, 0, 0, 0, TimeSpan.Zero);
        var rates = Enumerable.Range(0, 96).Select(i => new Rate(day.AddMinutes(30 * i), day.AddMinutes(30 * i + 30), i % 48 == 6 ? OffPeak : Peak)).ToList();
        var schedule = new DispatchSchedule([new PlannedDispatch(day.AddHours(16), day.AddHours(23.5), DispatchKind.Smart)], day, TimeSpan.FromHours(6));

        var result = DispatchPricing.Apply(rates, schedule, UkTime.Zone);

        Assert.Equal(13, result.OffPeakSlots.Count);
        Assert.Equal([day.AddHours(22), day.AddHours(22.5)], result.CappedSlots);
        Assert.Contains(day.AddHours(23), result.OffPeakSlots);
    }

    [Fact]
    public void A_half_hour_without_a_published_rate_gets_none()
    {
        var rates = TwoDays().Where(r => r.StartUtc != s_midnight.AddHours(17)).ToList();

        var result = DispatchPricing.Apply(rates, Schedule(null, Smart(17, 18)), UkTime.Zone);

        Assert.Equal([s_midnight.AddHours(17.5)], result.OffPeakSlots);
        Assert.False(new RateSeries(result.Rates).TryGetAt(s_midnight.AddHours(17), out _));
    }
}
