using System.Collections.Concurrent;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Testing;

/// <summary>The settings store in memory, for tests of what is stored and read back across a "restart".</summary>
public sealed class MemorySettings : ISettingsStore
{
    public ConcurrentDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult(Values.TryGetValue(key, out var v) ? v : null);

    public Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        Values[key] = value;
        return Task.CompletedTask;
    }
}
