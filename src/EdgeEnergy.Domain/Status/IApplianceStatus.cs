namespace EdgeEnergy.Domain.Status;

/// <summary>Reads the appliance's current state. Lock-free and allocation-free: one volatile read.</summary>
public interface IApplianceStatus
{
    /// <summary>The latest published snapshot (never null; <see cref="ApplianceSnapshot.Empty"/> at start).</summary>
    ApplianceSnapshot Current { get; }
}

/// <summary>Publishes state changes (the control loop, adapters). Each change replaces the snapshot atomically.</summary>
public interface IApplianceStatusPublisher
{
    /// <summary>
    /// Applies <paramref name="change"/> to the current snapshot and publishes the result with the next version.
    /// <paramref name="change"/> may run more than once under contention, so it must be a pure function.
    /// </summary>
    ApplianceSnapshot Update(Func<ApplianceSnapshot, ApplianceSnapshot> change);
}

/// <summary>Fetches prices (and forecasts where configured) now, outside the schedule.</summary>
public interface IPriceRefreshTrigger
{
    /// <summary>Runs one fetch; never throws for a source failure, it reports it in the result.</summary>
    Task<PriceRefreshResult> RefreshAsync(CancellationToken cancellationToken);
}

/// <summary>The outcome of one on-demand price fetch: how many slots were stored, and what went wrong if anything.</summary>
public sealed record PriceRefreshResult(bool Succeeded, int SlotsStored, string Message);
