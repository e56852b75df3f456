using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Adapters.Mqtt.Publishing;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Testing.Appliance;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>What each state topic carries for a given snapshot: units, signs, unknowns.</summary>
public class StateProjectionTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Project(ApplianceSnapshot state)
    {
        var builder = new DiscoveryBuilder(EntityDefinitionLoader.LoadFolder(EntityDefinitionLoader.DefaultFolder), new MqttOptions(), BridgeHarness.Limits, "1.0");
        return StateProjection.Project(builder.Instances(state.Immersions), builder, state, s_now).ToDictionary(m => m.Topic, m => m.Payload);
    }

    [Fact]
    public void Powers_keep_our_signs_and_prices_go_out_in_pounds_per_kwh()
    {
        var topics = Project(FakeAppliance.Sample);

        Assert.Equal("-1500", topics[Topics.State("battery_power")]); // charging
        Assert.Equal("2300", topics[Topics.State("grid_power")]);     // importing
        Assert.Equal("0.214", topics[Topics.State("import_price")]);
        Assert.Equal("0.352", topics[Topics.State("next_import_price")]);
        Assert.Equal("1.82", topics[Topics.State("cost_today")]);
        Assert.Equal("3.12", topics[Topics.State("cost_today_without_battery")]);
        Assert.Equal("1234.567", topics[Topics.State("grid_import_energy")]);
        Assert.Equal("charge", topics[Topics.State("current_action")]);
        Assert.Equal("2026-11-27T16:00:00+00:00", topics[Topics.State("next_action_time")]);
        Assert.Equal("ON", topics[Topics.State("immersion_tank")]);
        Assert.Equal("OFF", topics[Topics.State("fallback_active")]);
        Assert.Equal("""{"reason":"charging at 21.4p to cover the 16:00-19:00 peak at 35p"}""", topics["edgeenergy/attributes/current_action"]);
    }

    [Fact]
    public void Octopus_dispatches_give_the_next_start_and_the_count_of_those_not_ended_and_unknown_off_intelligent_go()
    {
        var schedule = new Domain.Prices.DispatchSchedule(
        [
            new Domain.Prices.PlannedDispatch(s_now.AddHours(-2), s_now.AddHours(-1), Domain.Prices.DispatchKind.Smart), // ended
            new Domain.Prices.PlannedDispatch(s_now.AddMinutes(-10), s_now.AddMinutes(20), Domain.Prices.DispatchKind.Smart), // in progress
            new Domain.Prices.PlannedDispatch(s_now.AddHours(3), s_now.AddHours(3.5), Domain.Prices.DispatchKind.Boost),
        ], s_now, null);

        var on = Project(FakeAppliance.Sample with { Dispatches = schedule });
        var off = Project(FakeAppliance.Sample);

        Assert.Equal("2026-11-27T14:50:00+00:00", on[Topics.State("octopus_next_dispatch")]);
        Assert.Equal("2", on[Topics.State("octopus_dispatches_planned")]);
        Assert.Equal(
            """{"dispatches":[{"start":"2026-11-27T14:50:00.0000000Z","end":"2026-11-27T15:20:00.0000000Z","kind":"smart"},{"start":"2026-11-27T18:00:00.0000000Z","end":"2026-11-27T18:30:00.0000000Z","kind":"boost"}]}""",
            on["edgeenergy/attributes/octopus_next_dispatch"]);
        Assert.Equal("None", off[Topics.State("octopus_next_dispatch")]);
        Assert.Equal("None", off[Topics.State("octopus_dispatches_planned")]);
    }

    [Fact]
    public void The_saving_session_reward_expected_is_the_plans_in_pounds_zero_without_a_session_and_unknown_without_a_plan()
    {
        var sample = FakeAppliance.Sample;
        var withSession = sample with { Plan = sample.Plan! with { Plan = sample.Plan.Plan with { ExpectedSessionRewardPence = 189 } } };

        Assert.Equal("1.89", Project(withSession)[Topics.State("saving_session_reward")]);
        Assert.Equal("0", Project(sample)[Topics.State("saving_session_reward")]);
        Assert.Equal("None", Project(sample with { Plan = null })[Topics.State("saving_session_reward")]);
    }

    [Fact]
    public void Reported_bills_go_out_in_pounds_and_an_incomplete_day_or_week_as_unknown_never_zero()
    {
        var computed = new DateTimeOffset(2026, 11, 27, 0, 10, 0, TimeSpan.Zero);
        var complete = Project(FakeAppliance.Sample with
        {
            Bills = new ReportedBills(new DateOnly(2026, 11, 26), new DayBills(412.3, 371.8, 530.1), new DayBills(2890.44, 2601, 3702.6), 7, computed),
        });

        Assert.Equal("4.12", complete[Topics.State("yesterday_actual_bill")]);
        Assert.Equal("3.72", complete[Topics.State("yesterday_edgeenergy_bill")]);
        Assert.Equal("5.3", complete[Topics.State("yesterday_no_battery_bill")]);
        Assert.Equal("28.9", complete[Topics.State("week_actual_bill")]);
        Assert.Equal("26.01", complete[Topics.State("week_edgeenergy_bill")]);
        Assert.Equal("37.03", complete[Topics.State("week_no_battery_bill")]);
        Assert.Equal("""{"from":"2026-11-20","to":"2026-11-26","complete_days":7,"computed":"2026-11-27T00:10:00.0000000Z"}""", complete["edgeenergy/attributes/week_actual_bill"]);

        var incomplete = Project(FakeAppliance.Sample with { Bills = new ReportedBills(new DateOnly(2026, 11, 26), null, null, 6, computed) });
        foreach (var key in new[] { "yesterday_actual_bill", "yesterday_edgeenergy_bill", "yesterday_no_battery_bill", "week_actual_bill", "week_edgeenergy_bill", "week_no_battery_bill" })
        {
            Assert.Equal("None", incomplete[Topics.State(key)]);
            Assert.Equal("None", Project(ApplianceSnapshot.Empty)[Topics.State(key)]);
        }

        Assert.Equal("""{"date":"2026-11-26","complete":false,"computed":"2026-11-27T00:10:00.0000000Z"}""", incomplete["edgeenergy/attributes/yesterday_actual_bill"]);
    }

    [Fact]
    public void Unknown_values_are_published_as_None()
    {
        var topics = Project(ApplianceSnapshot.Empty);

        Assert.Equal("None", topics[Topics.State("battery_soc")]);
        Assert.Equal("None", topics[Topics.State("import_price")]);
        Assert.Equal("None", topics[Topics.State("plan_status")]);
        Assert.Equal("None", topics[Topics.State("prices_updated")]);
        Assert.Equal("auto", topics[Topics.State("override_mode")]);
        Assert.Equal("0", topics[Topics.State("override_remaining")]);
    }

    [Fact]
    public void Fallback_cause_is_an_attribute_only_while_active()
    {
        var active = Project(FakeAppliance.Sample with { Fallback = new FallbackState(true, "no prices for the next slot", s_now) });
        Assert.Equal("ON", active[Topics.State("fallback_active")]);
        Assert.Equal("""{"cause":"no prices for the next slot"}""", active["edgeenergy/attributes/fallback_active"]);

        var inactive = Project(FakeAppliance.Sample with { Fallback = new FallbackState(false, "stale", null) });
        Assert.Equal("""{"cause":null}""", inactive["edgeenergy/attributes/fallback_active"]);
    }

    [Fact]
    public void Remaining_override_time_rounds_up_and_an_expired_override_shows_auto()
    {
        var o = new Override { Mode = OverrideMode.Hold, StartUtc = s_now.AddMinutes(-10), ExpiresUtc = s_now.AddSeconds(30) };
        var running = Project(FakeAppliance.Sample with { UserOverride = o });
        Assert.Equal("hold", running[Topics.State("override_mode")]);
        Assert.Equal("1", running[Topics.State("override_remaining")]);

        var expired = Project(FakeAppliance.Sample with { UserOverride = o with { ExpiresUtc = s_now } });
        Assert.Equal("auto", expired[Topics.State("override_mode")]);
        Assert.Equal("0", expired[Topics.State("override_remaining")]);
    }

    [Fact]
    public void A_long_reason_is_cut_to_what_Home_Assistant_stores()
    {
        var topics = Project(FakeAppliance.Sample with { Recommendation = FakeAppliance.Sample.Recommendation! with { Reason = new string('x', 400) } });
        Assert.Equal(StateProjection.MaxStateLength, topics[Topics.State("current_reason")].Length);
    }

    [Fact]
    public void Each_price_says_whether_it_is_published_or_estimated_and_the_plan_says_until_when_prices_are_published()
    {
        var plan = FakeAppliance.Plan(s_now, s_now, [(21.4, 12.1, SlotMode.Charge, false), (35.2, 15.0, SlotMode.Charge, true), (35.9, 15.2, SlotMode.Discharge, true)]);

        var topics = Project(FakeAppliance.Sample with { Plan = plan });

        Assert.Equal("""{"estimated":false,"price_source":"published","slot_start":"2026-11-27T15:00:00.0000000Z"}""", topics["edgeenergy/attributes/import_price"]);
        Assert.Equal("""{"estimated":false,"price_source":"published","slot_start":"2026-11-27T15:00:00.0000000Z"}""", topics["edgeenergy/attributes/export_price"]);
        Assert.Equal("""{"estimated":true,"price_source":"estimated","slot_start":"2026-11-27T15:30:00.0000000Z"}""", topics["edgeenergy/attributes/next_import_price"]);
        Assert.Equal("""{"estimated":true,"price_source":"estimated","slot_start":"2026-11-27T15:30:00.0000000Z"}""", topics["edgeenergy/attributes/next_export_price"]);
        Assert.Equal("0.352", topics[Topics.State("next_import_price")]);
        Assert.Equal("2026-11-27T15:30:00+00:00", topics[Topics.State("prices_published_until")]);
        Assert.Equal("""{"estimated_slots":2,"estimated_from":"2026-11-27T15:30:00.0000000Z","plan_end":"2026-11-27T16:30:00.0000000Z"}""", topics["edgeenergy/attributes/prices_published_until"]);
    }

    [Fact]
    public void Without_a_plan_nothing_claims_a_price_is_published_or_estimated()
    {
        var topics = Project(ApplianceSnapshot.Empty);

        Assert.Equal("""{"estimated":null,"price_source":null,"slot_start":null}""", topics["edgeenergy/attributes/import_price"]);
        Assert.Equal("""{"estimated":null,"price_source":null,"slot_start":null}""", topics["edgeenergy/attributes/next_import_price"]);
        Assert.Equal("None", topics[Topics.State("prices_published_until")]);
        Assert.Equal("""{"estimated_slots":null,"estimated_from":null,"plan_end":null}""", topics["edgeenergy/attributes/prices_published_until"]);
    }
}
