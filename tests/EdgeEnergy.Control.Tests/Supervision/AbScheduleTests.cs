using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Control.Tests.Supervision;

/// <summary>
/// <c>Control:AbSchedule</c> (issue 16 §4): which UK days are A and B, when the day changes (UK midnight, GMT and BST),
/// and the options check that names both keys when the schedule comes with shadow mode.
/// </summary>
public sealed class AbScheduleTests
{
    private static AbSchedule Alternate()
    {
        Assert.True(AbSchedule.TryParse("alternate-days", out var schedule));
        return schedule;
    }

    [Theory]
    [InlineData("2000-01-01", true)] // the epoch, day 0
    [InlineData("2000-01-02", false)]
    [InlineData("2026-12-01", false)] // day 9831
    [InlineData("2026-12-02", true)] // day 9832
    [InlineData("2027-01-01", true)] // day 9862: across the year end the alternation continues
    public void A_days_are_the_even_days_since_1_january_2000(string date, bool isA)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(isA, Alternate().IsADay(day));
        Assert.Equal(isA ? ControlMode.Active : ControlMode.Shadow, Alternate().ModeOn(day, ControlMode.Active));
        Assert.Equal(ControlMode.Shadow, Alternate().ModeOn(day, ControlMode.Shadow));
    }

    [Fact]
    public void With_the_schedule_off_every_day_is_the_chosen_mode()
    {
        Assert.True(AbSchedule.TryParse(null, out var off));

        Assert.False(off.Enabled);
        Assert.Equal(ControlMode.Active, off.ModeOn(new DateOnly(2026, 12, 1), ControlMode.Active));
    }

    [Fact]
    public void The_day_changes_at_uk_midnight_in_winter_and_summer()
    {
        var schedule = Alternate();

        // Winter: UK midnight is 00:00 UTC.
        Assert.Equal(new DateOnly(2026, 12, 1), schedule.DateOf(new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), schedule.NextSwitchUtc(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)));
        // Summer: UK midnight is 23:00 UTC the evening before.
        Assert.Equal(new DateOnly(2026, 7, 2), schedule.DateOf(new DateTimeOffset(2026, 7, 1, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 23, 0, 0, TimeSpan.Zero), schedule.NextSwitchUtc(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("active", "alternate-days", null)]
    [InlineData("shadow", "off", null)]
    [InlineData("shadow", "alternate-days", "Control:AbSchedule 'alternate-days' needs Control:Mode active, not shadow")]
    [InlineData("active", "weekly", "Control:AbSchedule 'weekly' is not a schedule: use off or alternate-days")]
    public void Options_check_names_the_keys(string mode, string schedule, string? error)
    {
        var result = new ControlOptionsValidator().Validate(null, new ControlOptions { Mode = mode, AbSchedule = schedule });

        if (error is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(error, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(null, ControlMode.Active, "active")]
    [InlineData("active", ControlMode.Active, "active")]
    [InlineData("shadow", ControlMode.Shadow, "shadow")]
    [InlineData("active", ControlMode.Shadow, "mixed")]
    [InlineData("mixed", ControlMode.Active, "mixed")]
    public void A_day_that_changed_mode_is_recorded_mixed(string? recorded, ControlMode now, string stored) =>
        Assert.Equal(stored, DayModes.Next(recorded, now));
}
