using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Mqtt;

/// <summary>Every log message of the MQTT adapter (event ids 6000–6099).</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "MQTT connected to {Host}:{Port} as {ClientId}")]
    public static partial void Connected(this ILogger logger, string host, int port, string clientId);

    [LoggerMessage(6001, LogLevel.Warning, "MQTT connection to {Host}:{Port} failed: {Reason}; retrying in {RetrySeconds} s")]
    public static partial void ConnectFailed(this ILogger logger, string host, int port, string reason, double retrySeconds);

    [LoggerMessage(6002, LogLevel.Warning, "MQTT connection lost (ping failed or socket closed); reconnecting")]
    public static partial void ConnectionLost(this ILogger logger);

    [LoggerMessage(6003, LogLevel.Information, "Home Assistant announced itself on {Topic}; re-publishing discovery and state")]
    public static partial void HomeAssistantOnline(this ILogger logger, string topic);

    [LoggerMessage(6004, LogLevel.Warning, "Rejected command on {Topic}: {Reason}")]
    public static partial void CommandRejected(this ILogger logger, string topic, string reason);

    [LoggerMessage(6005, LogLevel.Information, "Applied command on {Topic}: {Payload}")]
    public static partial void CommandApplied(this ILogger logger, string topic, string payload);

    [LoggerMessage(6006, LogLevel.Error, "Command on {Topic} failed while being applied")]
    public static partial void CommandFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(6007, LogLevel.Debug, "Publish to {Topic} failed: {Reason}")]
    public static partial void PublishFailed(this ILogger logger, string topic, string reason);

    [LoggerMessage(6008, LogLevel.Information, "Published Home Assistant discovery: {Entities} entities, {Removed} removed")]
    public static partial void DiscoveryPublished(this ILogger logger, int entities, int removed);

    [LoggerMessage(6009, LogLevel.Error, "MQTT loop error; continuing")]
    public static partial void LoopError(this ILogger logger, Exception exception);

    [LoggerMessage(6010, LogLevel.Information, "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    public static partial void EmbeddedBrokerStarted(this ILogger logger, int port);

    [LoggerMessage(6011, LogLevel.Information, "MQTT stopped; availability set to offline")]
    public static partial void Stopped(this ILogger logger);

    [LoggerMessage(6012, LogLevel.Information, "Home Assistant went {Payload} ({Topic})")]
    public static partial void HomeAssistantStatus(this ILogger logger, string topic, string payload);

    [LoggerMessage(6013, LogLevel.Debug, "Embedded MQTT broker: assigned client id {ClientId} to an MQTT 3.1.1 client from {Endpoint} that sent none")]
    public static partial void ClientIdAssigned(this ILogger logger, string clientId, string? endpoint);

    [LoggerMessage(6050, LogLevel.Information, "Fleet broker connected: {Host}:{Port} as site {SiteId}")]
    public static partial void FleetConnected(this ILogger logger, string host, int port, string siteId);

    [LoggerMessage(6051, LogLevel.Warning, "Fleet broker: {Problem}; state waits in the queue, retrying")]
    public static partial void FleetUnreachable(this ILogger logger, string problem);

    [LoggerMessage(6052, LogLevel.Debug, "Fleet publish failed: {Reason}; the state stays queued")]
    public static partial void FleetPublishFailed(this ILogger logger, string reason);

    [LoggerMessage(6053, LogLevel.Information, "Applied fleet command {Command}: {Payload}")]
    public static partial void FleetCommandApplied(this ILogger logger, string command, string payload);

    [LoggerMessage(6054, LogLevel.Warning, "Refused fleet command {Command}: {Reason}")]
    public static partial void FleetCommandRejected(this ILogger logger, string command, string reason);

    [LoggerMessage(6055, LogLevel.Error, "Fleet command on {Topic} failed while being applied")]
    public static partial void FleetCommandFailed(this ILogger logger, string topic, Exception exception);
}
