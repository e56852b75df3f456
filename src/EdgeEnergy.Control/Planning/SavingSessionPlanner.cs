using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.SavingSessions;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Planning;

/// <summary>The Saving Sessions of one plan: the problem's part (null: none), and one line about them for the plan's reason (null: nothing to say).</summary>
public sealed record PlannedSessions(IReadOnlyList<SavingSessionSpec>? Specs, string? Note);

/// <summary>
/// The Saving Sessions' part of planning (issue 18 §4): reads the sessions from the account, joins upcoming ones whose
/// reward reaches <c>Octopus:SavingSessions:AutoJoinMinPencePerKwh</c> (<see cref="SavingSessionJoinPolicy"/>), and
/// gives the joined sessions in the horizon with their baselines from the stored grid import
/// (<see cref="SavingSessionBaseline"/>). A session without enough measured history is left out of the problem with
/// the reason (no reward assumed); a source that fails leaves the plan without sessions, with the reason.
/// </summary>
public sealed class SavingSessionPlanner(
    ISavingSessionSource source, SavingSessionOptions options, ITelemetryStore telemetry, TimeProvider time, ILogger<SavingSessionPlanner> logger)
{
    /// <summary>The sessions of the horizon of <paramref name="slotCount"/> half hours from <paramref name="start"/>.</summary>
    public async Task<PlannedSessions> PlanAsync(DateTimeOffset start, int slotMinutes, int slotCount, CancellationToken cancellationToken)
    {
        if (slotMinutes != SavingSession.SlotMinutes)
        {
            return new PlannedSessions(null, $"saving sessions not planned: they are half-hourly and the plan's slots are {slotMinutes} minutes");
        }

        var end = start.AddMinutes(slotCount * slotMinutes);
        IReadOnlyList<SavingSession> sessions;
        try
        {
            // From far enough back to know the session days the baselines skip.
            sessions = await source.GetSessionsAsync(SavingSessionBaseline.HistoryFrom(start), end, cancellationToken);
        }
        catch (SavingSessionException e)
        {
            logger.SavingSessionsUnavailable(e.Message);
            return new PlannedSessions(null, $"saving sessions unavailable ({e.Message}); planned without them");
        }

        sessions = await JoinAsync(sessions, cancellationToken);
        var ahead = sessions.Where(s => s.Joined && s.EndUtc > start && s.StartUtc < end).OrderBy(s => s.StartUtc).ToList();
        if (ahead.Count == 0)
        {
            return new PlannedSessions(null, null);
        }

        var history = await MeasuredHistory.ImportKwhBySlotAsync(telemetry, SavingSessionBaseline.HistoryFrom(ahead[0].StartUtc), start, cancellationToken);
        var specs = new List<SavingSessionSpec>();
        var notes = new List<string>();
        foreach (var session in ahead)
        {
            if (session.Problem() is { } wrong)
            {
                logger.SavingSessionsUnavailable(wrong);
                notes.Add($"{wrong}; planned without it");
                continue;
            }

            var baseline = SavingSessionBaseline.Compute(session, sessions, history, UkTime.Zone);
            var detail = baseline.Describe(session);
            logger.SavingSessionBaseline(detail);
            notes.Add(detail);
            if (baseline.KwhPerSlot is not { } kwh)
            {
                continue;
            }

            // The session's half hours inside the horizon (one in progress keeps its slots from now on).
            var first = (int)((session.StartUtc - start).TotalMinutes / slotMinutes);
            var from = Math.Max(0, first);
            var to = Math.Min(slotCount, first + session.SlotCount);
            if (specs.Count > 0 && specs[^1].ToSlot > from)
            {
                notes.Add($"saving session '{session.Id}' overlaps '{specs[^1].Id}'; planned without it (a half hour is paid once)");
            }
            else if (to > from)
            {
                specs.Add(new SavingSessionSpec
                {
                    Id = session.Id,
                    FromSlot = from,
                    ToSlot = to,
                    RewardPencePerKwh = session.RewardPencePerKwh,
                    BaselineKwhPerSlot = [.. kwh.Skip(from - first).Take(to - from)],
                });
            }
        }

        return new PlannedSessions(specs.Count == 0 ? null : specs, string.Join("; ", notes));
    }

    /// <summary>The sessions with those joined now marked joined; a refused join is logged and the session stays unjoined.</summary>
    private async Task<IReadOnlyList<SavingSession>> JoinAsync(IReadOnlyList<SavingSession> sessions, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = new List<SavingSession>(sessions.Count);
        foreach (var session in sessions)
        {
            if (!session.Joined && session.EndUtc > now && SavingSessionJoinPolicy.ShouldJoin(session, options.AutoJoinMinPencePerKwh, now, out var why))
            {
                try
                {
                    await source.JoinAsync(session.Id, cancellationToken);
                    logger.SavingSessionJoin(session.Id, "joined", why);
                    result.Add(session with { Joined = true });
                    continue;
                }
                catch (SavingSessionException e)
                {
                    logger.SavingSessionJoin(session.Id, "not joined", e.Message);
                }
            }

            result.Add(session);
        }

        return result;
    }
}
