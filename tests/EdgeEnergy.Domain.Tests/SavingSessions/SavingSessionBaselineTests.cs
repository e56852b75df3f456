using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.SavingSessions;

namespace EdgeEnergy.Domain.Tests.SavingSessions;

/// <summary>Octopus's baseline (issue 18 §4; docs/tariffs.md "Saving Sessions"), by hand, on UK days.</summary>
public class SavingSessionBaselineTests
{
    private static readonly TimeZoneInfo s_uk = UkTime.Zone;

    private static SavingSession Session(string id, DateTimeOffset start, int slots, double reward = 225, bool joined = true) =>
        new() { Id = id, StartUtc = start, EndUtc = start.AddMinutes(30 * slots), RewardPencePerKwh = reward, Joined = joined };

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2024, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>
    /// Import for every half hour of [from, to): <paramref name="kwh"/> of the half hour's UK local date and time.
    /// </summary>
    private static Dictionary<DateTimeOffset, double> History(DateTimeOffset from, DateTimeOffset to, Func<DateOnly, TimeOnly, double> kwh)
    {
        var history = new Dictionary<DateTimeOffset, double>();
        for (var t = from; t < to; t = t.AddMinutes(30))
        {
            var local = TimeZoneInfo.ConvertTime(t, s_uk).DateTime;
            history[t] = kwh(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        }

        return history;
    }

    [Fact]
    public void A_weekday_session_is_the_mean_of_the_same_half_hours_over_the_last_10_weekdays_without_a_session()
    {
        // Session Wednesday 17 January 2024, 17:30–18:30 (GMT: UK time = UTC). An earlier session on Wednesday 10th
        // takes that day out, so the 10 weekdays are 16, 15, 12, 11, 9, 8, 5, 4, 3 and 2 January (weekends skipped).
        // Import at 17:30 is day/10 kWh and at 18:00 day/5 kWh: means 8.5/10 = 0.85 and 17/10 = 1.70 kWh.
        var session = Session("jan17", Utc(1, 17, 17, 30), 2);
        var earlier = Session("jan10", Utc(1, 10, 18, 0), 2, joined: false);
        var history = History(Utc(12, 1, 0, 0).AddYears(-1), Utc(1, 17, 17, 0),
            (d, t) => t == new TimeOnly(17, 30) ? d.Day / 10.0 : t == new TimeOnly(18, 0) ? d.Day / 5.0 : 9);

        var baseline = SavingSessionBaseline.Compute(session, [earlier, session], history, s_uk);

        Assert.Null(baseline.Problem);
        Assert.Equal([16, 15, 12, 11, 9, 8, 5, 4, 3, 2], baseline.Days.Select(d => d.Day));
        Assert.Equal(10, baseline.DaysMeasured);
        Assert.Equal(0.85, baseline.KwhPerSlot![0], 9);
        Assert.Equal(1.70, baseline.KwhPerSlot[1], 9);
        Assert.Equal("saving session 'jan17': baseline 2.55 kWh over the session, the mean of the last 10 weekdays without a session", baseline.Describe(session));
    }

    [Fact]
    public void A_weekend_session_is_the_mean_of_the_last_4_weekend_days()
    {
        // Saturday 20 January 2024 at 17:00: the weekend days before it are 14, 13, 7 and 6 January: (14+13+7+6)/40 = 1.0.
        var session = Session("sat", Utc(1, 20, 17, 0), 1);
        var history = History(Utc(1, 1, 0, 0), Utc(1, 20, 17, 0), (d, t) => t == new TimeOnly(17, 0) ? d.Day / 10.0 : 5);

        var baseline = SavingSessionBaseline.Compute(session, [session], history, s_uk);

        Assert.Equal([14, 13, 7, 6], baseline.Days.Select(d => d.Day));
        Assert.Equal(1.0, baseline.KwhPerSlot![0], 9);
    }

    [Fact]
    public void Days_are_uk_days_so_a_session_in_summer_time_is_compared_with_the_same_wall_clock_half_hour_in_winter_time()
    {
        // Monday 1 April 2024 16:30 UTC is 17:30 BST; the 10 weekdays before it (18–29 March) are GMT days, where
        // 17:30 UK is 17:30 UTC. Import is 0.4 kWh at 17:30 UK and 3 kWh at every other half hour: an hour's slip
        // would read 3.
        var session = Session("bst", Utc(4, 1, 16, 30), 1);
        var history = History(Utc(3, 1, 0, 0), Utc(4, 1, 16, 0), (_, t) => t == new TimeOnly(17, 30) ? 0.4 : 3);

        var baseline = SavingSessionBaseline.Compute(session, [session], history, s_uk);

        Assert.Equal(29, baseline.Days[0].Day);
        Assert.Equal(18, baseline.Days[^1].Day);
        Assert.Equal(0.4, baseline.KwhPerSlot![0], 9);
    }

    [Fact]
    public void A_day_not_measured_is_left_out_of_the_mean()
    {
        // As the weekday case without the earlier session, and 12 January not measured at 18:00: the 17:30 mean is over
        // 16, 15, 11, 10, 9, 8, 5, 4, 3 (the 10 days were 16..3): (16+15+11+10+9+8+5+4+3)/90 = 0.9.
        var session = Session("jan17", Utc(1, 17, 17, 30), 2);
        var history = History(Utc(12, 1, 0, 0).AddYears(-1), Utc(1, 17, 17, 0), (d, t) => d.Day / 10.0);
        history.Remove(Utc(1, 12, 18, 0));

        var baseline = SavingSessionBaseline.Compute(session, [session], history, s_uk);

        Assert.Equal(10, baseline.Days.Count);
        Assert.Equal(9, baseline.DaysMeasured);
        Assert.Equal(0.9, baseline.KwhPerSlot![0], 9);
        Assert.Contains("the mean of the 9 measured of the last 10 weekdays", baseline.Describe(session), StringComparison.Ordinal);
    }

    [Fact]
    public void Too_little_history_gives_no_baseline_and_says_why()
    {
        // Only 4 of the 10 weekdays measured (from Wednesday 10th on: 16, 15, 12, 11): below half.
        var session = Session("jan17", Utc(1, 17, 17, 30), 1);
        var history = History(Utc(1, 11, 0, 0), Utc(1, 17, 17, 0), (_, _) => 1);

        var baseline = SavingSessionBaseline.Compute(session, [session], history, s_uk);

        Assert.Null(baseline.KwhPerSlot);
        Assert.Equal(4, baseline.DaysMeasured);
        Assert.Equal("saving session 'jan17' at 2024-01-17 17:30: no baseline, only 4 of the 10 weekdays before it have their import measured for the session's half hours (at least 5 needed); planned without a reward", baseline.Problem);
    }

    [Fact]
    public void A_session_off_the_half_hour_grid_gives_no_baseline()
    {
        var session = Session("odd", Utc(1, 17, 17, 15), 1);

        var baseline = SavingSessionBaseline.Compute(session, [], new Dictionary<DateTimeOffset, double>(), s_uk);

        Assert.Null(baseline.KwhPerSlot);
        Assert.Contains("half-hour boundaries", baseline.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Octopoints_are_pence_at_800_to_the_pound()
    {
        // Octopus's own figure: 1,800 points per kWh is £2.25 per kWh.
        Assert.Equal(225, SavingSession.PenceFromOctopoints(1800), 9);
    }

    [Theory]
    [InlineData(null, 225, false, "automatic joining is off (Octopus:SavingSessions:AutoJoinMinPencePerKwh not set)")]
    [InlineData(200.0, 225, true, "reward 225 p/kWh reaches the 200 p/kWh threshold")]
    [InlineData(225.0, 225, true, "reward 225 p/kWh reaches the 225 p/kWh threshold")]
    [InlineData(300.0, 225, false, "reward 225 p/kWh is below the 300 p/kWh threshold")]
    [InlineData(0.0, 0, true, "reward 0 p/kWh reaches the 0 p/kWh threshold")]
    public void The_join_decision_compares_the_reward_with_the_threshold(double? min, double reward, bool join, string reason)
    {
        var session = Session("s", Utc(1, 17, 17, 30), 2, reward, joined: false);

        Assert.Equal(join, SavingSessionJoinPolicy.ShouldJoin(session, min, Utc(1, 17, 12, 0), out var why));
        Assert.Equal(reason, why);
    }

    [Fact]
    public void A_session_already_joined_or_started_is_not_joined_again()
    {
        var session = Session("s", Utc(1, 17, 17, 30), 2, 400, joined: false);

        Assert.False(SavingSessionJoinPolicy.ShouldJoin(session with { Joined = true }, 100, Utc(1, 17, 12, 0), out var joined));
        Assert.False(SavingSessionJoinPolicy.ShouldJoin(session, 100, Utc(1, 17, 17, 30), out var started));
        Assert.Equal("already joined", joined);
        Assert.Equal("already started", started);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void A_negative_threshold_is_an_error_naming_the_key(double min)
    {
        var problem = new SavingSessionOptions { AutoJoinMinPencePerKwh = min }.Problem();

        Assert.StartsWith("Octopus:SavingSessions:AutoJoinMinPencePerKwh must be a number >= 0", problem, StringComparison.Ordinal);
        Assert.Null(new SavingSessionOptions().Problem());
        Assert.Null(new SavingSessionOptions { AutoJoinMinPencePerKwh = 0 }.Problem());
    }
}
