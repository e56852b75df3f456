using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Adapters.Http.HomeAssistant;

/// <summary>
/// A relay that is a Home Assistant entity (<c>switch.*</c>, <c>input_boolean.*</c>): <c>turn_on</c>/<c>turn_off</c> in the
/// entity's own domain; read back from its state, where anything but <c>on</c>/<c>off</c> is an error naming the entity.
/// </summary>
public sealed class HomeAssistantSwitch(string entityId, IEntityStateReader states, IEntityServiceCaller services) : ISwitchedOutput
{
    /// <summary>The relay address prefix: <c>homeassistant://switch.immersion</c>.</summary>
    public const string Scheme = "homeassistant://";

    public string EntityId { get; } = IsEntityId(entityId)
        ? entityId!
        : throw new FormatException($"'{entityId}' is not an entity id like switch.immersion");

    public static bool IsEntityId(string? value) => value is not null && HomeAssistantOptions.EntityIdPattern().IsMatch(value);

    public Task SetAsync(bool energised, CancellationToken cancellationToken) =>
        services.CallServiceAsync(EntityId[..EntityId.IndexOf('.', StringComparison.Ordinal)], energised ? "turn_on" : "turn_off",
            new Dictionary<string, object> { ["entity_id"] = EntityId }, cancellationToken);

    public async Task<bool> GetAsync(CancellationToken cancellationToken)
    {
        var reading = await states.ReadAsync(EntityId, cancellationToken);
        return reading.RawState switch
        {
            "on" => true,
            "off" => false,
            _ => throw new HomeAutomationException($"{EntityId} is '{reading.RawState}', neither on nor off"),
        };
    }
}
