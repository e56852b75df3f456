using System.Globalization;

namespace EdgeEnergy.Domain.SavingSessions;

/// <summary>
/// One Octoplus Saving Session (issue 18 §4, docs/tariffs.md "Saving Sessions"): the account is paid
/// <see cref="RewardPencePerKwh"/> for every kWh its import in [<see cref="StartUtc"/>, <see cref="EndUtc"/>) falls below
/// Octopus's baseline, half hour by half hour. Times are UTC on half-hour boundaries; <see cref="Joined"/> says whether
/// the account has opted in (only joined sessions pay, so only they enter the plan).
/// </summary>
public sealed record SavingSession
{
    /// <summary>Octopoints per pound, as Octopus has paid them since the first sessions (1,800 points/kWh = £2.25/kWh):
    /// docs/tariffs.md, "Saving Sessions".</summary>
    public const double OctopointsPerPound = 800;

    public required string Id { get; init; }

    public required DateTimeOffset StartUtc { get; init; }

    public required DateTimeOffset EndUtc { get; init; }

    /// <summary>Reward per kWh of import below the baseline, pence (≥ 0).</summary>
    public required double RewardPencePerKwh { get; init; }

    public bool Joined { get; init; }

    /// <summary>Pence for a reward stated in Octopoints (<see cref="OctopointsPerPound"/> points = £1).</summary>
    public static double PenceFromOctopoints(double points) => points * 100 / OctopointsPerPound;

    /// <summary>Half hours the session spans.</summary>
    public int SlotCount => (int)((EndUtc - StartUtc).TotalMinutes / SlotMinutes);

    /// <summary>Start of the session's half hour <paramref name="k"/> (UTC).</summary>
    public DateTimeOffset SlotStart(int k) => StartUtc.AddMinutes(k * SlotMinutes);

    /// <summary>Octopus's sessions (and the baseline) are half-hourly: the settlement period.</summary>
    public const int SlotMinutes = 30;

    /// <summary>What is wrong with the session as data (null when it is usable): each message names the session and field.</summary>
    public string? Problem()
    {
        static bool OnBoundary(DateTimeOffset t) => t.Offset == TimeSpan.Zero && t.Second == 0 && t.Millisecond == 0 && t.Minute % SlotMinutes == 0;
        if (string.IsNullOrWhiteSpace(Id))
        {
            return "saving session: id must be a non-empty name";
        }

        if (!OnBoundary(StartUtc) || !OnBoundary(EndUtc))
        {
            return $"saving session '{Id}': start and end must be UTC half-hour boundaries, got {StartUtc:O} to {EndUtc:O}";
        }

        if (EndUtc <= StartUtc)
        {
            return $"saving session '{Id}': end {EndUtc:O} is not after start {StartUtc:O}";
        }

        if (EndUtc - StartUtc > TimeSpan.FromHours(24))
        {
            return $"saving session '{Id}': {(EndUtc - StartUtc).TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h is longer than a day";
        }

        return double.IsFinite(RewardPencePerKwh) && RewardPencePerKwh >= 0
            ? null
            : $"saving session '{Id}': rewardPencePerKwh must be a finite number >= 0, got {RewardPencePerKwh.ToString(CultureInfo.InvariantCulture)}";
    }
}

/// <summary>
/// Where the Saving Sessions come from (Octopus's account API, issue 18 §2/§4): every session that starts in a period,
/// joined or not, and the way to join one. A capability: without an Octopus account the appliance uses
/// <see cref="NoSavingSessions"/>.
/// </summary>
public interface ISavingSessionSource
{
    /// <summary>
    /// Every session starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), oldest first, with whether the
    /// account joined it: the past ones too, since the baseline skips the days that had one.
    /// </summary>
    Task<IReadOnlyList<SavingSession>> GetSessionsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);

    /// <summary>Opts the account in to session <paramref name="sessionId"/>; throws <see cref="SavingSessionException"/> when refused.</summary>
    Task JoinAsync(string sessionId, CancellationToken cancellationToken);
}

/// <summary>A session source failed (unreachable, refused, malformed answer); the message says what, never a secret.</summary>
public sealed class SavingSessionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No Octopus account configured: no sessions, and joining is refused with the reason.</summary>
public sealed class NoSavingSessions : ISavingSessionSource
{
    public Task<IReadOnlyList<SavingSession>> GetSessionsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SavingSession>>([]);

    public Task JoinAsync(string sessionId, CancellationToken cancellationToken) =>
        throw new SavingSessionException($"cannot join saving session '{sessionId}': no Octopus account is configured (Octopus:ApiKey, Octopus:AccountNumber)");
}

/// <summary>The <c>Octopus:SavingSessions</c> section.</summary>
public sealed class SavingSessionOptions
{
    /// <summary>
    /// <c>Octopus:SavingSessions:AutoJoinMinPencePerKwh</c>: join every upcoming session whose reward is at least this
    /// (pence per kWh, ≥ 0); absent: never join automatically.
    /// </summary>
    public double? AutoJoinMinPencePerKwh { get; set; }

    /// <summary>What is wrong with the options (null when valid), naming the key.</summary>
    public string? Problem() => AutoJoinMinPencePerKwh is { } min && !(double.IsFinite(min) && min >= 0)
        ? $"Octopus:SavingSessions:AutoJoinMinPencePerKwh must be a number >= 0 (pence per kWh), got {min.ToString(CultureInfo.InvariantCulture)}; leave it out to never join automatically"
        : null;
}

/// <summary>The pure rule for joining a session automatically.</summary>
public static class SavingSessionJoinPolicy
{
    /// <summary>
    /// Whether to join <paramref name="session"/> at <paramref name="nowUtc"/>: not joined yet, not started, a usable
    /// session, and a reward at least <paramref name="minPencePerKwh"/> (null: never automatically). The reason says why
    /// either way, for the log.
    /// </summary>
    public static bool ShouldJoin(SavingSession session, double? minPencePerKwh, DateTimeOffset nowUtc, out string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        var r = session.RewardPencePerKwh.ToString("0.#", CultureInfo.InvariantCulture);
        var min = minPencePerKwh is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : null;
        (var join, reason) = session switch
        {
            { Joined: true } => (false, "already joined"),
            _ when session.Problem() is { } problem => (false, problem),
            _ when session.StartUtc <= nowUtc => (false, "already started"),
            _ when minPencePerKwh is null => (false, "automatic joining is off (Octopus:SavingSessions:AutoJoinMinPencePerKwh not set)"),
            _ when session.RewardPencePerKwh >= minPencePerKwh => (true, $"reward {r} p/kWh reaches the {min} p/kWh threshold"),
            _ => (false, $"reward {r} p/kWh is below the {min} p/kWh threshold"),
        };
        return join;
    }
}
