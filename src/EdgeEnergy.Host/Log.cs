using EdgeEnergy.Host.Web;

namespace EdgeEnergy.Host;

/// <summary>The host's log messages (source-generated). Event ids: 7xxx web.</summary>
internal static partial class Log
{
    [LoggerMessage(7001, LogLevel.Information, "Dashboard, API and /metrics listening on {Urls}; bearer token {TokenState}")]
    public static partial void WebListening(this ILogger logger, string urls, string tokenState);

    [LoggerMessage(7002, LogLevel.Information, "Price refresh requested over the API: succeeded={Succeeded}, {SlotsStored} slots stored: {Message}")]
    public static partial void PriceRefreshRequested(this ILogger<PriceRefreshGate> logger, bool succeeded, int slotsStored, string message);

    [LoggerMessage(7003, LogLevel.Error, "Price refresh requested over the API failed")]
    public static partial void PriceRefreshFailed(this ILogger<PriceRefreshGate> logger, Exception exception);
}
