using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Prices;

public class GapDetectorTests
{
    private static readonly TimeSpan s_slot = TimeSpan.FromMinutes(30);
    private static readonly DateTimeOffset s_t0 = new(2022, 10, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_complete_window_has_no_gaps()
    {
        var starts = Enumerable.Range(0, 48).Select(i => s_t0.AddMinutes(30 * i));
        Assert.Empty(GapDetector.FindMissing(starts, new TimeRange(s_t0, s_t0.AddDays(1)), s_slot));
    }

    [Fact]
    public void Missing_slots_coalesce_into_ranges()
    {
        // Lost 6 hours in the middle (slots 10..21) and the last two slots.
        var starts = Enumerable.Range(0, 48).Where(i => i is < 10 or (> 21 and < 46)).Select(i => s_t0.AddMinutes(30 * i));
        var gaps = GapDetector.FindMissing(starts, new TimeRange(s_t0, s_t0.AddDays(1)), s_slot);
        Assert.Equal([new TimeRange(s_t0.AddHours(5), s_t0.AddHours(11)), new TimeRange(s_t0.AddHours(23), s_t0.AddDays(1))], gaps);
    }

    [Fact]
    public void An_empty_store_is_one_gap_aligned_to_slots()
    {
        var gaps = GapDetector.FindMissing([], new TimeRange(s_t0.AddMinutes(10), s_t0.AddMinutes(70)), s_slot);
        Assert.Equal([new TimeRange(s_t0, s_t0.AddMinutes(90))], gaps);
    }
}
