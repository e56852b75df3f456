using EdgeEnergy.Control.Backtest;

namespace EdgeEnergy.Control.Tests.Backtest;

public class AgilePublicationTests
{
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
}
