using EdgeEnergy.Adapters.Http.Evcc;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Evcc;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Http.Tests.Evcc;

/// <summary>The evcc client against the evcc double on loopback: what it reads, the exact requests it sends, the audit rows.</summary>
public sealed class EvccClientTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryAuditLog _audit = new();
    private readonly CapturingLoggerFactory _logs = new();
    private FakeEvccApi _evcc = null!;
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _evcc = new FakeEvccApi(_time).WithVehicle("polestar", 78);
        _server = await LoopbackHttpServer.StartAsync(_evcc.HandleAsync);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private EvccClient Client(int loadpoint = 1, string? url = null, WriteGate? gate = null, string? vehicle = null) =>
        new(new HttpClient(), Options.Create(new EvOptions
        {
            EvccUrl = url ?? _server.BaseUrl.ToString().TrimEnd('/'),
            Loadpoint = loadpoint,
            Vehicle = vehicle,
            RetryAttempts = 1,
        }), _audit, _time, _logs.For<EvccClient>(), gate);

    [Fact]
    public async Task The_state_gives_the_plugged_in_car_with_its_soc_capacity_mode_and_current()
    {
        _evcc.Plug("polestar", 35);

        var state = await Client().ReadAsync(CancellationToken.None);

        Assert.True(state.Connected);
        Assert.Equal("polestar", state.VehicleName);
        Assert.Equal(35, state.VehicleSocPercent);
        Assert.Equal(78, state.VehicleCapacityKwh);
        Assert.Equal(EvChargeMode.Pv, state.Mode);
        Assert.Equal(16, state.MaxCurrentA);
        Assert.Null(state.Plan);
        Assert.Null(state.BatteryControlWarning);
        Assert.Equal(["GET /api/state"], _server.Requests);
    }

    [Fact]
    public async Task A_guest_car_without_soc_reads_as_unknown_not_zero_and_takes_the_configured_vehicle_name()
    {
        _evcc.Plug(vehicle: null, socPercent: null);

        var state = await Client(vehicle: "polestar").ReadAsync(CancellationToken.None);

        Assert.True(state.Connected);
        Assert.Null(state.VehicleSocPercent);
        Assert.Equal("polestar", state.VehicleName);
    }

    [Fact]
    public async Task Commands_are_the_exact_evcc_routes_each_answered_and_audited_with_its_reason()
    {
        _evcc.Plug("polestar", 35);
        var client = Client();
        var deadline = new EvDeadline("polestar", 80, new DateTimeOffset(2026, 12, 3, 7, 30, 0, TimeSpan.Zero));

        await client.SetModeAsync(EvChargeMode.Now, "cheap slot", CancellationToken.None);
        await client.SetMaxCurrentAsync(10, "3.2 kWh this slot", CancellationToken.None);
        await client.SetDeadlineAsync(deadline, "fail-safe", CancellationToken.None);

        Assert.Equal(
            ["POST /api/loadpoints/1/mode/now", "POST /api/loadpoints/1/maxcurrent/10", "POST /api/vehicles/polestar/plan/soc/80/2026-12-03T07:30:00Z"],
            _server.Requests);
        Assert.Equal(
            [("evcc", "POST api/loadpoints/1/mode/now", "ok", "cheap slot"), ("evcc", "POST api/loadpoints/1/maxcurrent/10", "ok", "3.2 kWh this slot"),
             ("evcc", "POST api/vehicles/polestar/plan/soc/80/2026-12-03T07:30:00Z", "ok", "fail-safe")],
            _audit.Entries.Select(e => (e.Target, e.Command, e.Outcome, e.Reason)));
        var state = await client.ReadAsync(CancellationToken.None);
        Assert.Equal(EvChargeMode.Now, state.Mode);
        Assert.Equal(10, state.MaxCurrentA);
        Assert.Equal(deadline, state.Plan);
    }

    [Fact]
    public async Task An_unknown_loadpoint_is_a_clear_error_naming_the_key_on_read_and_on_command()
    {
        var client = Client(loadpoint: 2);

        var read = await Assert.ThrowsAsync<EvChargerException>(() => client.ReadAsync(CancellationToken.None));
        var command = await Assert.ThrowsAsync<EvChargerException>(() => client.SetModeAsync(EvChargeMode.Pv, "test", CancellationToken.None));

        Assert.Equal(EvChargerFault.UnknownLoadpoint, read.Fault);
        Assert.Equal("evcc has no loadpoint 2 (Ev:Loadpoint); it has 1, numbered from 1", read.Message);
        Assert.Equal(EvChargerFault.UnknownLoadpoint, command.Fault);
        Assert.Contains("404", command.Message, StringComparison.Ordinal);
        Assert.Contains("Ev:Loadpoint", command.Message, StringComparison.Ordinal);
        var row = Assert.Single(_audit.Entries);
        Assert.Equal(command.Message, row.Outcome);
    }

    [Fact]
    public async Task An_unreachable_evcc_is_a_clear_error_naming_the_url_key()
    {
        var url = $"http://127.0.0.1:{FreeTcpPort.Next()}";

        var e = await Assert.ThrowsAsync<EvChargerException>(() => Client(url: url).ReadAsync(CancellationToken.None));

        Assert.Equal(EvChargerFault.Unreachable, e.Fault);
        Assert.StartsWith($"evcc at {url} (Ev:EvccUrl) unreachable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_carries_evccs_error_text()
    {
        var past = new EvDeadline("polestar", 80, Now.AddHours(-1));

        var e = await Assert.ThrowsAsync<EvChargerException>(() => Client().SetDeadlineAsync(past, "test", CancellationToken.None));

        Assert.Equal(EvChargerFault.Refused, e.Fault);
        Assert.EndsWith("HTTP 400: timestamp is in the past", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_shadow_mode_no_command_is_sent_and_the_audit_says_so()
    {
        var client = Client(gate: new WriteGate(ControlMode.Shadow));

        await Assert.ThrowsAsync<WriteRefusedException>(() => client.SetModeAsync(EvChargeMode.Now, "cheap slot", CancellationToken.None));

        Assert.Empty(_server.Requests);
        Assert.Equal("not sent: shadow mode", Assert.Single(_audit.Entries).Outcome);
    }

    [Fact]
    public async Task A_site_whose_battery_evcc_can_control_is_reported()
    {
        _evcc.ControllableBattery = "fox";
        _evcc.BatteryMode = "hold";

        var state = await Client().ReadAsync(CancellationToken.None);

        Assert.Equal("controllable battery meter(s) fox, batteryMode hold", state.BatteryControlWarning);
    }

    [Theory]
    [InlineData("EvccUrl", "evcc.local:7070", "Ev:EvccUrl 'evcc.local:7070' must be an absolute http:// or https:// URL")]
    [InlineData("Vehicle", "my car", "Ev:Vehicle 'my car' must be evcc's vehicle name (letters, digits and _ . : - only)")]
    [InlineData("MinCurrentAmps", "40", "Ev:MinCurrentAmps (40) must not exceed Ev:MaxCurrentAmps (32)")]
    [InlineData("DefaultDepartureLocal", "1.07:30:00", "Ev:DefaultDepartureLocal (1.07:30:00) must be a time of day, e.g. 07:30")]
    public void Options_errors_name_the_key(string key, string value, string expected)
    {
        var options = new EvOptions { EvccUrl = "http://evcc.local:7070" };
        switch (key)
        {
            case "EvccUrl": options.EvccUrl = value; break;
            case "Vehicle": options.Vehicle = value; break;
            case "MinCurrentAmps": options.MinCurrentAmps = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.DefaultDepartureLocal = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var result = new EvOptionsValidator().Validate(null, options);

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Without_a_url_evcc_is_off_and_the_options_pass()
    {
        var options = new EvOptions();

        Assert.False(options.Enabled);
        Assert.True(new EvOptionsValidator().Validate(null, options).Succeeded);
    }
}
