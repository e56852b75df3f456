using System.Collections.Concurrent;
using EdgeEnergy.Domain.History;

namespace EdgeEnergy.Testing;

/// <summary>An <see cref="IAuditLog"/> in memory, in arrival order (the durable one lives in Adapters.Sqlite).</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditEntry> Entries { get; } = new();

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        Entries.Enqueue(entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>([.. Entries.Where(e => e.TimestampUtc >= fromUtc && e.TimestampUtc < toUtc)]);
}
