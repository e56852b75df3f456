using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Domain.Tests.UserOverrides;

public class OverrideCommandParserTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    private static readonly OverrideLimits s_limits = new()
    {
        MaxChargePowerW = 3000, MaxDischargePowerW = 2500, MinReserveSocPercent = 10, MaxReserveSocPercent = 90,
        MinDurationMinutes = 5, MaxDurationMinutes = 720,
    };

    [Theory]
    [InlineData("force-charge", OverrideMode.ForceCharge)]
    [InlineData("force-discharge", OverrideMode.ForceDischarge)]
    [InlineData("hold", OverrideMode.Hold)]
    [InlineData("self-use", OverrideMode.SelfUse)]
    public void A_mode_name_gives_an_override_lasting_the_configured_duration(string payload, OverrideMode mode)
    {
        var result = OverrideCommandParser.ParseMode(payload, 45, s_now, s_limits, "test");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(mode, result.Value!.Mode);
        Assert.Equal(s_now, result.Value.StartUtc);
        Assert.Equal(s_now.AddMinutes(45), result.Value.ExpiresUtc);
        Assert.Null(result.Value.PowerW);
    }

    [Fact]
    public void Auto_clears_the_override()
    {
        var result = OverrideCommandParser.ParseMode("auto", 45, s_now, s_limits, "test");
        Assert.True(result.IsValid);
        Assert.Null(result.Value);
    }

    [Fact]
    public void A_json_command_sets_power_duration_and_reserve()
    {
        var result = OverrideCommandParser.ParseMode("""{"mode":"force-discharge","powerW":2500,"durationMinutes":30,"reserveSocPercent":40}""", 60, s_now, s_limits, "api");

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(2500, result.Value!.PowerW);
        Assert.Equal(40, result.Value.ReserveSocPercent);
        Assert.Equal(s_now.AddMinutes(30), result.Value.ExpiresUtc);
        Assert.Equal("api", result.Value.Source);
    }

    [Theory]
    [InlineData("", "empty payload")]
    [InlineData("AUTO", "unknown mode 'AUTO' (allowed: auto, force-charge, force-discharge, hold, self-use)")]
    [InlineData("{\"mode\":\"hold\"", "malformed JSON")]
    [InlineData("{\"powerW\":100}", "JSON command has no 'mode'")]
    [InlineData("{\"mode\":7}", "'mode' has the wrong type (Number)")]
    [InlineData("{\"mode\":\"force-charge\",\"powerW\":3001}", "powerW 3001 W is outside the hard limit 0 < powerW <= 3000 W for force-charge")]
    [InlineData("{\"mode\":\"force-discharge\",\"powerW\":0}", "powerW 0 W is outside the hard limit 0 < powerW <= 2500 W")]
    [InlineData("{\"mode\":\"hold\",\"powerW\":100}", "powerW only applies to force-charge and force-discharge, not hold")]
    [InlineData("{\"mode\":\"hold\",\"reserveSocPercent\":5}", "reserveSocPercent 5% is outside the hard limits 10..90%")]
    [InlineData("{\"mode\":\"hold\",\"durationMinutes\":4}", "override duration 4 min is outside the hard limits 5..720 min")]
    [InlineData("{\"mode\":\"auto\",\"powerW\":100}", "mode 'auto' takes no powerW or reserveSocPercent")]
    public void A_bad_mode_command_is_rejected_with_its_reason(string payload, string reason)
    {
        var result = OverrideCommandParser.ParseMode(payload, 60, s_now, s_limits, "test");

        Assert.False(result.IsValid);
        Assert.StartsWith(reason, result.Error!, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Fact]
    public void A_very_long_payload_is_rejected_unread()
    {
        var result = OverrideCommandParser.ParseMode(new string('x', 5000), 60, s_now, s_limits, "test");
        Assert.Equal("payload of 5000 characters is longer than 1024", result.Error);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("30.0", 30)]
    [InlineData(" 720 ", 720)]
    public void A_duration_is_whole_minutes(string payload, int minutes)
    {
        Assert.Equal(minutes, OverrideCommandParser.ParseDurationMinutes(payload, s_limits).Value);
    }

    [Theory]
    [InlineData("4", "override duration 4 min is outside the hard limits 5..720 min")]
    [InlineData("721", "override duration 721 min is outside the hard limits 5..720 min")]
    [InlineData("7.5", "override duration 7.5 min is not a whole number of minutes")]
    [InlineData("Infinity", "override duration 'Infinity' is not a number")]
    [InlineData("1e400", "override duration '1e400' is not a number")]
    public void A_bad_duration_is_rejected(string payload, string reason)
    {
        Assert.Equal(reason, OverrideCommandParser.ParseDurationMinutes(payload, s_limits).Error);
    }

    [Theory]
    [InlineData("10", null)]
    [InlineData("90", null)]
    [InlineData("9.9", "reserve SoC 9.9% is outside the hard limits 10..90%")]
    [InlineData("100", "reserve SoC 100% is outside the hard limits 10..90%")]
    [InlineData("fifty", "reserve SoC 'fifty' is not a number")]
    public void A_reserve_stays_inside_the_hard_limits(string payload, string? reason)
    {
        Assert.Equal(reason, OverrideCommandParser.ParseReserveSocPercent(payload, s_limits).Error);
    }

    [Theory]
    [InlineData("ON", true)]
    [InlineData("OFF", false)]
    public void A_switch_takes_ON_or_OFF(string payload, bool on)
    {
        Assert.Equal(on, OverrideCommandParser.ParseSwitch(payload).Value);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("1")]
    [InlineData("")]
    public void Anything_else_on_a_switch_is_rejected(string payload)
    {
        Assert.False(OverrideCommandParser.ParseSwitch(payload).IsValid);
    }

    [Fact]
    public void A_button_takes_only_PRESS()
    {
        Assert.True(OverrideCommandParser.ParseButton("PRESS").IsValid);
        Assert.Equal("button payload 'press' is not PRESS", OverrideCommandParser.ParseButton("press").Error);
    }

    [Fact]
    public void The_default_limits_are_consistent_and_broken_ones_are_reported()
    {
        Assert.Empty(new OverrideLimits().Validate());
        var problems = new OverrideLimits { MaxChargePowerW = 0, MinReserveSocPercent = 95, MaxReserveSocPercent = 90 }.Validate();
        Assert.Equal(2, problems.Count);
    }
}
