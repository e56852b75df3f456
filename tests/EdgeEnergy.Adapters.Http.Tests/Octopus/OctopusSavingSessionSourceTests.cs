using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.SavingSessions;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

/// <summary>Octoplus Saving Sessions read and joined through the GraphQL client, against <see cref="FakeOctopusAccountApi"/> on loopback.</summary>
public sealed class OctopusSavingSessionSourceTests : IAsyncLifetime
{
    private const string Key = "sk_live_sessions0123456789";
    private const string Account = "A-1234ABCD";
    private static readonly DateTimeOffset s_now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly CapturingLoggerFactory _logs = new();
    private FakeOctopusAccountApi _api = null!;
    private LoopbackHttpServer _server = null!;
    private readonly List<string> _joinedCodes = [];

    public async Task InitializeAsync()
    {
        _api = new FakeOctopusAccountApi(Key, Account, _time)
            .On("savingSessions", variables => new JsonObject
            {
                ["events"] = new JsonArray(
                    Event(101, "EVENT_101", 1800, "2026-12-03T17:00:00+00:00", "2026-12-03T18:00:00+00:00"),
                    Event(102, "EVENT_102", 2400, "2026-12-04T17:30:00Z", "2026-12-04T18:30:00Z"),
                    Event(90, "EVENT_90", 1600, "2026-11-20T17:00:00Z", "2026-11-20T18:00:00Z"), // before the period asked
                    new JsonObject { ["id"] = 103, ["code"] = "EVENT_103", ["rewardPerKwhInOctoPoints"] = "lots", ["startAt"] = "2026-12-05T17:00:00Z", ["endAt"] = "2026-12-05T18:00:00Z" },
                    Event(104, "EVENT_104", 1800, "2026-12-06T17:10:00Z", "2026-12-06T18:00:00Z")), // off the half-hour grid
                ["account"] = new JsonObject
                {
                    ["hasJoinedCampaign"] = true,
                    ["joinedEvents"] = new JsonArray(new JsonObject { ["eventId"] = 101 }, new JsonObject { ["eventId"] = 90 }),
                    ["accountNumberSeen"] = variables.GetProperty("accountNumber").GetString(),
                },
            })
            .On("joinSavingSessionsEvent", variables =>
            {
                var input = variables.GetProperty("input");
                var code = input.GetProperty("eventCode").GetString()!;
                Assert.Equal(Account, input.GetProperty("accountNumber").GetString());
                if (code == "EVENT_102")
                {
                    _joinedCodes.Add(code);
                }

                return new JsonObject { ["joinedEventCodes"] = new JsonArray([.. _joinedCodes.Select(c => (JsonNode)JsonValue.Create(c))]) };
            });
        _server = await LoopbackHttpServer.StartAsync(c => _api.HandleAsync(c));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonObject Event(int id, string code, double points, string start, string end) => new()
    {
        ["id"] = id, ["code"] = code, ["rewardPerKwhInOctoPoints"] = points, ["startAt"] = start, ["endAt"] = end,
    };

    private OctopusSavingSessionSource Source(string key = Key)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new OctopusOptions { BaseUrl = _server.BaseUrl.ToString(), ApiKey = key, AccountNumber = Account });
        return new OctopusSavingSessionSource(new OctopusGraphQlClient(new HttpClient(), options, _time, _logs.For<OctopusGraphQlClient>()), options, _logs.For<OctopusSavingSessionSource>());
    }

    [Fact]
    public async Task Sessions_in_the_period_come_with_their_reward_in_pence_and_whether_the_account_joined_and_bad_events_are_skipped_by_name()
    {
        var sessions = await Source().GetSessionsAsync(s_now, s_now.AddDays(7), CancellationToken.None);

        Assert.Equal(
            [
                new SavingSession { Id = "EVENT_101", StartUtc = new(2026, 12, 3, 17, 0, 0, TimeSpan.Zero), EndUtc = new(2026, 12, 3, 18, 0, 0, TimeSpan.Zero), RewardPencePerKwh = 225, Joined = true },
                new SavingSession { Id = "EVENT_102", StartUtc = new(2026, 12, 4, 17, 30, 0, TimeSpan.Zero), EndUtc = new(2026, 12, 4, 18, 30, 0, TimeSpan.Zero), RewardPencePerKwh = 300, Joined = false },
            ],
            sessions);
        var skipped = _logs.Lines.Where(m => m.Contains("Octopus Saving Session skipped", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, m => m.Contains("event 4", StringComparison.Ordinal) && m.Contains("rewardPerKwhInOctoPoints", StringComparison.Ordinal));
        Assert.Contains(skipped, m => m.Contains("event 5", StringComparison.Ordinal) && m.Contains("half-hour boundaries", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, m => m.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Joining_is_confirmed_by_the_event_code_coming_back_and_a_join_octopus_does_not_confirm_is_an_error_naming_the_session()
    {
        await Source().JoinAsync("EVENT_102", CancellationToken.None);

        var refused = await Assert.ThrowsAsync<SavingSessionException>(() => Source().JoinAsync("EVENT_999", CancellationToken.None));
        Assert.Contains("'EVENT_999': Octopus did not confirm it (joinedEventCodes: [EVENT_102])", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_Octopus_refuses_is_a_saving_session_error_naming_the_key_not_an_empty_list()
    {
        var e = await Assert.ThrowsAsync<SavingSessionException>(() => Source("sk_live_wrong").GetSessionsAsync(s_now, s_now.AddDays(7), CancellationToken.None));
        Assert.Contains("Octopus:ApiKey", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_wrong", e.Message, StringComparison.Ordinal);
    }
}
