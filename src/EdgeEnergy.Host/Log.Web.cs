using EdgeEnergy.Host.Web;

namespace EdgeEnergy.Host;

/// <summary>Log messages of the host: this part holds the web side (event ids 4700–4799).</summary>
internal static partial class Log
{
    [LoggerMessage(4700, LogLevel.Information, "Dashboard, API and /metrics listening on {Urls}; bearer token {TokenState}")]
    public static partial void WebListening(this ILogger logger, string urls, string tokenState);

    [LoggerMessage(4701, LogLevel.Information, "Price refresh requested over the API: succeeded={Succeeded}, {SlotsStored} slots stored: {Message}")]
    public static partial void PriceRefreshRequested(this ILogger<PriceRefreshGate> logger, bool succeeded, int slotsStored, string message);

    [LoggerMessage(4702, LogLevel.Error, "Price refresh requested over the API failed")]
    public static partial void PriceRefreshFailed(this ILogger<PriceRefreshGate> logger, Exception exception);

    [LoggerMessage(4703, LogLevel.Information, "Metrics pushed to VictoriaMetrics at {Url} as site '{SiteId}'")]
    public static partial void FleetMetricsPushing(this ILogger<FleetMetricsPusher> logger, string url, string siteId);

    [LoggerMessage(4704, LogLevel.Warning, "Fleet metrics push failing: {Problem}; the appliance goes on, the next push carries the totals")]
    public static partial void FleetMetricsFailing(this ILogger<FleetMetricsPusher> logger, string problem);
}
