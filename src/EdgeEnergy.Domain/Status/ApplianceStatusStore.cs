namespace EdgeEnergy.Domain.Status;

/// <summary>
/// The in-memory home of <see cref="ApplianceSnapshot"/>: readers take the current reference with a volatile read,
/// writers swap in a new immutable snapshot with compare-and-swap, so a reader never waits and never sees a torn state.
/// </summary>
public sealed class ApplianceStatusStore : IApplianceStatus, IApplianceStatusPublisher
{
    private ApplianceSnapshot _current;

    public ApplianceStatusStore(ApplianceSnapshot? initial = null) => _current = initial ?? ApplianceSnapshot.Empty;

    public ApplianceSnapshot Current => Volatile.Read(ref _current);

    public ApplianceSnapshot Update(Func<ApplianceSnapshot, ApplianceSnapshot> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        while (true)
        {
            var before = Volatile.Read(ref _current);
            var after = change(before) ?? throw new InvalidOperationException("A snapshot change returned null.");
            after = after with { Version = before.Version + 1 };
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, after, before), before))
            {
                return after;
            }
        }
    }
}
