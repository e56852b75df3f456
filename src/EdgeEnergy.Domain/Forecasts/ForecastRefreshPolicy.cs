using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Domain.Forecasts;

/// <summary>What a forecast refresh should fetch now.</summary>
public sealed record ForecastRefreshDecision(bool FetchForecasts, bool FetchActuals, string Reason);

/// <summary>
/// Spends a daily API call budget at sensible UK times. Forecast refreshes happen at the configured local times (by
/// default early morning, mid-morning, midday and just before the 16:00 price publication and afternoon plan);
/// estimated actuals once in the evening and only with calls to spare after the remaining forecast refreshes of the
/// day. A refresh costs one call per site and endpoint. Pure: the caller supplies the counts.
/// </summary>
public static class ForecastRefreshPolicy
{
    public static ForecastRefreshDecision Decide(
        DateTimeOffset nowUtc,
        DateTimeOffset? lastForecastUtc,
        DateTimeOffset? lastActualsUtc,
        IReadOnlyList<TimeOnly> forecastTimesLocal,
        IReadOnlyList<TimeOnly> actualsTimesLocal,
        int sites,
        int callsUsedToday,
        int dailyBudget,
        TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(forecastTimesLocal);
        ArgumentNullException.ThrowIfNull(actualsTimesLocal);
        ArgumentNullException.ThrowIfNull(zone);
        var remaining = dailyBudget - callsUsedToday;
        if (sites <= 0)
        {
            return new ForecastRefreshDecision(false, false, "no sites configured");
        }

        var forecastDue = lastForecastUtc is null || IsDue(nowUtc, lastForecastUtc.Value, forecastTimesLocal, zone);
        if (forecastDue)
        {
            return remaining >= sites
                ? new ForecastRefreshDecision(true, false, lastForecastUtc is null ? "no forecast stored yet" : "scheduled forecast refresh")
                : new ForecastRefreshDecision(false, false, $"forecast refresh due but only {Math.Max(0, remaining)} of {dailyBudget} calls left today");
        }

        var actualsDue = actualsTimesLocal.Count > 0 && (lastActualsUtc is null ? IsPastFirst(nowUtc, actualsTimesLocal, zone) : IsDue(nowUtc, lastActualsUtc.Value, actualsTimesLocal, zone));
        if (actualsDue)
        {
            var reserved = RemainingSlotsToday(nowUtc, forecastTimesLocal, zone) * sites;
            return remaining - reserved >= sites
                ? new ForecastRefreshDecision(false, true, "scheduled estimated-actuals refresh")
                : new ForecastRefreshDecision(false, false, "estimated actuals skipped: the calls left are kept for today's forecast refreshes");
        }

        return new ForecastRefreshDecision(false, false, "nothing due");
    }

    /// <summary>True when a scheduled time has passed since <paramref name="lastUtc"/>.</summary>
    private static bool IsDue(DateTimeOffset nowUtc, DateTimeOffset lastUtc, IReadOnlyList<TimeOnly> timesLocal, TimeZoneInfo zone) =>
        MostRecentScheduled(nowUtc, timesLocal, zone) is { } scheduled && lastUtc < scheduled;

    private static bool IsPastFirst(DateTimeOffset nowUtc, IReadOnlyList<TimeOnly> timesLocal, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(nowUtc, zone).DateTime);
        return timesLocal.Any(t => At(today, t, zone) <= nowUtc);
    }

    private static DateTimeOffset? MostRecentScheduled(DateTimeOffset nowUtc, IReadOnlyList<TimeOnly> timesLocal, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(nowUtc, zone).DateTime);
        DateTimeOffset? best = null;
        foreach (var day in new[] { today.AddDays(-1), today })
        {
            foreach (var time in timesLocal)
            {
                var at = At(day, time, zone);
                if (at <= nowUtc && (best is null || at > best))
                {
                    best = at;
                }
            }
        }

        return best;
    }

    private static int RemainingSlotsToday(DateTimeOffset nowUtc, IReadOnlyList<TimeOnly> timesLocal, TimeZoneInfo zone)
    {
        // The budget resets at 00:00 UTC, so "today" is the UTC day.
        var endOfUtcDay = new DateTimeOffset(nowUtc.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var localToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(nowUtc, zone).DateTime);
        return new[] { localToday, localToday.AddDays(1) }
            .SelectMany(d => timesLocal.Select(t => At(d, t, zone)))
            .Count(at => at > nowUtc && at < endOfUtcDay);
    }

    private static DateTimeOffset At(DateOnly day, TimeOnly time, TimeZoneInfo zone) => UkTime.ToUtc(day, time, zone);
}
