using EdgeEnergy.Control.Fallback;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Control.Tests.Supervision;

public class ControlDeciderTests
{
    private static readonly DateTimeOffset s_start = new(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly SiteOptions s_site = new() { BatteryCapacityKwh = 5, BatteryMaxChargeKw = 2, BatteryMaxDischargeKw = 2, ReserveSocPercent = 20, GridMaxExportKw = 1.5 };
    private readonly ControlDecider _decider = new(s_site, new ControlOptions { PlanMaxAgeMinutes = 20, PricesRequiredAheadHours = 1 });

    private static RateSeries Prices(params double[] pence) =>
        new(pence.Select((p, i) => new Rate(s_start.AddMinutes(30 * i), s_start.AddMinutes(30 * (i + 1)), p)));

    private static ActivePlan PlanFor(double[] pence, double socKwh, DateTimeOffset created)
    {
        var problem = PlanProblems.Small(pence, socKwh: socKwh) with { Start = s_start };
        return new ActivePlan(problem, new OrToolsScheduleOptimiser().Solve(problem), created);
    }

    [Fact]
    public void Follows_the_current_slot_of_a_fresh_plan()
    {
        double[] pence = [5, 5, 40, 40, 40, 40];
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(10), 10, PlanFor(pence, 0, s_start), null, Prices(pence)));

        Assert.Equal(RecommendationSource.Plan, d.Source);
        Assert.Equal(InverterCommandKind.ForceCharge, d.Command.Kind);
        Assert.Equal(2000, d.Command.PowerW!.Value, 3);
        Assert.Equal(s_start.AddMinutes(30), d.ValidUntilUtc);
        Assert.StartsWith("charging", d.Reason);
        Assert.Null(d.FallbackCause);
    }

    [Fact]
    public void An_old_plan_hands_over_to_the_fallback_rules_with_the_cause()
    {
        double[] pence = [5, 5, 40, 40, 40, 40];
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(10), 50, PlanFor(pence, 0, s_start.AddMinutes(-45)), null, Prices(pence)));

        Assert.Equal(RecommendationSource.Fallback, d.Source);
        Assert.Contains("minutes old", d.FallbackCause);
        Assert.StartsWith("fallback:", d.Reason);
    }

    [Fact]
    public void Stale_prices_hand_over_to_the_fallback_rules()
    {
        double[] pence = [5, 5, 40, 40, 40, 40];
        var plan = PlanFor(pence, 0, s_start);
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(10), 50, plan, null, Prices(5)));

        Assert.Equal(RecommendationSource.Fallback, d.Source);
        Assert.Contains("prices are stale", d.FallbackCause);
    }

    [Fact]
    public void An_override_wins_over_the_plan_but_not_over_the_hard_limits()
    {
        double[] pence = [5, 5, 40, 40];
        var o = new Override { Mode = OverrideMode.ForceDischarge, StartUtc = s_start, ExpiresUtc = s_start.AddHours(1), PowerW = 9000, Source = "test" };
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(5), 80, PlanFor(pence, 0, s_start), o, Prices(pence)));

        Assert.Equal(RecommendationSource.Override, d.Source);
        Assert.Equal(InverterCommandKind.ForceDischarge, d.Command.Kind);
        Assert.Equal(1500, d.Command.PowerW!.Value, 3); // the 1.5 kW export limit (G98/G99), not the asked 9 kW
        Assert.True(d.Command.ReserveSocPercent >= 20);
    }

    [Fact]
    public void A_forced_discharge_at_the_reserve_becomes_a_hold()
    {
        var o = new Override { Mode = OverrideMode.ForceDischarge, StartUtc = s_start, ExpiresUtc = s_start.AddHours(1), Source = "test" };
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(5), 19.5, null, o, Prices(10, 10)));

        Assert.Equal(InverterCommandKind.Hold, d.Command.Kind);
        Assert.Contains("reserve", d.Reason);
    }

    [Fact]
    public void An_expired_override_is_ignored()
    {
        var o = new Override { Mode = OverrideMode.ForceCharge, StartUtc = s_start.AddHours(-2), ExpiresUtc = s_start.AddHours(-1), Source = "test" };
        var d = _decider.Decide(new ControlInputs(s_start.AddMinutes(5), 50, null, o, Prices(10, 10, 10)));

        Assert.NotEqual(RecommendationSource.Override, d.Source);
    }
}

public class FallbackRulesTests
{
    private static readonly DateTimeOffset s_start = new(2024, 1, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly SiteOptions s_site = new() { BatteryCapacityKwh = 5, BatteryMaxChargeKw = 2, ReserveSocPercent = 20 };

    private static RateSeries Prices(params double[] pence) =>
        new(pence.Select((p, i) => new Rate(s_start.AddMinutes(30 * i), s_start.AddMinutes(30 * (i + 1)), p)));

    [Fact]
    public void Charges_in_the_cheapest_known_slots() =>
        Assert.Equal(InverterCommandKind.ForceCharge, FallbackRules.Decide(s_start.AddMinutes(1), Prices(3, 4, 30, 30, 30, 30, 30, 30), 20, s_site).Command.Kind);

    [Fact]
    public void Holds_before_a_peak_that_pays_more_than_using_the_energy_now()
    {
        var d = FallbackRules.Decide(s_start.AddMinutes(1), Prices(15, 16, 17, 45, 45, 18, 18, 18), 100, s_site);

        Assert.Equal(InverterCommandKind.Hold, d.Command.Kind);
        Assert.Contains("peak", d.Reason);
    }

    [Fact]
    public void Self_use_when_no_price_is_known()
    {
        var d = FallbackRules.Decide(s_start.AddDays(3), Prices(10, 10), 50, s_site);

        Assert.Equal(InverterCommandKind.SelfUse, d.Command.Kind);
        Assert.Equal(20, d.Command.ReserveSocPercent);
        Assert.Contains("no price", d.Reason);
    }
}

public class NativeFallbackPlannerTests
{
    private static readonly SiteOptions s_site = new() { BatteryCapacityKwh = 6, BatteryMinSocPercent = 0, BatteryMaxChargeKw = 3, ChargeEfficiency = 1, ReserveSocPercent = 15 };

    [Theory]
    [InlineData("2024-01-10T15:00:00Z", "02:00", "04:00")] // winter: UK time = UTC
    [InlineData("2024-07-10T15:00:00Z", "02:00", "04:00")] // summer: BST, the periods are local time
    public void Picks_tonights_cheapest_window_long_enough_to_fill_the_battery(string now, string start, string end)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        var nightStartUtc = UkTime.ToUtc(DateOnly.FromDateTime(at.UtcDateTime), new TimeOnly(23, 0));
        // 16 half hours from 23:00 local; the cheapest run of 4 (6 kWh at 3 kW = 2 h) starts at 02:00 local.
        double[] pence = [20, 19, 18, 17, 16, 15, 9, 8, 7, 6, 12, 13, 14, 15, 16, 17];
        var rates = new RateSeries(pence.Select((p, i) => new Rate(nightStartUtc.AddMinutes(30 * i), nightStartUtc.AddMinutes(30 * (i + 1)), p)));

        var plan = NativeFallbackPlanner.Plan(at, rates, s_site)!;

        Assert.True(plan.Period.ChargeFromGrid);
        Assert.Equal(TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), plan.Period.Start);
        Assert.Equal(TimeOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), plan.Period.End);
        Assert.Equal(15, plan.MinSocPercent);
        Assert.Equal(7.5, plan.AveragePence, 6);
    }

    [Fact]
    public void In_the_night_in_progress_the_window_starts_no_earlier_than_the_current_slot()
    {
        // 02:50 UK in winter; the cheapest run (01:00-03:00, 5p) is mostly over. A dead Pi from now on can only charge
        // from the current slot, so the window is the cheapest run of 4 that has not ended: 02:30-04:30.
        var nightStartUtc = new DateTimeOffset(2024, 1, 9, 23, 0, 0, TimeSpan.Zero);
        double[] pence = [20, 19, 18, 17, 5, 5, 5, 5, 6, 6, 7, 7, 14, 15, 16, 17];
        var rates = new RateSeries(pence.Select((p, i) => new Rate(nightStartUtc.AddMinutes(30 * i), nightStartUtc.AddMinutes(30 * (i + 1)), p)));

        var plan = NativeFallbackPlanner.Plan(new DateTimeOffset(2024, 1, 10, 2, 50, 0, TimeSpan.Zero), rates, s_site)!;

        Assert.Equal(new TimeOnly(2, 30), plan.Period.Start);
        Assert.Equal(new TimeOnly(4, 30), plan.Period.End);
        Assert.Equal(6.0, plan.AveragePence, 6); // 5, 6, 6, 7
    }

    [Fact]
    public void Says_nothing_when_tonights_prices_are_unknown() =>
        Assert.Null(NativeFallbackPlanner.Plan(new DateTimeOffset(2024, 1, 10, 12, 0, 0, TimeSpan.Zero), RateSeries.Empty, s_site));
}
