using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Gpio;

/// <summary>Every log message of the GPIO adapter (event ids 3100-3199).</summary>
internal static partial class Log
{
    [LoggerMessage(3100, LogLevel.Information, "{Key}: {Relay} opened as an output, driven off")]
    public static partial void GpioRelayOpened(this ILogger logger, string key, string relay);

    [LoggerMessage(3101, LogLevel.Information, "{Key}: {Relay} driven off and released")]
    public static partial void GpioRelayReleased(this ILogger logger, string key, string relay);

    [LoggerMessage(3102, LogLevel.Error, "{Key}: {Relay} could not be driven off and released: {Reason}")]
    public static partial void GpioRelayReleaseFailed(this ILogger logger, string key, string relay, string reason);
}
