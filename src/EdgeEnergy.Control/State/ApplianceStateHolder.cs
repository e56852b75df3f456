using EdgeEnergy.Domain.State;

namespace EdgeEnergy.Control.State;

/// <summary>
/// The one place the control loop writes the <see cref="ApplianceState"/> snapshot and every reader (MQTT, REST API,
/// dashboard) reads it. Updates replace the record whole, so a reader never sees half an update.
/// </summary>
public sealed class ApplianceStateHolder : IApplianceStateSource
{
    private readonly Lock _lock = new();
    private ApplianceState _current = ApplianceState.Empty;

    public ApplianceState Current => Volatile.Read(ref _current);

    /// <summary>Applies <paramref name="change"/> atomically with respect to other updates.</summary>
    public ApplianceState Update(Func<ApplianceState, ApplianceState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            var next = change(_current) ?? throw new InvalidOperationException("a state update returned null");
            Volatile.Write(ref _current, next);
            return next;
        }
    }
}
