using System.Globalization;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Tests.Peers;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Modbus.Tests.Simulation;

/// <summary>Every register-map entry of every family, read through our client from the simulator over TCP and decoded.</summary>
public class SimulatorRoundTripTests
{
    private static readonly System.Text.Json.JsonSerializerOptions s_web = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static TheoryData<string> Families() => [.. FoxRegisterMap.Embedded.Families.Keys];

    private static FakeTimeProvider At(string utc) => new(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_map_entry_reads_back_and_decodes_to_the_simulated_state(string family)
    {
        var time = At("2026-06-21T11:00:00Z");
        await using var site = SimulatorOnTcp.Start(family, time, new SimulatedFoxEssOptions { InitialSocPercent = 63 });
        await using var inverter = await site.OpenAsync(); // no family given: detected from the model string
        Assert.Equal(family, inverter.Family.Key);

        var raw = await inverter.ReadRegistersAsync(CancellationToken.None);
        foreach (var r in inverter.Family.Registers)
        {
            for (var i = 0; i < r.Words; i++)
            {
                Assert.Equal(site.Simulator.Peek(r.Space, r.Address + i), raw[(r.Space, r.Address + i)]);
            }
        }

        var t = await inverter.ReadTelemetryAsync(CancellationToken.None);
        var sim = site.Simulator;
        Assert.Equal(Math.Round(sim.SocPercent), t.BatterySocPercent);
        Assert.Equal(sim.BatteryPowerW, t.BatteryPowerW);
        Assert.Equal(sim.GridPowerW, t.GridPowerW);
        Assert.Equal(sim.LoadPowerW, t.LoadPowerW);
        Assert.Equal(sim.PvPowerW, t.PvPowerW);
        Assert.Equal(t.LoadPowerW, t.PvPowerW + t.BatteryPowerW + t.GridPowerW); // power balance in our signs
        Assert.Equal(inverter.Family.SimulatedModel.Trim(), t.Model);
        Assert.Equal("self-use", t.WorkMode ?? "self-use");
        Assert.Equal(new Domain.Inverter.RemoteControlState(false, 0, 0), t.RemoteControl);

        // Every field the family maps comes back non-null.
        var json = System.Text.Json.JsonSerializer.SerializeToElement(t, s_web);
        foreach (var field in inverter.Family.Registers.Select(r => r.Field).Distinct())
        {
            var property = field switch
            {
                "inverterStatus1" or "inverterStatus3" => "inverterState",
                "faultWord" => "faultCodes",
                "chargePeriod" => "chargePeriods",
                "remoteEnable" or "remoteTimeoutSeconds" or "remoteActivePowerW" => "remoteControl",
                _ => field,
            };
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, json.GetProperty(property).ValueKind);
        }
    }

    [Fact]
    public async Task An_hour_of_self_use_keeps_energy_balanced_and_soc_integrated()
    {
        var time = At("2026-06-21T09:00:00Z");
        await using var site = SimulatorOnTcp.Start("h1-rs485", time, new SimulatedFoxEssOptions { InitialSocPercent = 40 });
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-rs485" });
        var before = await inverter.ReadTelemetryAsync(CancellationToken.None);
        var socBefore = site.Simulator.SocPercent;
        time.Advance(TimeSpan.FromHours(1));
        var after = await inverter.ReadTelemetryAsync(CancellationToken.None);
        double D(Func<Domain.Inverter.InverterTelemetry, double?> f) => f(after)!.Value - f(before)!.Value;
        var sources = D(t => t.PvEnergyTotalKwh) + D(t => t.GridImportEnergyTotalKwh) + D(t => t.BatteryDischargeEnergyTotalKwh);
        var sinks = D(t => t.LoadEnergyTotalKwh) + D(t => t.BatteryChargeEnergyTotalKwh) + D(t => t.GridExportEnergyTotalKwh);
        Assert.True(D(t => t.PvEnergyTotalKwh) > 1, "PV produced in the morning");
        Assert.Equal(sources, sinks, 1); // counters are 0.1 kWh registers
        var socDeltaKwh = (site.Simulator.SocPercent - socBefore) / 100 * 10.4;
        Assert.Equal(D(t => t.BatteryChargeEnergyTotalKwh) - D(t => t.BatteryDischargeEnergyTotalKwh), socDeltaKwh, 1);
    }

    [Fact]
    public async Task Self_use_stops_discharging_at_min_soc_on_grid()
    {
        var time = At("2026-11-27T21:00:00Z"); // dark, 300 W load
        await using var site = SimulatorOnTcp.Start("h3", time, new SimulatedFoxEssOptions { InitialSocPercent = 16 });
        Assert.Equal(300, site.Simulator.BatteryPowerW);
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(15, site.Simulator.SocPercent, 3);
        Assert.Equal(0, site.Simulator.BatteryPowerW);
        Assert.Equal(300, site.Simulator.GridPowerW);
    }

    [Fact]
    public async Task Charge_periods_run_on_the_inverters_UK_wall_clock_in_summer_time()
    {
        // 01:30 UTC in July is 02:30 BST: inside a 02:00-05:00 grid-charge period written in UK time.
        var time = At("2026-07-15T01:30:00Z");
        await using var site = SimulatorOnTcp.Start("h1-g2", time, new SimulatedFoxEssOptions { InitialSocPercent = 40, PvW = _ => 0, LoadW = _ => 300 });
        await using var inverter = await site.OpenAsync();
        var periods = new[] { new ChargePeriod(true, new TimeOnly(2, 0), new TimeOnly(5, 0)), new ChargePeriod(false, TimeOnly.MinValue, TimeOnly.MinValue) };
        await inverter.SetChargePeriodsAsync(periods, default);
        Assert.True(site.Simulator.BatteryPowerW < -1000, $"charging from the grid at 02:30 BST, got {site.Simulator.BatteryPowerW} W");

        // 04:30 UTC is 05:30 BST: the period is over (on a UTC clock it would still run until 05:00 UTC).
        time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(300, site.Simulator.BatteryPowerW);
    }

    [Fact]
    public async Task The_simulator_refuses_what_a_real_inverter_refuses()
    {
        await using var site = SimulatorOnTcp.Start("h3", At("2026-11-27T12:00:00Z"));
        var client = new ModbusClient(site.Bus, 247);
        async Task<ModbusExceptionCode> Code(Func<Task> call) => (await Assert.ThrowsAsync<ModbusDeviceException>(call)).Code;
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, await Code(() => client.ReadHoldingRegistersAsync(41001, 1, default)));   // known invalid
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, await Code(() => client.ReadHoldingRegistersAsync(41007, 2, default)));   // one per request
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, await Code(() => client.ReadInputRegistersAsync(31000, 1, default)));     // H3 has no input space
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, await Code(() => client.WriteSingleRegisterAsync(31036, 5, default)));    // read-only
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, await Code(() => client.WriteSingleRegisterAsync(41000, 9, default)));      // no work mode 9
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, await Code(() => client.WriteSingleRegisterAsync(41011, 5, default)));      // min SoC below 10
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, await Code(() => client.WriteMultipleRegistersAsync(44000, [1, 60], default))); // FC06 only
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, await Code(() => client.WriteSingleRegisterAsync(44002, 1, default)));      // half an i32
        Assert.Equal(ModbusExceptionCode.IllegalFunction, await Code(() => client.ReadCoilsAsync(0, 1, default)));                   // no coils on a Fox
        Assert.Equal(15, (await client.ReadHoldingRegistersAsync(41011, 1, default))[0]); // nothing above was applied
    }

    [Fact]
    public async Task Registers_a_firmware_refuses_are_read_singly_then_left_out_of_the_plan()
    {
        // An H1-G2 on manager < 1.44: no 39067-39069 fault words.
        var full = FoxRegisterMap.Embedded["h1-g2"];
        var old = full with
        {
            Answered = [.. full.Answered.Where(r => r.From != 39050), new AddressRange(RegisterSpace.Holding, 39050, 39066), new AddressRange(RegisterSpace.Holding, 39070, 39300)],
        };
        await using var site = SimulatorOnTcp.Start(old, At("2026-06-21T12:00:00Z"));
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-g2" });
        var t = await inverter.ReadTelemetryAsync(CancellationToken.None);
        Assert.Null(t.FaultCodes);
        Assert.Equal(site.Simulator.PvPowerW, t.PvPowerW); // the rest of the refused block still arrives
        Assert.DoesNotContain(inverter.ReadPlan, b => b.Start <= 39067 && b.End >= 39067);
        var again = await inverter.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal(t.PvPowerW, again.PvPowerW);
    }
}
