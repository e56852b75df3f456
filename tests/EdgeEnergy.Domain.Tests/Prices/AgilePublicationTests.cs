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
        Assert.Equal(s_afternoon, AgilePublication.PollInterval(now, DateTimeOffset.Parse("2024-01-10T23:00:00Z"), s_afternoon, s_normal));
        Assert.True(AgilePublication.IsFetchDue(now, now.AddMinutes(-5), DateTimeOffset.Parse("2024-01-10T23:00:00Z"), s_afternoon, s_normal));
        Assert.Equal(s_normal, AgilePublication.PollInterval(now, DateTimeOffset.Parse("2024-01-11T23:00:00Z"), s_afternoon, s_normal));
        Assert.False(AgilePublication.IsFetchDue(now, now.AddMinutes(-5), DateTimeOffset.Parse("2024-01-11T23:00:00Z"), s_afternoon, s_normal));
    }

    [Fact]
    public void Before_four_pm_it_polls_every_thirty_minutes()
    {
        var now = DateTimeOffset.Parse("2024-01-10T11:00:00Z");
        Assert.Equal(s_normal, AgilePublication.PollInterval(now, null, s_afternoon, s_normal));
        Assert.False(AgilePublication.IsFetchDue(now, now.AddMinutes(-29), null, s_afternoon, s_normal));
        Assert.True(AgilePublication.IsFetchDue(now, now.AddMinutes(-30), null, s_afternoon, s_normal));
        Assert.True(AgilePublication.IsFetchDue(now, null, null, s_afternoon, s_normal));
    }
}
