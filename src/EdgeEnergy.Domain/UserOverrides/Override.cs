namespace EdgeEnergy.Domain.UserOverrides;

/// <summary>
/// A user's timed override of the plan. It is in force from <see cref="StartUtc"/> until <see cref="ExpiresUtc"/>
/// (exclusive); after that the plan decides again. Persisted (<see cref="IOverrideStore"/>) so a restart keeps it.
/// </summary>
public sealed record Override
{
    /// <summary>Never <see cref="OverrideMode.Auto"/>: "auto" means no override at all.</summary>
    public required OverrideMode Mode { get; init; }

    public required DateTimeOffset StartUtc { get; init; }

    public required DateTimeOffset ExpiresUtc { get; init; }

    /// <summary>
    /// Battery power for force-charge/force-discharge in W, always positive (the mode gives the direction);
    /// null = the battery's maximum for that direction.
    /// </summary>
    public double? PowerW { get; init; }

    /// <summary>SoC (%) below which a forced discharge stops; null = the site's configured reserve.</summary>
    public double? ReserveSocPercent { get; init; }

    /// <summary>Who asked for it, for the log and the UI (e.g. "mqtt", "api").</summary>
    public string Source { get; init; } = "unknown";

    public bool IsActiveAt(DateTimeOffset now) => now >= StartUtc && now < ExpiresUtc;

    /// <summary>Time left at <paramref name="now"/>; zero once expired.</summary>
    public TimeSpan RemainingAt(DateTimeOffset now) => ExpiresUtc > now ? ExpiresUtc - now : TimeSpan.Zero;
}
