namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>
/// Persists the one current override so it survives a restart (SQLite in the service). Times are UTC; powers W
/// (positive, direction from the mode); SoC %.
/// </summary>
public interface IOverrideStore
{
    /// <summary>The stored override, or null when none is stored. Expired ones are returned as stored.</summary>
    Task<Override?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="value"/> replacing any previous one; null clears it. Atomic.</summary>
    Task SaveAsync(Override? value, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IOverrideStore"/> kept in memory: for tests and for a demo without a data folder.</summary>
public sealed class InMemoryOverrideStore : IOverrideStore
{
    private Override? _value;

    public Task<Override?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Volatile.Read(ref _value));

    public Task SaveAsync(Override? value, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _value, value);
        return Task.CompletedTask;
    }
}
