using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Simulation;

/// <summary>The simulator's log messages (event ids 3020–3029, beside the Modbus adapter's 30xx).</summary>
internal static partial class Log
{
    [LoggerMessage(3020, LogLevel.Information, "Simulator: {What}")]
    public static partial void Simulator(this ILogger logger, string what);

    [LoggerMessage(3021, LogLevel.Debug, "Simulator: client {Client} dropped: {Reason}")]
    public static partial void ClientDropped(this ILogger logger, string client, string reason);
}
