using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.SavingSessions;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing.Planning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Planning;

/// <summary>
/// Saving Sessions in live planning (issue 18 §4): the joined sessions of the horizon with their baselines from the
/// stored grid import, automatic joining, and what the plan says when a session cannot be valued.
/// </summary>
public class SavingSessionPlannerTests
{
    // Wednesday 17 January 2024, 12:05 UTC (GMT, so UK time = UTC): the plan starts at 12:00.
    private static readonly DateTimeOffset Now = new(2024, 1, 17, 12, 5, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = new(2024, 1, 17, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SessionStart = new(2024, 1, 17, 17, 30, 0, TimeSpan.Zero);

    private static SavingSession Session(string id = "ss1", double reward = 225, bool joined = true) =>
        new() { Id = id, StartUtc = SessionStart, EndUtc = SessionStart.AddHours(1), RewardPencePerKwh = reward, Joined = joined };

    /// <summary>
    /// Grid power every 10 minutes: in the 17:30 half hour, +1.5·day·100 W twice and −500 W (exporting) once, so its
    /// import is day·100 W on average (export counts as no import; the signed mean would be less); in the 18:00 half
    /// hour day·200 W; 300 W at other times. So a day's import is day·0.05 kWh at 17:30 and day·0.1 kWh at 18:00.
    /// </summary>
    private sealed class Grid : ITelemetryStore
    {
        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
        {
            var samples = new List<TelemetrySample>();
            for (var t = fromUtc; t < toUtc; t = t.AddMinutes(10))
            {
                var day = t.Day;
                var w = (t.Hour, t.Minute) switch
                {
                    (17, 30 or 40) => 150.0 * day,
                    (17, 50) => -500,
                    (18, _) => 200.0 * day,
                    _ => 300,
                };
                samples.Add(new TelemetrySample(t, 50, 0, w, Math.Max(0, w), 0));
            }

            return Task.FromResult<IReadOnlyList<TelemetrySample>>(samples);
        }

        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static SavingSessionPlanner Planner(ISavingSessionSource source, double? autoJoin = null, ITelemetryStore? telemetry = null) =>
        new(source, new SavingSessionOptions { AutoJoinMinPencePerKwh = autoJoin }, telemetry ?? new Grid(), new FakeTimeProvider(Now), NullLogger<SavingSessionPlanner>.Instance);

    [Fact]
    public async Task A_joined_session_is_planned_on_the_baseline_of_the_last_10_weekdays_measured_import()
    {
        // The 10 weekdays before the 17th: 16, 15, 12, 11, 10, 9, 8, 5, 4, 3 (sum 93). Baselines 93·0.05/10 = 0.465 kWh
        // and 93·0.1/10 = 0.93 kWh; the session is slots 11–12 of a plan from 12:00.
        var planned = await Planner(new FakeSavingSessionSource(Session())).PlanAsync(Start, 30, 48, CancellationToken.None);

        var spec = Assert.Single(planned.Specs!);
        Assert.Equal(("ss1", 11, 13, 225.0), (spec.Id, spec.FromSlot, spec.ToSlot, spec.RewardPencePerKwh));
        Assert.Equal(0.465, spec.BaselineKwhPerSlot[0], 9);
        Assert.Equal(0.93, spec.BaselineKwhPerSlot[1], 9);
        Assert.Equal("saving session 'ss1': baseline 1.40 kWh over the session, the mean of the last 10 weekdays without a session", planned.Note);
    }

    [Fact]
    public async Task A_session_in_progress_keeps_its_remaining_half_hours()
    {
        var planned = await Planner(new FakeSavingSessionSource(Session())).PlanAsync(SessionStart.AddMinutes(30), 30, 48, CancellationToken.None);

        var spec = Assert.Single(planned.Specs!);
        Assert.Equal((0, 1), (spec.FromSlot, spec.ToSlot));
        Assert.Equal(0.93, spec.BaselineKwhPerSlot[0], 9);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(300.0, false)]
    [InlineData(200.0, true)]
    public async Task An_unjoined_session_is_joined_and_planned_only_when_its_reward_reaches_the_threshold(double? threshold, bool joins)
    {
        var source = new FakeSavingSessionSource(Session(joined: false));

        var planned = await Planner(source, threshold).PlanAsync(Start, 30, 48, CancellationToken.None);

        Assert.Equal(joins ? ["ss1"] : [], source.Joined);
        Assert.Equal(joins, planned.Specs is { Count: 1 });
    }

    [Fact]
    public async Task A_source_that_fails_leaves_the_plan_without_sessions_and_says_why()
    {
        var source = new FakeSavingSessionSource(Session()) { Failure = "Octopus answered 401" };

        var planned = await Planner(source).PlanAsync(Start, 30, 48, CancellationToken.None);

        Assert.Null(planned.Specs);
        Assert.Equal("saving sessions unavailable (Octopus answered 401); planned without them", planned.Note);
    }

    [Fact]
    public async Task A_session_without_enough_history_is_not_planned_and_the_note_says_why()
    {
        var planned = await Planner(new FakeSavingSessionSource(Session()), telemetry: new EmptyTelemetry()).PlanAsync(Start, 30, 48, CancellationToken.None);

        Assert.Null(planned.Specs);
        Assert.StartsWith("saving session 'ss1' at 2024-01-17 17:30: no baseline, only 0 of the 10 weekdays", planned.Note, StringComparison.Ordinal);
    }

    private sealed class EmptyTelemetry : ITelemetryStore
    {
        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TelemetrySample>>([]);

        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>Flat prices (20p import, 5p export) and a house drawing 400 W from the grid around the clock.</summary>
    private sealed class FlatStores : PlanningStores
    {
        protected override double Pence(RateKind kind, DateTimeOffset slotStart) => kind == RateKind.Export ? 5 : 20;

        protected override IReadOnlyList<TelemetrySample> Telemetry(DateTimeOffset fromUtc, DateTimeOffset toUtc)
        {
            var samples = new List<TelemetrySample>();
            for (var t = fromUtc; t < toUtc; t = t.AddMinutes(10))
            {
                samples.Add(new TelemetrySample(t, 50, 0, 400, 400, 0));
            }

            return samples;
        }
    }

    [Fact]
    public async Task The_planning_cycle_plans_the_session_reward_of_a_hand_calculated_baseline()
    {
        // 400 W imported every half hour: a baseline of 0.2 kWh per session half hour. The battery (half full) covers the
        // house in the session, import falls to 0, and the plan expects 225 · 0.2 · 2 = 90p.
        var status = new ApplianceStatusStore(ApplianceSnapshot.Empty with
        {
            Telemetry = new LiveTelemetry
            {
                MeasuredAtUtc = Now, BatterySocPercent = 50, SocMeasuredAtUtc = Now, BatteryPowerW = 0, PvPowerW = 0, GridPowerW = 400, LoadPowerW = 400,
            },
        });
        var stores = new FlatStores();
        var time = new FakeTimeProvider(Now);
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
            Options.Create(new SiteOptions()), Options.Create(new ControlOptions()), time, NullLogger<PlanningCycle>.Instance,
            savingSessions: new SavingSessionPlanner(new FakeSavingSessionSource(Session()), new SavingSessionOptions(), stores, time, NullLogger<SavingSessionPlanner>.Instance));

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        var active = status.Current.Plan!;
        Assert.Equal(PlanStatus.Optimal, active.Plan.Status);
        var spec = Assert.Single(active.Problem.SavingSessions!);
        Assert.Equal([0.2, 0.2], spec.BaselineKwhPerSlot.Select(b => Math.Round(b, 9)));
        Assert.Equal(90, active.Plan.ExpectedSessionRewardPence!.Value, 3);
        Assert.Equal(45, active.Plan.Slots[11].SessionRewardPence!.Value, 3);
        Assert.Equal(0, active.Plan.Slots[11].ImportKwh, 6);
        Assert.Contains("discharging at 17:30 for the Saving Session (reward 225 p/kWh below a baseline of 0.20 kWh)", active.Plan.Slots[11].Reason, StringComparison.Ordinal);
        Assert.Contains("saving session 'ss1': baseline 0.40 kWh over the session", active.Plan.Reason, StringComparison.Ordinal);
        Assert.Empty(PlanChecker.Violations(active.Problem, active.Plan.Slots));
    }
}
