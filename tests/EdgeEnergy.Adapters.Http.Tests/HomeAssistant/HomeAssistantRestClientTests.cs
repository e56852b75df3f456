using System.Text.Json;
using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Domain.Fallback;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.HomeAssistant;

public sealed class HomeAssistantRestClientTests : IAsyncLifetime
{
    private const string Token = "eyJhbGciOiJIUzI1NiJ9.long-lived";
    private readonly CapturingLoggerFactory _logs = new();
    private readonly List<string> _bodies = [];
    private LoopbackHttpServer _server = null!;

    private static readonly Dictionary<string, string> s_states = new()
    {
        ["sensor.battery_soc"] = """{"entity_id":"sensor.battery_soc","state":"63","attributes":{"unit_of_measurement":"%"},"last_updated":"2024-01-10T16:00:01.123+00:00"}""",
        ["sensor.pv_power_now"] = """{"entity_id":"sensor.pv_power_now","state":"1.27","attributes":{"unit_of_measurement":"kW"}}""",
        ["sensor.grid_consumption"] = """{"entity_id":"sensor.grid_consumption","state":"unavailable","attributes":{}}""",
        ["sensor.load_power"] = """{"entity_id":"sensor.load_power","state":"unknown","attributes":{}}""",
        ["select.work_mode"] = """{"entity_id":"select.work_mode","state":"Self Use","attributes":{"options":["Self Use","Force Charge"]}}""",
    };

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(async context =>
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var path = context.Request.Path.Value!;
        if (context.Request.Method == "GET" && path.StartsWith("/api/states/", StringComparison.Ordinal) && s_states.TryGetValue(path["/api/states/".Length..], out var state))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(state);
        }
        else if (context.Request.Method == "POST" && path == "/api/services/select/select_option")
        {
            using var reader = new StreamReader(context.Request.Body);
            _bodies.Add(await reader.ReadToEndAsync());
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[]");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Assert.DoesNotContain(Token, _logs.All);
    }

    private HomeAssistantRestClient Client(string token = Token, Domain.Control.WriteGate? gate = null) =>
        new(new HttpClient(), Options.Create(new HomeAssistantOptions { BaseUrl = _server.BaseUrl.ToString(), Token = token, RetryBaseDelay = TimeSpan.FromMilliseconds(10) }),
            TimeProvider.System, _logs.For<HomeAssistantRestClient>(), gate);

    [Fact]
    public async Task In_shadow_mode_no_service_is_called_while_states_are_still_read()
    {
        var gate = new Domain.Control.WriteGate(Domain.Control.ControlMode.Shadow);
        var client = Client(gate: gate);
        var data = new Dictionary<string, object> { ["entity_id"] = "select.work_mode", ["option"] = "Force Charge" };

        var refused = await Assert.ThrowsAsync<Domain.Control.WriteRefusedException>(() => client.CallServiceAsync("select", "select_option", data, CancellationToken.None));
        Assert.StartsWith("shadow mode: Home Assistant service select.select_option refused", refused.Message, StringComparison.Ordinal);
        Assert.Equal(63, (await client.ReadAsync("sensor.battery_soc", CancellationToken.None)).Value);
        Assert.DoesNotContain(_server.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));

        gate.Set(Domain.Control.ControlMode.Active);
        await client.CallServiceAsync("select", "select_option", data, CancellationToken.None);
        Assert.Single(_server.Requests, r => r == "POST /api/services/select/select_option");
        Assert.Contains("Force Charge", Assert.Single(_bodies), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numeric_states_are_parsed_with_their_unit()
    {
        var soc = await Client().ReadAsync("sensor.battery_soc", CancellationToken.None);
        Assert.Equal(63, soc.Value);
        Assert.Equal("%", soc.Unit);
        Assert.True(soc.Available);
        Assert.Equal(DateTimeOffset.Parse("2024-01-10T16:00:01.123Z"), soc.LastUpdatedUtc);
        var pv = await Client().ReadAsync("sensor.pv_power_now", CancellationToken.None);
        Assert.Equal(1.27, pv.Value);
        Assert.Equal("kW", pv.Unit);
    }

    [Theory]
    [InlineData("sensor.grid_consumption", "unavailable")]
    [InlineData("sensor.load_power", "unknown")]
    public async Task Unavailable_and_unknown_are_not_available_and_have_no_value(string entity, string raw)
    {
        var reading = await Client().ReadAsync(entity, CancellationToken.None);
        Assert.False(reading.Available);
        Assert.Null(reading.Value);
        Assert.Equal(raw, reading.RawState);
    }

    [Fact]
    public async Task Text_states_are_available_without_a_number()
    {
        var mode = await Client().ReadAsync("select.work_mode", CancellationToken.None);
        Assert.True(mode.Available);
        Assert.Null(mode.Value);
        Assert.Equal("Self Use", mode.RawState);
    }

    [Fact]
    public async Task An_unknown_entity_is_an_error_naming_it()
    {
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => Client().ReadAsync("sensor.nope", CancellationToken.None));
        Assert.Contains("sensor.nope", e.Message);
    }

    [Fact]
    public async Task A_refused_token_names_the_setting_not_the_token()
    {
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() => Client("bad-token-xyz").ReadAsync("sensor.battery_soc", CancellationToken.None));
        Assert.Contains("HomeAssistant:Token", e.Message);
        Assert.DoesNotContain("bad-token-xyz", e.Message);
    }

    [Fact]
    public async Task Service_calls_post_the_data_as_json()
    {
        await Client().CallServiceAsync("select", "select_option", new Dictionary<string, object> { ["entity_id"] = "select.work_mode", ["option"] = "Force Charge" }, CancellationToken.None);
        using var body = JsonDocument.Parse(_bodies.Single());
        Assert.Equal("select.work_mode", body.RootElement.GetProperty("entity_id").GetString());
        Assert.Equal("Force Charge", body.RootElement.GetProperty("option").GetString());
        Assert.Contains("POST /api/services/select/select_option", _server.Requests);
    }

    [Fact]
    public async Task A_number_goes_as_a_json_number_and_a_value_of_another_kind_is_refused_before_sending()
    {
        await Client().CallServiceAsync("select", "select_option", new Dictionary<string, object> { ["entity_id"] = "select.work_mode", ["value"] = 2500.5, ["count"] = 3, ["on"] = true }, CancellationToken.None);
        using (var body = JsonDocument.Parse(_bodies.Single()))
        {
            Assert.Equal(JsonValueKind.Number, body.RootElement.GetProperty("value").ValueKind);
            Assert.Equal(2500.5, body.RootElement.GetProperty("value").GetDouble());
            Assert.Equal(3, body.RootElement.GetProperty("count").GetInt32());
            Assert.True(body.RootElement.GetProperty("on").GetBoolean());
        }

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client().CallServiceAsync(
            "select", "select_option", new Dictionary<string, object> { ["entity_id"] = "select.work_mode", ["option"] = TimeSpan.FromMinutes(5) }, CancellationToken.None));
        Assert.Contains("'option'", e.Message, StringComparison.Ordinal);
        Assert.Contains("select.select_option", e.Message, StringComparison.Ordinal);
        Assert.Single(_bodies);
    }

    [Fact]
    public async Task A_refused_service_call_says_which_service()
    {
        var e = await Assert.ThrowsAsync<HomeAutomationException>(() =>
            Client().CallServiceAsync("number", "set_value", new Dictionary<string, object> { ["entity_id"] = "number.x", ["value"] = 3000 }, CancellationToken.None));
        Assert.Contains("number.set_value", e.Message);
    }

    [Fact]
    public void Validation_names_the_keys_and_never_the_token()
    {
        var options = new HomeAssistantOptions { BaseUrl = "ftp://x", Token = "" };
        options.Entities.WorkModeSelect = "Select.Work Mode";
        var failures = new HomeAssistantOptionsValidator().Validate(null, options).Failures!;
        Assert.Contains(failures, f => f.Contains("HomeAssistant:BaseUrl"));
        Assert.Contains(failures, f => f.Contains("HomeAssistant:Token is required"));
        Assert.Contains(failures, f => f.Contains("HomeAssistant:Entities:WorkModeSelect"));
    }
}
