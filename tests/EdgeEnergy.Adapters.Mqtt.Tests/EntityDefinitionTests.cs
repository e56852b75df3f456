using EdgeEnergy.Adapters.Mqtt.Discovery;

namespace EdgeEnergy.Adapters.Mqtt.Tests;

/// <summary>The entity definitions in mqtt-discovery/ are data: checked here file by file.</summary>
public class EntityDefinitionTests
{
    private static IReadOnlyList<EntityDefinition> Shipped() => EntityDefinitionLoader.LoadFolder(EntityDefinitionLoader.DefaultFolder);

    [Fact]
    public void The_shipped_definitions_load_and_cover_every_entity_the_issue_asks_for()
    {
        var byKey = Shipped().ToDictionary(d => d.Key, d => d.Component);

        string[] sensors =
        [
            "battery_soc", "battery_power", "pv_power", "grid_power", "load_power", "grid_import_energy", "grid_export_energy",
            "import_price", "next_import_price", "export_price", "next_export_price", "plan_status", "current_action",
            "current_reason", "next_action", "next_action_time", "cost_today", "cost_today_without_battery",
            "prices_updated", "forecast_updated", "telemetry_updated", "inverter_writes", "inverter_write_failures",
            "override_remaining", "last_command", "yesterday_actual_bill", "yesterday_edgeenergy_bill", "yesterday_no_battery_bill",
            "week_actual_bill", "week_edgeenergy_bill", "week_no_battery_bill",
        ];
        Assert.All(sensors, key => Assert.Equal("sensor", byKey[key]));
        Assert.Equal("binary_sensor", byKey["fallback_active"]);
        Assert.Equal("select", byKey["override_mode"]);
        Assert.Equal("number", byKey["override_duration"]);
        Assert.Equal("number", byKey["reserve_soc"]);
        Assert.Equal("switch", byKey["immersion_${immersion.id}"]);
        Assert.Equal("button", byKey["immersion_${immersion.id}_boost"]);
        Assert.Equal("button", byKey["replan"]);
    }

    [Fact]
    public void The_car_entities_are_the_ev_feature_and_agree_with_the_command_parser()
    {
        var car = Shipped().Where(d => d.Key.StartsWith("ev_", StringComparison.Ordinal)).ToDictionary(d => d.Key);

        Assert.Equal(["ev_charge_now", "ev_departure", "ev_planned_energy", "ev_short", "ev_target_soc"], car.Keys.Order(StringComparer.Ordinal));
        Assert.All(car.Values, d => Assert.Equal("ev", d.Feature));
        Assert.Equal("text", car["ev_departure"].Component);
        Assert.Equal("switch", car["ev_charge_now"].Component);
        Assert.Equal(["sensor", "sensor"], new[] { car["ev_planned_energy"].Component, car["ev_short"].Component });

        // Home Assistant refuses in its UI what the appliance would reject: the same pattern and range.
        var pattern = new System.Text.RegularExpressions.Regex(car["ev_departure"].Config["pattern"]!.GetValue<string>());
        foreach (var text in new[] { "00:00", "06:45", "23:59", "7:30", "24:00", "12:60", "noon" })
        {
            Assert.Equal(pattern.IsMatch(text), Domain.UserOverrides.OverrideCommandParser.ParseTimeOfDay(text).IsValid);
        }

        var target = car["ev_target_soc"].Config;
        Assert.Equal(Domain.UserOverrides.OverrideCommandParser.EvTargetSocMin, target["min"]!.GetValue<int>());
        Assert.Equal(100, target["max"]!.GetValue<int>());
    }

    [Fact]
    public void The_mode_select_offers_exactly_the_override_modes()
    {
        var select = Shipped().Single(d => d.Key == "override_mode");
        var options = select.Config["options"]!.AsArray().Select(o => o!.GetValue<string>());
        Assert.Equal(Domain.UserOverrides.OverrideModeNames.All, options);
    }

    [Fact]
    public void Energy_totals_are_ready_for_the_energy_dashboard()
    {
        foreach (var key in new[] { "grid_import_energy", "grid_export_energy" })
        {
            var config = Shipped().Single(d => d.Key == key).Config;
            Assert.Equal("energy", config["device_class"]!.GetValue<string>());
            Assert.Equal("kWh", config["unit_of_measurement"]!.GetValue<string>());
            Assert.Equal("total_increasing", config["state_class"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"A"},"colour":"red"}""", "unknown field 'colour'")]
    [InlineData("""{"component":"light","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"A"}}""", "'component' 'light' is not one of")]
    [InlineData("""{"component":"sensor","key":"Bad Key","value":"batterySocPercent","qos":0,"config":{"name":"A"}}""", "must match [a-z0-9_]+")]
    [InlineData("""{"component":"sensor","key":"a","value":"soc","qos":0,"config":{"name":"A"}}""", "'value' 'soc' is not a known state value")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":3,"config":{"name":"A"}}""", "must be 0, 1 or 2")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"A","state_topic":"x"}}""", "config key 'state_topic' is set by the publisher")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","command":"replan","qos":0,"config":{"name":"A"}}""", "'command' is required for")]
    [InlineData("""{"component":"switch","key":"a","value":"batterySocPercent","command":"explode","qos":0,"config":{"name":"A"}}""", "'command' 'explode' is not one of")]
    [InlineData("""{"component":"button","key":"a","value":"batterySocPercent","command":"replan","qos":0,"config":{"name":"A"}}""", "a button has no state")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"${limits.bogus}"}}""", "unknown placeholder '${limits.bogus}'")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{}}""", "config 'name' must be a string")]
    [InlineData("""{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"A"}""", "malformed JSON")]
    public void A_bad_definition_is_rejected_naming_the_file_and_field(string json, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => EntityDefinitionLoader.Parse(json, "mqtt-discovery/x.json"));
        Assert.StartsWith("mqtt-discovery/x.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_defined_twice_is_rejected()
    {
        var folder = Directory.CreateTempSubdirectory("edgeenergy-defs-").FullName;
        try
        {
            const string Json = """{"component":"sensor","key":"a","value":"batterySocPercent","qos":0,"config":{"name":"A"}}""";
            File.WriteAllText(Path.Combine(folder, "one.json"), Json);
            File.WriteAllText(Path.Combine(folder, "two.json"), Json);
            var ex = Assert.Throws<InvalidDataException>(() => EntityDefinitionLoader.LoadFolder(folder));
            Assert.Contains("key 'a' is defined twice", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Number_ranges_come_from_the_hard_limits()
    {
        var options = new MqttOptions();
        var builder = new DiscoveryBuilder(Shipped(), options, BridgeHarness.Limits, "1.0");
        var reserve = builder.Instances([]).Single(i => i.Key == "reserve_soc").Config;
        Assert.Equal(10, reserve["min"]!.GetValue<double>());
        Assert.Equal(90, reserve["max"]!.GetValue<double>());
        var duration = builder.Instances([]).Single(i => i.Key == "override_duration").Config;
        Assert.Equal(5, duration["min"]!.GetValue<int>());
        Assert.Equal(720, duration["max"]!.GetValue<int>());
    }

    [Fact]
    public void Immersion_ids_become_safe_topic_levels()
    {
        Assert.Equal("hot_water_2", DiscoveryBuilder.TopicId("Hot water/2"));
        Assert.Equal("tank", DiscoveryBuilder.TopicId("tank"));
    }
}
