using System.Collections.Concurrent;
using System.Text.Json;
using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.HomeAssistant;

/// <summary>The battery driven through a fake Home Assistant on loopback Kestrel that records every service call.</summary>
public sealed class HomeAssistantBatteryTests : IAsyncLifetime
{
    private const string Token = "ha-token";
    private readonly ConcurrentQueue<(string Service, JsonElement Data)> _calls = new();
    private readonly ConcurrentDictionary<string, string> _states = new()
    {
        ["sensor.battery_soc"] = """{"state":"57","attributes":{"unit_of_measurement":"%"}}""",
        ["sensor.battery_discharge"] = """{"state":"-1.5","attributes":{"unit_of_measurement":"kW"}}""",
        ["sensor.grid_consumption"] = """{"state":"2100","attributes":{"unit_of_measurement":"W"}}""",
        ["sensor.load_power"] = """{"state":"unavailable","attributes":{}}""",
        ["sensor.pv_power_now"] = """{"state":"0.6","attributes":{"unit_of_measurement":"kW"}}""",
        ["switch.immersion"] = """{"state":"off","attributes":{}}""",
    };

    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(async context =>
    {
        var path = context.Request.Path.Value!;
        if (context.Request.Method == "GET" && path.StartsWith("/api/states/", StringComparison.Ordinal) && _states.TryGetValue(path["/api/states/".Length..], out var state))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(state);
        }
        else if (context.Request.Method == "POST" && path.StartsWith("/api/services/", StringComparison.Ordinal))
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            _calls.Enqueue((path["/api/services/".Length..], document.RootElement.Clone()));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[]");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HomeAssistantBattery Battery(Action<HomeAssistantOptions>? configure = null)
    {
        var options = new HomeAssistantOptions { BaseUrl = _server.BaseUrl.ToString(), Token = Token, RetryAttempts = 0, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
        options.Entities.BatterySoc = "sensor.battery_soc";
        options.Entities.BatteryPower = "sensor.battery_discharge";
        options.Entities.GridPower = "sensor.grid_consumption";
        options.Entities.LoadPower = "sensor.load_power";
        options.Entities.PvPower = "sensor.pv_power_now";
        options.Entities.WorkModeSelect = "select.work_mode";
        options.Entities.ChargePowerNumber = "number.force_charge_power";
        options.Entities.DischargePowerNumber = "number.force_discharge_power";
        options.Entities.MinSocNumber = "number.min_soc_on_grid";
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        var client = new HomeAssistantRestClient(new HttpClient(), wrapped, TimeProvider.System, new CapturingLoggerFactory().For<HomeAssistantRestClient>());
        return new HomeAssistantBattery(client, client, wrapped);
    }

    [Fact]
    public async Task Telemetry_is_read_in_watts_with_the_domain_signs_and_unavailable_left_empty()
    {
        var t = await Battery().ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal(HomeAssistantBattery.Family, t.Family);
        Assert.Equal(57, t.BatterySocPercent);
        Assert.Equal(-1500, t.BatteryPowerW);
        Assert.Equal(2100, t.GridPowerW);
        Assert.Null(t.LoadPowerW);
        Assert.Equal(600, t.PvPowerW);
    }

    [Fact]
    public async Task An_unavailable_state_of_charge_is_an_error_naming_the_entity()
    {
        _states["sensor.battery_soc"] = """{"state":"unavailable","attributes":{}}""";
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => Battery().ReadTelemetryAsync(CancellationToken.None));
        Assert.Contains("sensor.battery_soc", e.Message);
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    public async Task A_power_that_is_not_a_finite_number_is_unknown_and_a_state_of_charge_that_is_not_is_an_error(string state)
    {
        // A template sensor divides by zero: Home Assistant reports "nan" or "inf" as the state, which parses as a double.
        _states["sensor.pv_power_now"] = $$$"""{"state":"{{{state}}}","attributes":{"unit_of_measurement":"kW"}}""";
        var t = await Battery().ReadTelemetryAsync(CancellationToken.None);
        Assert.Null(t.PvPowerW);
        Assert.Equal(57, t.BatterySocPercent);

        _states["sensor.battery_soc"] = $$$"""{"state":"{{{state}}}","attributes":{"unit_of_measurement":"%"}}""";
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => Battery().ReadTelemetryAsync(CancellationToken.None));
        Assert.Contains("sensor.battery_soc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_power_in_an_unknown_unit_is_refused_not_guessed()
    {
        _states["sensor.grid_consumption"] = """{"state":"2","attributes":{"unit_of_measurement":"MW"}}""";
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => Battery().ReadTelemetryAsync(CancellationToken.None));
        Assert.Contains("sensor.grid_consumption", e.Message);
        Assert.Contains("MW", e.Message);
    }

    [Fact]
    public async Task Force_charge_sets_reserve_and_power_before_the_work_mode()
    {
        await Battery().ApplyAsync(InverterCommand.ForceCharge(3000, 20), CancellationToken.None);
        var calls = _calls.ToArray();
        Assert.Equal(["number/set_value", "number/set_value", "select/select_option"], calls.Select(c => c.Service));
        Assert.Equal("number.min_soc_on_grid", calls[0].Data.GetProperty("entity_id").GetString());
        Assert.Equal(20, calls[0].Data.GetProperty("value").GetDouble());
        Assert.Equal("number.force_charge_power", calls[1].Data.GetProperty("entity_id").GetString());
        Assert.Equal(3000, calls[1].Data.GetProperty("value").GetDouble());
        Assert.Equal("select.work_mode", calls[2].Data.GetProperty("entity_id").GetString());
        Assert.Equal("Force Charge", calls[2].Data.GetProperty("option").GetString());
    }

    [Fact]
    public async Task Force_discharge_uses_the_discharge_number()
    {
        await Battery().ApplyAsync(InverterCommand.ForceDischarge(2500, 30), CancellationToken.None);
        var calls = _calls.ToArray();
        Assert.Equal("number.force_discharge_power", calls[1].Data.GetProperty("entity_id").GetString());
        Assert.Equal(2500, calls[1].Data.GetProperty("value").GetDouble());
        Assert.Equal("Force Discharge", calls[2].Data.GetProperty("option").GetString());
    }

    [Theory]
    [InlineData(InverterCommandKind.SelfUse, "Self Use")]
    [InlineData(InverterCommandKind.Hold, "Back-up")]
    public async Task Self_use_and_hold_select_their_mode_without_a_power(InverterCommandKind kind, string option)
    {
        await Battery().ApplyAsync(new InverterCommand(kind, null, 15), CancellationToken.None);
        Assert.Equal(["number/set_value", "select/select_option"], _calls.Select(c => c.Service));
        Assert.Equal(option, _calls.Last().Data.GetProperty("option").GetString());
    }

    [Fact]
    public async Task Configured_mode_names_are_used()
    {
        await Battery(o => o.WorkModes.ForceCharge = "Force charge").ApplyAsync(InverterCommand.ForceCharge(1000, 10), CancellationToken.None);
        Assert.Equal("Force charge", _calls.Last().Data.GetProperty("option").GetString());
    }

    [Fact]
    public async Task Force_charge_without_a_power_number_is_refused_before_any_call()
    {
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() =>
            Battery(o => (o.Entities.ChargePowerNumber, o.Entities.MinSocNumber) = (null, null)).ApplyAsync(InverterCommand.ForceCharge(1000, 10), CancellationToken.None));
        Assert.Contains("HomeAssistant:Entities:ChargePowerNumber", e.Message);
        Assert.Empty(_calls);
    }

    [Fact]
    public void Validation_wants_a_soc_sensor_with_a_work_mode_select_and_non_empty_modes()
    {
        var options = new HomeAssistantOptions { BaseUrl = "http://127.0.0.1:8123/", Token = "t" };
        options.Entities.WorkModeSelect = "select.work_mode";
        options.WorkModes.Hold = " ";
        var failures = new HomeAssistantOptionsValidator().Validate(null, options).Failures!;
        Assert.Contains(failures, f => f.Contains("HomeAssistant:Entities:BatterySoc is required"));
        Assert.Contains(failures, f => f.Contains("HomeAssistant:WorkModes:Hold"));
        Assert.False(options.BatteryPathConfigured);
        options.Entities.BatterySoc = "sensor.battery_soc";
        Assert.True(options.BatteryPathConfigured);
    }

    [Fact]
    public async Task A_switch_relay_turns_on_and_off_in_its_domain_and_reads_its_state()
    {
        var options = new HomeAssistantOptions { BaseUrl = _server.BaseUrl.ToString(), Token = Token, RetryAttempts = 0 };
        var client = new HomeAssistantRestClient(new HttpClient(), Options.Create(options), TimeProvider.System, new CapturingLoggerFactory().For<HomeAssistantRestClient>());
        var relay = new HomeAssistantSwitch("switch.immersion", client, client);
        Assert.False(await relay.GetAsync(CancellationToken.None));
        await relay.SetAsync(true, CancellationToken.None);
        await relay.SetAsync(false, CancellationToken.None);
        Assert.Equal(["switch/turn_on", "switch/turn_off"], _calls.Select(c => c.Service));
        Assert.All(_calls, c => Assert.Equal("switch.immersion", c.Data.GetProperty("entity_id").GetString()));

        _states["switch.immersion"] = """{"state":"unavailable","attributes":{}}""";
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => relay.GetAsync(CancellationToken.None));
        Assert.Contains("switch.immersion", e.Message);
        Assert.Throws<FormatException>(() => new HomeAssistantSwitch("Switch Immersion", client, client));
    }
}
