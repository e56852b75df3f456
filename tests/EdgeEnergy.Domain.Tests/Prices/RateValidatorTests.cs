using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests.Prices;

public class RateValidatorTests
{
    private static readonly DateTimeOffset s_t0 = new(2022, 3, 27, 0, 0, 0, TimeSpan.Zero);

    private static Rate Slot(int index, double pence) => new(s_t0.AddMinutes(30 * index), s_t0.AddMinutes(30 * (index + 1)), pence);

    [Fact]
    public void Real_spring_forward_day_is_kept_whole()
    {
        var rates = FixtureData.AgileCsv("agile_import_J_2022-03-25_28.csv");
        var result = RateValidator.Validate(rates.Reverse());
        Assert.Equal(rates.Count, result.Valid.Count);
        Assert.Empty(result.Rejected);
        Assert.Empty(result.Gaps);
        Assert.Equal(rates.Select(r => r.StartUtc), result.Valid.Select(r => r.StartUtc));
    }

    [Fact]
    public void NaN_and_infinite_prices_are_rejected_and_never_become_zero()
    {
        var result = RateValidator.Validate([Slot(0, 10), Slot(1, double.NaN), Slot(2, double.PositiveInfinity), Slot(3, 12)]);
        Assert.Equal([10.0, 12.0], result.Valid.Select(r => r.Pence));
        Assert.Equal(2, result.Rejected.Count);
        Assert.All(result.Rejected, r => Assert.Contains("not a finite number", r.Reason));
        Assert.DoesNotContain(result.Valid, r => r.Pence == 0);
    }

    [Fact]
    public void Absurd_prices_are_rejected_with_the_range_in_the_reason()
    {
        var result = RateValidator.Validate([Slot(0, 9999), Slot(1, -500), Slot(2, -20.5), Slot(3, 99.9)]);
        Assert.Equal([-20.5, 99.9], result.Valid.Select(r => r.Pence));
        Assert.All(result.Rejected, r => Assert.Contains("absurd price", r.Reason));
    }

    [Fact]
    public void Identical_duplicates_keep_one_copy()
    {
        var result = RateValidator.Validate([Slot(0, 10), Slot(0, 10), Slot(1, 11)]);
        Assert.Equal(2, result.Valid.Count);
        Assert.Single(result.Rejected, r => r.Reason.Contains("duplicate"));
    }

    [Fact]
    public void Conflicting_duplicates_drop_every_copy_of_that_slot()
    {
        var result = RateValidator.Validate([Slot(0, 10), Slot(1, 11), Slot(1, 30), Slot(1, 11), Slot(2, 12)]);
        Assert.Equal([s_t0, s_t0.AddMinutes(60)], result.Valid.Select(r => r.StartUtc));
        var rejected = result.Rejected.Where(r => r.StartUtc == s_t0.AddMinutes(30)).ToList();
        Assert.Equal(2, rejected.Count);
        Assert.Contains("11 p and 30 p", rejected[0].Reason);
        Assert.Single(result.Gaps);
    }

    [Fact]
    public void Slots_that_are_not_thirty_minutes_or_off_boundary_are_rejected()
    {
        var hour = new Rate(s_t0, s_t0.AddHours(1), 10);
        var offset = new Rate(s_t0.AddMinutes(15), s_t0.AddMinutes(45), 10);
        var backwards = new Rate(s_t0.AddMinutes(30), s_t0, 10);
        var result = RateValidator.Validate([hour, offset, backwards, Slot(4, 1)]);
        Assert.Single(result.Valid);
        Assert.Contains(result.Rejected, r => r.Reason.Contains("lasts 60 minutes"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("boundary"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("before it starts"));
    }

    [Fact]
    public void Local_offsets_are_rejected_because_the_adapter_must_convert_to_utc()
    {
        var bst = new DateTimeOffset(2022, 6, 1, 1, 0, 0, TimeSpan.FromHours(1));
        var result = RateValidator.Validate([new Rate(bst, bst.AddMinutes(30), 10)]);
        Assert.Empty(result.Valid);
        Assert.Contains("not UTC", result.Rejected[0].Reason);
    }

    [Fact]
    public void Gaps_between_kept_rates_are_reported_and_the_valid_part_kept()
    {
        var result = RateValidator.Validate([Slot(0, 1), Slot(1, 2), Slot(5, 3), Slot(6, 4)]);
        Assert.Equal(4, result.Valid.Count);
        Assert.Equal([new TimeRange(s_t0.AddMinutes(60), s_t0.AddMinutes(150))], result.Gaps);
    }
}
