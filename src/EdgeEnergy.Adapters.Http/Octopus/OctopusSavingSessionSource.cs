using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.SavingSessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// Octoplus Saving Sessions through the Kraken GraphQL API (issue 18 §4): the <c>savingSessions</c> query's events
/// (id, code, reward in Octopoints per kWh, start, end) and the account's joined events, and the
/// <c>joinSavingSessionsEvent(input: {accountNumber, eventCode})</c> mutation, whose <c>joinedEventCodes</c> says
/// whether it took. Shapes as the public Octopus integrations use them (docs/tariffs.md, "Saving Sessions"); some of
/// them reach these fields on a second, backend GraphQL host, so a refusal here is named, never taken as "no sessions".
/// A session is named by its event code, the name the join takes. A malformed event is skipped with the reason logged.
/// </summary>
public sealed class OctopusSavingSessionSource(OctopusGraphQlClient graphQl, IOptions<OctopusOptions> options, ILogger<OctopusSavingSessionSource> logger) : ISavingSessionSource
{
    private const string SessionsQuery = """
        query SavingSessions($accountNumber: String!) {
          savingSessions {
            events(getDevEvents: false) { id code rewardPerKwhInOctoPoints startAt endAt }
            account(accountNumber: $accountNumber) { hasJoinedCampaign joinedEvents { eventId } }
          }
        }
        """;

    private const string JoinMutation = """
        mutation JoinSavingSession($input: JoinSavingSessionsEventInput!) {
          joinSavingSessionsEvent(input: $input) { joinedEventCodes }
        }
        """;

    public async Task<IReadOnlyList<SavingSession>> GetSessionsAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        JsonElement data;
        try
        {
            data = await graphQl.QueryAsync(SessionsQuery, new JsonObject { ["accountNumber"] = options.Value.AccountNumber }, cancellationToken);
        }
        catch (OctopusAccountException e)
        {
            throw new SavingSessionException($"Octopus Saving Sessions: {e.Message}", e);
        }

        if (!data.TryGetProperty("savingSessions", out var root) || root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            throw new SavingSessionException("Octopus Saving Sessions: the answer has no savingSessions.events list");
        }

        var joined = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("account", out var account) && account.ValueKind == JsonValueKind.Object
            && account.TryGetProperty("joinedEvents", out var joinedEvents) && joinedEvents.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in joinedEvents.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("eventId", out var id) && Text(id) is { } text)
                {
                    joined.Add(text);
                }
            }
        }

        var sessions = new List<SavingSession>();
        var index = 0;
        foreach (var e in events.EnumerateArray())
        {
            index++;
            if (Read(e, joined, out var problem) is not { } session)
            {
                logger.SavingSessionSkipped($"event {index} ({Truncate(e.GetRawText())}): {problem}");
                continue;
            }

            if (session.StartUtc >= fromUtc && session.StartUtc < toUtc)
            {
                sessions.Add(session);
            }
        }

        return [.. sessions.OrderBy(s => s.StartUtc)];
    }

    public async Task JoinAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        JsonElement data;
        try
        {
            data = await graphQl.QueryAsync(JoinMutation, new JsonObject { ["input"] = new JsonObject { ["accountNumber"] = options.Value.AccountNumber, ["eventCode"] = sessionId } }, cancellationToken);
        }
        catch (OctopusAccountException e)
        {
            throw new SavingSessionException($"joining Saving Session '{sessionId}': {e.Message}", e);
        }

        var codes = data.TryGetProperty("joinSavingSessionsEvent", out var result) && result.ValueKind == JsonValueKind.Object
            && result.TryGetProperty("joinedEventCodes", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(Text).ToList()
            : [];
        if (!codes.Contains(sessionId, StringComparer.Ordinal))
        {
            throw new SavingSessionException($"joining Saving Session '{sessionId}': Octopus did not confirm it (joinedEventCodes: [{string.Join(", ", codes)}])");
        }
    }

    private static SavingSession? Read(JsonElement e, HashSet<string> joined, out string? problem)
    {
        problem = null;
        if (e.ValueKind != JsonValueKind.Object)
        {
            problem = "not an object";
            return null;
        }

        var id = e.TryGetProperty("id", out var idValue) ? Text(idValue) : null;
        var code = e.TryGetProperty("code", out var codeValue) ? Text(codeValue) : null;
        if (code is null || id is null)
        {
            problem = "no id or code";
            return null;
        }

        if (!e.TryGetProperty("rewardPerKwhInOctoPoints", out var points) || points.ValueKind != JsonValueKind.Number || !double.IsFinite(points.GetDouble()) || points.GetDouble() < 0)
        {
            problem = "rewardPerKwhInOctoPoints is not a number >= 0";
            return null;
        }

        if (Time(e, "startAt") is not { } start || Time(e, "endAt") is not { } end)
        {
            problem = "startAt or endAt is not a date-time with an offset";
            return null;
        }

        var session = new SavingSession
        {
            Id = code, StartUtc = start.ToUniversalTime(), EndUtc = end.ToUniversalTime(),
            RewardPencePerKwh = SavingSession.PenceFromOctopoints(points.GetDouble()), Joined = joined.Contains(id),
        };
        problem = session.Problem();
        return problem is null ? session : null;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && v.GetString()!.Length > 19
            ? t
            : null;

    private static string Truncate(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
