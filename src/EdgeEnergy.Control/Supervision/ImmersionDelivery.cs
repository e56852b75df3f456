using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// The heat each heater has delivered in each of its daily windows, from the time its relay was on × the element's
/// power (the inverter measures no immersion energy; the load rise is too noisy to integrate). The immersion switcher
/// adds to it each poll, the planner reads it so a replan in the middle of a window asks only for what is still owed
/// (<see cref="HeatWindows.Lay"/>), and the store keeps it across a restart.
/// </summary>
public sealed class ImmersionDelivery(IReadOnlyList<ImmersionHeater> heaters, IImmersionDeliveryStore? store, ILogger logger) : IDisposable
{
    /// <summary>
    /// The longest gap between two polls counted as heating. A longer one means the loop stalled or the clock jumped;
    /// counting less than may have been delivered errs towards more hot water, never less.
    /// </summary>
    public static readonly TimeSpan MaxCountedGap = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a window's running total is written while its relay stays on: a restart loses at most this much heating
    /// (0.05 kWh at 3 kW), and the SD card is not written every poll.
    /// </summary>
    public static readonly TimeSpan SaveEvery = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, ImmersionHeater> _heaters = heaters.ToDictionary(h => h.Id, StringComparer.Ordinal);
    private readonly Dictionary<HeatWindowKey, double> _delivered = [];
    private readonly Dictionary<HeatWindowKey, DateTimeOffset> _savedAt = [];
    private readonly HashSet<HeatWindowKey> _unsaved = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _loaded;

    /// <summary>What every window opened since the day before yesterday (UK) has delivered, kWh: the planner's input.</summary>
    public async Task<IReadOnlyDictionary<HeatWindowKey, double>> CurrentAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await LoadAsync(now, cancellationToken);
            return new Dictionary<HeatWindowKey, double>(_delivered);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Heater <paramref name="heaterId"/>'s relay was on from <paramref name="from"/> to <paramref name="to"/>: that heat
    /// goes to the windows open at <paramref name="from"/> (a poll's worth, so the slot it starts in decides). Saved
    /// when <paramref name="save"/> (the relay is going off) or when the window was last saved <see cref="SaveEvery"/> ago.
    /// </summary>
    public async Task AddOnTimeAsync(string heaterId, DateTimeOffset from, DateTimeOffset to, bool save, CancellationToken cancellationToken)
    {
        if (!_heaters.TryGetValue(heaterId, out var heater))
        {
            return;
        }

        var kwh = to > from ? heater.PowerKw * Math.Min((to - from).TotalHours, MaxCountedGap.TotalHours) : 0;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await LoadAsync(to, cancellationToken);
            foreach (var key in kwh > 0 ? HeatWindows.OpenIn(heater, PlanProblemBuilder.Floor(from), PlanProblemBuilder.SlotMinutes, UkTime.Zone) : [])
            {
                _delivered[key] = _delivered.GetValueOrDefault(key) + kwh;
                _unsaved.Add(key);
            }

            foreach (var key in _unsaved.ToArray())
            {
                if (save || !_savedAt.TryGetValue(key, out var at) || to - at >= SaveEvery)
                {
                    await SaveAsync(key, to, cancellationToken);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // Called under _gate. Loads once; a failed load is retried at the next call, and what was counted meanwhile is
    // kept (the larger of the two, since the store only ever saw totals this process had counted).
    private async Task LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime).AddDays(-2);
        if (!_loaded && store is not null)
        {
            try
            {
                foreach (var (key, kwh) in await store.GetSinceAsync(since, cancellationToken))
                {
                    _delivered[key] = Math.Max(kwh, _delivered.GetValueOrDefault(key));
                }

                _loaded = true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.ImmersionDeliveryStoreFailed("reading", e.Message);
            }
        }

        // Windows are at most a day long: older ones can no longer reach a plan.
        foreach (var old in _delivered.Keys.Where(k => k.OpensOn < since).ToArray())
        {
            _delivered.Remove(old);
            _savedAt.Remove(old);
            _unsaved.Remove(old);
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task SaveAsync(HeatWindowKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            _unsaved.Remove(key);
            return;
        }

        try
        {
            await store.SetAsync(key, _delivered[key], cancellationToken);
            _savedAt[key] = now;
            _unsaved.Remove(key);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Tried again after SaveEvery (or at the relay's next switch-off), not every poll: one warning a minute at most.
            _savedAt[key] = now;
            logger.ImmersionDeliveryStoreFailed("saving", e.Message);
        }
    }
}
