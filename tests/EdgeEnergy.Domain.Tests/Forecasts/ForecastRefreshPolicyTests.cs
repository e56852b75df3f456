using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Tests.Forecasts;

public class ForecastRefreshPolicyTests
{
    private static readonly TimeOnly[] s_forecastTimes = [new(4, 30), new(9, 30), new(12, 30), new(15, 30)];
    private static readonly TimeOnly[] s_actualsTimes = [new(21, 30)];

    private static ForecastRefreshDecision Decide(string now, string? lastForecast, string? lastActuals, int sites, int used, int budget = 10) =>
        ForecastRefreshPolicy.Decide(DateTimeOffset.Parse(now), lastForecast is null ? null : DateTimeOffset.Parse(lastForecast),
            lastActuals is null ? null : DateTimeOffset.Parse(lastActuals), s_forecastTimes, s_actualsTimes, sites, used, budget, UkTime.Zone);

    [Fact]
    public void A_cold_start_fetches_at_once()
    {
        Assert.True(Decide("2024-01-10T02:00:00Z", null, null, 1, 0).FetchForecasts);
    }

    [Fact]
    public void A_restart_with_a_fresh_forecast_spends_nothing()
    {
        var d = Decide("2024-01-10T10:00:00Z", "2024-01-10T09:31:00Z", "2024-01-09T21:31:00Z", 2, 4);
        Assert.False(d.FetchForecasts);
        Assert.False(d.FetchActuals);
    }

    [Fact]
    public void Each_scheduled_uk_time_triggers_one_refresh()
    {
        // 15:30 BST is 14:30 UTC.
        Assert.False(Decide("2024-07-10T14:29:00Z", "2024-07-10T11:31:00Z", null, 1, 3).FetchForecasts);
        Assert.True(Decide("2024-07-10T14:30:00Z", "2024-07-10T11:31:00Z", null, 1, 3).FetchForecasts);
    }

    [Fact]
    public void A_refresh_that_would_exceed_the_budget_is_skipped()
    {
        var d = Decide("2024-01-10T15:31:00Z", "2024-01-10T12:31:00Z", null, 2, 9);
        Assert.False(d.FetchForecasts);
        Assert.Contains("calls left", d.Reason);
    }

    [Fact]
    public void Estimated_actuals_only_use_calls_not_needed_by_the_remaining_forecasts()
    {
        // 21:30 UK, all four forecasts done with two sites: 8 used, 2 left, none reserved → actuals fetched.
        Assert.True(Decide("2024-01-10T21:31:00Z", "2024-01-10T15:31:00Z", null, 2, 8).FetchActuals);
        // Nine used: one call left, two needed.
        Assert.False(Decide("2024-01-10T21:31:00Z", "2024-01-10T15:31:00Z", null, 2, 9).FetchActuals);
    }
}
