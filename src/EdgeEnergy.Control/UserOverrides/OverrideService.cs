using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Control.UserOverrides;

/// <summary>
/// Owns the one user override: keeps it inside the hard limits, persists every change through
/// <see cref="IOverrideStore"/> before it takes effect (so a restart keeps it), and lets it lapse at its expiry: an
/// expired override is never returned, and one found expired at start is cleared from the store.
/// </summary>
public sealed class OverrideService(IOverrideStore store, OverrideLimits limits, TimeProvider time, ILogger<OverrideService>? logger = null) : IDisposable
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Override? _current;

    /// <summary>The override in force now, or null (none, or expired).</summary>
    public Override? Current => Volatile.Read(ref _current) is { } o && o.IsActiveAt(time.GetUtcNow()) ? o : null;

    /// <summary>Loads the stored override (call once at start). An expired or out-of-limits one is cleared.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var stored = await store.LoadAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (stored is not null)
        {
            // Expired while stopped: it simply ended. Outside today's hard limits (they may have been lowered): said.
            var problem = stored.IsActiveAt(now) ? Problem(stored, now) : "expired";
            if (problem is null)
            {
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.StoredOverrideRestored(stored.Mode.ToWire(), stored.Source, stored.ExpiresUtc);
                }
            }
            else
            {
                if (problem != "expired" && _logger.IsEnabled(LogLevel.Warning))
                {
                    _logger.StoredOverrideRejected(stored.Mode.ToWire(), stored.StartUtc, stored.ExpiresUtc, stored.Source, problem);
                }

                await store.SaveAsync(null, cancellationToken);
                stored = null;
            }
        }

        Volatile.Write(ref _current, stored);
    }

    /// <summary>Puts <paramref name="value"/> in force, or clears the override when null.</summary>
    /// <exception cref="ArgumentException">The override breaks a hard limit; nothing is changed.</exception>
    public async Task SetAsync(Override? value, CancellationToken cancellationToken)
    {
        if (value is not null && Problem(value, time.GetUtcNow()) is { } problem)
        {
            throw new ArgumentException(problem, nameof(value));
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await store.SaveAsync(value, cancellationToken);
            Volatile.Write(ref _current, value);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-times the override in force to end <paramref name="minutes"/> from now; no-op without one.</summary>
    public async Task RetimeAsync(int minutes, CancellationToken cancellationToken)
    {
        if (Current is { } active)
        {
            var now = time.GetUtcNow();
            await SetAsync(active with { StartUtc = now, ExpiresUtc = now.AddMinutes(minutes) }, cancellationToken);
        }
    }

    private string? Problem(Override o, DateTimeOffset now)
    {
        if (o.Mode == OverrideMode.Auto)
        {
            return "an override cannot have mode auto (clear it instead)";
        }

        if (o.ExpiresUtc <= o.StartUtc)
        {
            return $"override expiry {o.ExpiresUtc:o} is not after its start {o.StartUtc:o}";
        }

        if (o.ExpiresUtc - now > TimeSpan.FromMinutes(limits.MaxDurationMinutes))
        {
            return $"override would last beyond the hard limit of {limits.MaxDurationMinutes} min";
        }

        var maxPower = o.Mode switch
        {
            OverrideMode.ForceCharge => limits.MaxChargePowerW,
            OverrideMode.ForceDischarge => limits.MaxDischargePowerW,
            _ => 0,
        };
        if (o.PowerW is { } power && !(power > 0 && power <= maxPower))
        {
            return $"override power {power} W is outside 0 < power <= {maxPower} W for {o.Mode.ToWire()}";
        }

        if (o.ReserveSocPercent is { } reserve && !(reserve >= limits.MinReserveSocPercent && reserve <= limits.MaxReserveSocPercent))
        {
            return $"override reserve {reserve} % is outside {limits.MinReserveSocPercent}..{limits.MaxReserveSocPercent} %";
        }

        return null;
    }

    public void Dispose() => _gate.Dispose();
}
