namespace EdgeEnergy.Domain.Fallback;

/// <summary>
/// One entity's state as the home automation system reports it. <see cref="Value"/> is the state parsed as a number
/// in the entity's own unit (<see cref="Unit"/>, e.g. W, %), or null when it is not numeric; <see cref="Available"/>
/// is false for <c>unavailable</c> and <c>unknown</c>.
/// </summary>
public sealed record EntityReading(string EntityId, string RawState, double? Value, bool Available, string? Unit, DateTimeOffset? LastUpdatedUtc);

/// <summary>Reads entity states of the fallback path (Home Assistant). Throws <see cref="HomeAutomationException"/> on failure.</summary>
public interface IEntityStateReader
{
    Task<EntityReading> ReadAsync(string entityId, CancellationToken cancellationToken);
}

/// <summary>
/// Calls a service of the fallback path, e.g. domain <c>select</c>, service <c>select_option</c>, data
/// <c>{ entity_id, option }</c>; or <c>number.set_value</c> with <c>value</c> in the entity's unit (W for power numbers).
/// </summary>
public interface IEntityServiceCaller
{
    Task CallServiceAsync(string domain, string service, IReadOnlyDictionary<string, object> data, CancellationToken cancellationToken);
}

/// <summary>The home automation system could not be read or refused a call; the message names the entity or service.</summary>
public sealed class HomeAutomationException : Exception
{
    public HomeAutomationException()
    {
    }

    public HomeAutomationException(string message)
        : base(message)
    {
    }

    public HomeAutomationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
