using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Prices;

public sealed class TariffExpansionTests
{
    private static readonly TimeSpan s_slot = TimeSpan.FromMinutes(30);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    [Fact]
    public void An_open_ended_row_runs_to_the_requested_end_and_no_further()
    {
        var range = new TimeRange(Utc("2022-06-01T00:00:00Z"), Utc("2022-06-02T00:00:00Z"));
        var rejected = new List<RateRejection>();
        var slots = TariffExpansion.ToSlots([new TariffRow(Utc("2020-01-01T00:00:00Z"), null, 15)], range, rejected);
        Assert.Equal(48, slots.Count);
        Assert.Equal(range.FromUtc, slots[0].StartUtc);
        Assert.Equal(range.ToUtc, slots[^1].EndUtc);
        Assert.All(slots, s => Assert.Equal(15, s.Pence));
        Assert.Empty(rejected);
    }

    [Fact]
    public void A_window_row_across_the_fall_back_hour_gives_one_slot_per_real_half_hour()
    {
        // 30 October 2022: 00:30 BST (23:30Z on the 29th) to 05:30 GMT is six hours, not five: twelve slots.
        var from = UkTime.ToUtc(new DateOnly(2022, 10, 30), new TimeOnly(0, 30));
        var to = UkTime.ToUtc(new DateOnly(2022, 10, 30), new TimeOnly(5, 30));
        var slots = TariffExpansion.ToSlots([new TariffRow(from, to, 7.5)], new TimeRange(from.AddDays(-1), to.AddDays(1)), new List<RateRejection>());
        Assert.Equal(12, slots.Count);
        Assert.Equal(slots.Select((s, i) => from + (s_slot * i)), slots.Select(s => s.StartUtc));
    }

    [Fact]
    public void A_row_off_the_half_hour_grid_is_rejected_not_rounded()
    {
        var rejected = new List<RateRejection>();
        var slots = TariffExpansion.ToSlots([new TariffRow(Utc("2022-06-01T00:15:00Z"), Utc("2022-06-01T02:00:00Z"), 9)],
            new TimeRange(Utc("2022-06-01T00:00:00Z"), Utc("2022-06-02T00:00:00Z")), rejected);
        Assert.Empty(slots);
        Assert.Contains("not on the half-hour grid", Assert.Single(rejected).Reason);
    }

    [Fact]
    public void Overlapping_rows_with_different_prices_leave_the_slot_out_after_validation()
    {
        var range = new TimeRange(Utc("2022-06-01T00:00:00Z"), Utc("2022-06-01T02:00:00Z"));
        var slots = TariffExpansion.ToSlots(
            [new TariffRow(Utc("2022-06-01T00:00:00Z"), Utc("2022-06-01T01:00:00Z"), 10), new TariffRow(Utc("2022-06-01T00:30:00Z"), Utc("2022-06-01T02:00:00Z"), 20)],
            range, new List<RateRejection>());
        var valid = RateValidator.Validate(slots);
        Assert.Equal([10.0, 20.0, 20.0], valid.Valid.Select(r => r.Pence));
        Assert.Contains(valid.Rejected, r => r.Reason.Contains("conflicting duplicate"));
    }

    [Fact]
    public void Two_registers_that_both_cover_a_slot_split_by_the_night_hours()
    {
        var range = new TimeRange(Utc("2022-06-01T00:00:00Z"), Utc("2022-06-02T00:00:00Z"));
        var day = TariffExpansion.ToSlots([new TariffRow(range.FromUtc, null, 30)], range, new List<RateRejection>());
        var night = TariffExpansion.ToSlots([new TariffRow(range.FromUtc, null, 12)], range, new List<RateRejection>());
        var merged = TariffExpansion.Registers(day, night, new DailyWindow(new TimeOnly(0, 30), new TimeOnly(7, 30)));
        Assert.Equal(48, merged.Count);
        Assert.Equal(14, merged.Count(r => r.Pence == 12));
        Assert.Equal(30, merged[0].Pence);
        Assert.Equal(12, merged[1].Pence);
        Assert.Equal(30, merged[15].Pence);
    }

    [Fact]
    public void Standing_charges_count_each_uk_day_once_and_change_with_their_rows()
    {
        // 26 March → 3 April 2022 (UK days, the clocks change on the 27th): six days at 25 p, then two at 45 p from 1 April.
        var range = new TimeRange(UkTime.ToUtc(new DateOnly(2022, 3, 26), TimeOnly.MinValue), UkTime.ToUtc(new DateOnly(2022, 4, 3), TimeOnly.MinValue));
        var change = UkTime.ToUtc(new DateOnly(2022, 4, 1), TimeOnly.MinValue);
        var total = TariffExpansion.StandingPence([new TariffRow(Utc("2021-01-01T00:00:00Z"), change, 25), new TariffRow(change, null, 45)], range, UkTime.Zone);
        Assert.Equal((6 * 25) + (2 * 45), total);
    }

    [Fact]
    public void A_day_without_a_standing_charge_is_an_error_naming_it_not_zero()
    {
        var range = new TimeRange(UkTime.ToUtc(new DateOnly(2022, 3, 1), TimeOnly.MinValue), UkTime.ToUtc(new DateOnly(2022, 3, 3), TimeOnly.MinValue));
        var e = Assert.Throws<ArgumentException>(() => TariffExpansion.StandingPence([new TariffRow(UkTime.ToUtc(new DateOnly(2022, 3, 2), TimeOnly.MinValue), null, 40)], range, UkTime.Zone));
        Assert.Contains("2022-03-01", e.Message);
    }

    [Theory]
    [InlineData("00:30-07:30", true)]
    [InlineData("22:00-02:00", true)]
    [InlineData("7:30", false)]
    [InlineData("01:00-01:00", false)]
    public void Daily_windows_parse_only_hh_mm_pairs(string text, bool ok) => Assert.Equal(ok, DailyWindow.TryParse(text, out _));
}
