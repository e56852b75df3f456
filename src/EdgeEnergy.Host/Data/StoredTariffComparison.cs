using System.Text.Json;
using EdgeEnergy.Backtest;
using EdgeEnergy.Domain;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Host.Data;

/// <summary>
/// The last <c>edgeenergy tariffs compare --save</c> run, as kept in the store's settings for the dashboard's compare
/// page (<c>/api/v1/tariffs/compare</c>): the contract's pairs (pence) and what they were computed on.
/// </summary>
/// <param name="RanUtc">When the run finished.</param>
/// <param name="FromUtc">The history's first half hour.</param>
/// <param name="ToUtc">The end of its last half hour.</param>
/// <param name="Slots">Half hours replayed per pair.</param>
/// <param name="Region">The GSP region letter whose tariffs were compared.</param>
/// <param name="History">The history file's name (no directory).</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Pairs">Each import × export pair, in the order run.</param>
internal sealed record StoredTariffComparison(
    DateTimeOffset RanUtc, DateTimeOffset FromUtc, DateTimeOffset ToUtc, int Slots, string Region, string History, double Seconds, IReadOnlyList<TariffPairResult> Pairs)
{
    /// <summary>The settings key it is kept under.</summary>
    public const string Key = "tariffs.compare.last";

    private static readonly JsonSerializerOptions s_json = HostJsonContext.WebOptions();

    public Task SaveAsync(ISettingsStore settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.SetAsync(Key, JsonSerializer.Serialize(this, s_json.For<StoredTariffComparison>()), cancellationToken);
    }

    /// <summary>The last run kept, or null when there is none; a value that cannot be read is an <see cref="InvalidDataException"/> naming the key.</summary>
    public static async Task<StoredTariffComparison?> LoadAsync(ISettingsStore settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (await settings.GetAsync(Key, cancellationToken) is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, s_json.For<StoredTariffComparison>()) is { Pairs: not null } stored
                ? stored
                : throw new InvalidDataException($"the stored setting '{Key}' holds no comparison");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored setting '{Key}' is not a comparison: {e.Message}", e);
        }
    }
}
