using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Http;

/// <summary>Log messages of the HTTP adapters. None of them carries a secret: URLs hold no keys (Bearer headers do).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "{What}: {Failure}; attempt {Attempt} of {Attempts}, retrying in {Wait}")]
    public static partial void HttpRetrying(this ILogger logger, string what, string failure, int attempt, int attempts, TimeSpan wait);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Octopus {Kind} rate rejected: {Rejection}")]
    public static partial void RateRejected(this ILogger logger, string kind, string rejection);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Octopus {Kind} {Tariff}: {Count} valid rates from {Pages} page(s) for {Range}, {Rejected} rejected")]
    public static partial void RatesFetched(this ILogger logger, string kind, string tariff, int count, int pages, EdgeEnergy.Domain.Prices.TimeRange range, int rejected);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Solcast site {Site}: forecast point rejected: {Reason}")]
    public static partial void ForecastPointRejected(this ILogger logger, string site, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Information, Message = "Solcast site {Site}: {Endpoint} gave {Count} points")]
    public static partial void ForecastFetched(this ILogger logger, string site, string endpoint, int count);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Warning, Message = "Octopus {Direction} consumption item rejected: {Rejection}")]
    public static partial void ConsumptionRejected(this ILogger logger, string direction, string rejection);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Information, Message = "Octopus {Direction} consumption: {Count} half hours from {Pages} page(s) for {Range}, {Rejected} rejected")]
    public static partial void ConsumptionFetched(this ILogger logger, string direction, int count, int pages, EdgeEnergy.Domain.Prices.TimeRange range, int rejected);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Information, Message = "evcc {Command} sent: {Reason}")]
    public static partial void EvccCommandSent(this ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 4220, Level = LogLevel.Information, Message = "Octopus GraphQL token obtained, valid until {ExpiresUtc:O}")]
    public static partial void GraphQlTokenObtained(this ILogger logger, DateTimeOffset expiresUtc);

    [LoggerMessage(EventId = 4221, Level = LogLevel.Information, Message = "Octopus GraphQL refused the token; renewing it once")]
    public static partial void GraphQlTokenRefused(this ILogger logger);

    [LoggerMessage(EventId = 4222, Level = LogLevel.Warning, Message = "Octopus GraphQL answered with an error beside its data: {Error}")]
    public static partial void GraphQlPartialError(this ILogger logger, string error);

    [LoggerMessage(EventId = 4223, Level = LogLevel.Warning, Message = "Octopus dispatch skipped: {Reason}")]
    public static partial void DispatchSkipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 4224, Level = LogLevel.Warning, Message = "Octopus Saving Session skipped: {Reason}")]
    public static partial void SavingSessionSkipped(this ILogger logger, string reason);
}
