using EdgeEnergy.Domain.Forecasts;

namespace EdgeEnergy.Testing;

/// <summary>An <see cref="IApiCallLedger"/> in memory (the durable one lives in Adapters.Sqlite).</summary>
public sealed class InMemoryApiCallLedger : IApiCallLedger
{
    private readonly List<(string Api, DateTimeOffset At)> _calls = [];
    private readonly Lock _lock = new();

    public int Total
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    public Task<bool> TryReserveAsync(string api, DateTimeOffset nowUtc, int dailyLimit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Count(api, nowUtc) >= dailyLimit)
            {
                return Task.FromResult(false);
            }

            _calls.Add((api, nowUtc));
            return Task.FromResult(true);
        }
    }

    public Task<int> CountTodayAsync(string api, DateTimeOffset nowUtc, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Count(api, nowUtc));
        }
    }

    private int Count(string api, DateTimeOffset nowUtc) => _calls.Count(c => c.Api == api && c.At.UtcDateTime.Date == nowUtc.UtcDateTime.Date);
}
