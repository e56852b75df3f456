using EdgeEnergy.Domain.Diagnostics;

namespace EdgeEnergy.Adapters.Modbus.FoxEss;

/// <summary>Counts every write by class, so wear on the inverter's flash is visible: here per inverter, and in the
/// <see cref="EdgeEnergyMetrics"/> of its bus as <c>edgeenergy_inverter_writes_total{class=…}</c>.</summary>
public sealed class FoxWriteCounters(EdgeEnergyMetrics? metrics = null)
{
    private long _volatile;
    private long _persistent;
    private long _unchanged;
    private long _refused;

    /// <summary>Remote-control writes (enable, timeout, active power).</summary>
    public long Volatile => Interlocked.Read(ref _volatile);
    /// <summary>Persistent settings written.</summary>
    public long Persistent => Interlocked.Read(ref _persistent);
    /// <summary>Persistent writes skipped because the inverter already held the value (read before write).</summary>
    public long PersistentUnchanged => Interlocked.Read(ref _unchanged);
    /// <summary>Persistent writes refused because the daily budget was used up.</summary>
    public long PersistentRefused => Interlocked.Read(ref _refused);

    internal void Count(string writeClass)
    {
        _ = writeClass switch
        {
            "volatile" => Interlocked.Increment(ref _volatile),
            "persistent" => Interlocked.Increment(ref _persistent),
            "persistent-unchanged" => Interlocked.Increment(ref _unchanged),
            _ => Interlocked.Increment(ref _refused),
        };
        metrics?.RecordInverterWrite(writeClass);
    }
}

/// <summary>At most <c>perDay</c> persistent writes per UTC day (a day the wall clock steps back into does not count afresh).</summary>
public sealed class PersistentWriteBudget(int perDay, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private DateOnly _day;
    private int _used;

    public int PerDay => perDay;

    public int UsedToday
    {
        get
        {
            lock (_lock)
            {
                Roll();
                return _used;
            }
        }
    }

    public bool TryConsume()
    {
        lock (_lock)
        {
            Roll();
            if (_used >= perDay)
            {
                return false;
            }

            _used++;
            return true;
        }
    }

    private void Roll()
    {
        // Only forward: a step of the wall clock back across midnight (NTP correcting a clock that ran ahead) must not
        // open a second budget for the same flash; after a step ahead the budget's day starts early and ends at the
        // next true midnight, which is stricter, never looser.
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        if (today > _day)
        {
            _day = today;
            _used = 0;
        }
    }
}

/// <summary>What happened to a persistent setting.</summary>
public enum PersistentWriteResult
{
    Written,
    /// <summary>The inverter already held the value; nothing was written.</summary>
    Unchanged,
    /// <summary>The daily budget was used up; nothing was written.</summary>
    RefusedBudget,
}
