using EdgeEnergy.Domain.SavingSessions;

namespace EdgeEnergy.Testing.Planning;

/// <summary>
/// A Saving Session source double: the sessions it was given (filtered to the period asked for), the joins asked of
/// it in <see cref="Joined"/>, and <see cref="Failure"/> (when set) thrown by every call, as the account API's errors are.
/// </summary>
public sealed class FakeSavingSessionSource(params SavingSession[] sessions) : ISavingSessionSource
{
    private readonly List<SavingSession> _sessions = [.. sessions];

    public List<string> Joined { get; } = [];

    public string? Failure { get; set; }

    public Task<IReadOnlyList<SavingSession>> GetSessionsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw new SavingSessionException(Failure);
        }

        return Task.FromResult<IReadOnlyList<SavingSession>>([.. _sessions.Where(s => s.StartUtc >= fromUtc && s.StartUtc < toUtc).OrderBy(s => s.StartUtc)]);
    }

    public Task JoinAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw new SavingSessionException(Failure);
        }

        var i = _sessions.FindIndex(s => s.Id == sessionId);
        if (i < 0)
        {
            throw new SavingSessionException($"no saving session '{sessionId}'");
        }

        _sessions[i] = _sessions[i] with { Joined = true };
        Joined.Add(sessionId);
        return Task.CompletedTask;
    }
}
