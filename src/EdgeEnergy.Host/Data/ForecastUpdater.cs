using System.Globalization;
using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Data;

/// <summary>What one forecast update did.</summary>
internal sealed record ForecastUpdateResult(string Decision, int ForecastSites, int ActualSites, int CallsUsedToday, IReadOnlyList<string> Errors);

/// <summary>
/// Refreshes Solcast forecasts and estimated actuals when <see cref="ForecastRefreshPolicy"/> says so. Everything it
/// decides on is read from the store (latest forecast per site, calls spent today, Retry-After), so a restart spends
/// no calls and never exceeds <c>Solcast:DailyCallBudget</c>.
/// </summary>
internal sealed class ForecastUpdater(
    IPvForecastSource source,
    IPvForecastStore store,
    IApiCallLedger ledger,
    ISettingsStore settings,
    IOptions<SolcastOptions> options,
    TimeProvider timeProvider,
    ILogger<ForecastUpdater> logger,
    IReplanRequester? replan = null)
{
    internal const string BlockedUntilKey = "solcast.blocked_until_utc";
    internal const string LastActualsKey = "solcast.last_actuals_utc";

    public async Task<ForecastUpdateResult> UpdateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var sites = o.SiteIds;
        var now = timeProvider.GetUtcNow();
        var used = await ledger.CountTodayAsync(SolcastForecastSource.LedgerApi, now, cancellationToken);
        if (sites.Count == 0)
        {
            return new ForecastUpdateResult("Solcast:Sites not configured", 0, 0, used, []);
        }

        if (await ReadTimeAsync(BlockedUntilKey, cancellationToken) is { } blocked && blocked > now)
        {
            return new ForecastUpdateResult($"Solcast asked us to wait until {blocked:O}", 0, 0, used, []);
        }

        DateTimeOffset? lastForecast = null;
        foreach (var site in sites)
        {
            var latest = await store.GetLatestForecastAsync(site, cancellationToken);
            if (latest is null)
            {
                lastForecast = null;
                break;
            }

            lastForecast = lastForecast is null || latest.IssuedUtc < lastForecast ? latest.IssuedUtc : lastForecast;
        }

        var lastActuals = await ReadTimeAsync(LastActualsKey, cancellationToken);
        var decision = ForecastRefreshPolicy.Decide(now, lastForecast, lastActuals, o.ForecastTimesLocal, o.EstimatedActualsTimesLocal, sites.Count, used, o.DailyCallBudget, UkTime.Zone);
        logger.ForecastDecision(decision.Reason, used, o.DailyCallBudget);
        var errors = new List<string>();
        int forecastSites = 0, actualSites = 0;
        foreach (var site in sites)
        {
            try
            {
                if (decision.FetchForecasts)
                {
                    var points = await source.FetchForecastAsync(site, cancellationToken);
                    await store.SaveForecastAsync(new PvForecast(site, now, points), cancellationToken);
                    forecastSites++;
                }

                if (decision.FetchActuals)
                {
                    var actuals = await source.FetchEstimatedActualsAsync(site, cancellationToken);
                    await store.SaveActualsAsync(site, actuals, cancellationToken);
                    actualSites++;
                }
            }
            catch (ForecastSourceException e)
            {
                errors.Add($"site {site}: {e.Message}");
                logger.ForecastFetchFailed(site, e.Message);
                if (e.RetryAfterUtc is { } retryAfter)
                {
                    await settings.SetAsync(BlockedUntilKey, retryAfter.ToString("O", CultureInfo.InvariantCulture), cancellationToken);
                    break;
                }
            }
        }

        if (actualSites > 0)
        {
            await settings.SetAsync(LastActualsKey, now.ToString("O", CultureInfo.InvariantCulture), cancellationToken);
        }

        if (forecastSites > 0 && replan is not null)
        {
            await replan.RequestReplanAsync(PlanningTrigger.NewForecast, cancellationToken);
        }

        used = await ledger.CountTodayAsync(SolcastForecastSource.LedgerApi, now, cancellationToken);
        return new ForecastUpdateResult(decision.Reason, forecastSites, actualSites, used, errors);
    }

    private async Task<DateTimeOffset?> ReadTimeAsync(string key, CancellationToken cancellationToken) =>
        await settings.GetAsync(key, cancellationToken) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            ? value
            : null;
}
