using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Prices;

public class AgilePublicationTests
{
    private static readonly TimeSpan s_afternoon = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_normal = TimeSpan.FromMinutes(30);

    [Theory]
    // GMT winter: before 16:00 the horizon is 23:00 today, after it 23:00 tomorrow.
    [InlineData("2024-01-10T15:59:00Z", "2024-01-10T23:00:00Z")]
    [InlineData("2024-01-10T16:00:00Z", "2024-01-11T23:00:00Z")]
    // BST summer: 16:00 UK is 15:00 UTC and 23:00 UK is 22:00 UTC.
    [InlineData("2024-07-10T14:59:00Z", "2024-07-10T22:00:00Z")]
    [InlineData("2024-07-10T15:00:00Z", "2024-07-11T22:00:00Z")]
    // Spring forward (2022-03-27 01:00 UTC): the day before publishes a 23-hour day ending 22:00 UTC.
    [InlineData("2022-03-26T16:30:00Z", "2022-03-27T22:00:00Z")]
    // Fall back (2022-10-30 01:00 UTC): publishes a 25-hour day ending 23:00 UTC.
    [InlineData("2022-10-29T15:30:00Z", "2022-10-30T23:00:00Z")]
    public void Expected_horizon_follows_uk_time(string now, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), AgilePublication.ExpectedHorizonEnd(DateTimeOffset.Parse(now)));
    }

    [Fact]
    public void From_four_pm_it_polls_every_few_minutes_until_tomorrow_is_in()
    {
        var now = DateTimeOffset.Parse("2024-01-10T16:07:00Z");
        Assert.Equal(s_afternoon, TariffKnowledge.Agile.PollInterval(now, DateTimeOffset.Parse("2024-01-10T23:00:00Z"), s_afternoon, s_normal));
        Assert.True(TariffKnowledge.Agile.IsFetchDue(now, now.AddMinutes(-5), DateTimeOffset.Parse("2024-01-10T23:00:00Z"), s_afternoon, s_normal));
        Assert.Equal(s_normal, TariffKnowledge.Agile.PollInterval(now, DateTimeOffset.Parse("2024-01-11T23:00:00Z"), s_afternoon, s_normal));
        Assert.False(TariffKnowledge.Agile.IsFetchDue(now, now.AddMinutes(-5), DateTimeOffset.Parse("2024-01-11T23:00:00Z"), s_afternoon, s_normal));
    }

    [Fact]
    public void Before_four_pm_it_polls_every_thirty_minutes()
    {
        var now = DateTimeOffset.Parse("2024-01-10T11:00:00Z");
        Assert.Equal(s_normal, TariffKnowledge.Agile.PollInterval(now, null, s_afternoon, s_normal));
        Assert.False(TariffKnowledge.Agile.IsFetchDue(now, now.AddMinutes(-29), null, s_afternoon, s_normal));
        Assert.True(TariffKnowledge.Agile.IsFetchDue(now, now.AddMinutes(-30), null, s_afternoon, s_normal));
        Assert.True(TariffKnowledge.Agile.IsFetchDue(now, null, null, s_afternoon, s_normal));
    }

    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Theory]
    // winter (GMT): before 16:00 only up to 23:00 today; from 16:00 up to 23:00 tomorrow
    [InlineData("2022-01-10T15:30:00Z", "2022-01-10T23:00:00Z")]
    [InlineData("2022-01-10T16:00:00Z", "2022-01-11T23:00:00Z")]
    [InlineData("2022-01-10T23:30:00Z", "2022-01-11T23:00:00Z")]
    [InlineData("2022-01-11T00:00:00Z", "2022-01-11T23:00:00Z")]
    // summer (BST = UTC+1): 16:00 UK is 15:00 UTC, 23:00 UK is 22:00 UTC
    [InlineData("2022-06-10T14:30:00Z", "2022-06-10T22:00:00Z")]
    [InlineData("2022-06-10T15:00:00Z", "2022-06-11T22:00:00Z")]
    // the day the clocks go forward (27 March 2022): 23:00 UK that evening is 22:00 UTC
    [InlineData("2022-03-26T16:00:00Z", "2022-03-27T22:00:00Z")]
    public void Prices_are_known_up_to_23_00_today_or_from_16_00_tomorrow(string now, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, null, System.Globalization.DateTimeStyles.AssumeUniversal),
            AgilePublication.KnownUntil(DateTimeOffset.Parse(now, null, System.Globalization.DateTimeStyles.AssumeUniversal), s_london));
    }

    [Theory]
    // Estimates reach 23:00 UK tomorrow, whatever the hour (from 16:00 that is published, unless Octopus is late)
    [InlineData("2022-01-10T09:00:00Z", "2022-01-11T23:00:00Z")]
    [InlineData("2022-01-10T23:30:00Z", "2022-01-11T23:00:00Z")]
    // 15:30 UK the day before the clocks go forward: tomorrow 23:00 BST, though 24 hours on it is already 16:30
    [InlineData("2022-03-26T15:30:00Z", "2022-03-27T22:00:00Z")]
    public void Estimates_reach_the_end_of_the_next_publication(string now, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, null, System.Globalization.DateTimeStyles.AssumeUniversal),
            AgilePublication.EstimatedUntil(DateTimeOffset.Parse(now, null, System.Globalization.DateTimeStyles.AssumeUniversal), s_london));
    }
}
