using EdgeEnergy.Domain.Control;
using System.Globalization;
using System.Net.Sockets;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Simulation;
using EdgeEnergy.Adapters.Modbus.Tests.Peers;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Modbus.Tests.FoxEss;

/// <summary>Control through the real client against the simulator, on a fake clock shared by both.</summary>
public class ControllerTests
{
    private static FakeTimeProvider At(string utc) => new(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));

    /// <summary>
    /// Moves the fake clock a second at a time, at most <paramref name="limit"/>, until the condition holds. The
    /// refresher's socket I/O runs in real time: once the fake clock has reached its limit it stays there, and the
    /// condition still has until the real-time guard to come true (a write the timer started at the limit may still be
    /// on the wire when the machine is busy), but no more fake time.
    /// </summary>
    private static async Task AdvanceUntil(FakeTimeProvider time, Func<bool> condition, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        var guard = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < guard, $"condition not met after {advanced.TotalSeconds} s of fake time (the limit: {limit.TotalSeconds} s)");
            if (advanced < limit)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                advanced += TimeSpan.FromSeconds(1);
            }

            await Task.Delay(15);
        }
    }

    [Fact]
    public async Task Force_charge_is_refreshed_at_half_the_timeout_and_the_inverter_reverts_by_itself_when_we_stop()
    {
        var time = At("2026-11-27T22:00:00Z"); // dark, 300 W load
        await using var site = SimulatorOnTcp.Start("h3", time, new SimulatedFoxEssOptions { InitialSocPercent = 50 });
        var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h3", RemoteTimeoutSeconds = 60 }, time);
        await inverter.ApplyAsync(InverterCommand.ForceCharge(3000, 10), CancellationToken.None);
        Assert.True(site.Simulator.RemoteControlActive);
        Assert.Equal(-3000, site.Simulator.BatteryPowerW);
        Assert.Equal(3300, site.Simulator.GridPowerW);
        Assert.Equal(3, inverter.Writes.Volatile); // timeout, enable, power (i32 in one FC16)
        Assert.Equal(0, inverter.Writes.Persistent);

        // Four refreshes over two minutes: remote control never lapses.
        for (var refresh = 1; refresh <= 4; refresh++)
        {
            var target = 3 + (3 * refresh);
            await AdvanceUntil(time, () => inverter.Writes.Volatile >= target, TimeSpan.FromSeconds(31));
        }

        Assert.Equal(0, site.Simulator.RemoteTimeouts);
        Assert.True(site.Simulator.RemoteControlActive);

        // The process "dies": no disable, no more refreshes. A client also drops mid-transaction.
        await inverter.DisposeAsync();
        using (var half = new TcpClient())
        {
            await half.ConnectAsync("127.0.0.1", site.Port);
            await half.GetStream().WriteAsync(MbapCodec.Encode(1, 247, ModbusRequest.WriteSingleRegister(44000, 0).Pdu).AsMemory(0, 9));
        }

        var since = time.GetUtcNow();
        await AdvanceUntil(time, () => !site.Simulator.RemoteControlActive, TimeSpan.FromSeconds(61));
        Assert.True(time.GetUtcNow() - since <= TimeSpan.FromSeconds(60));
        Assert.Equal(1, site.Simulator.RemoteTimeouts);
        Assert.Equal(300, site.Simulator.BatteryPowerW); // back to self-use: the battery covers the load

        await using var fresh = await site.OpenAsync(new FoxEssOptions { Family = "h3" }, time);
        var t = await fresh.ReadTelemetryAsync(CancellationToken.None);
        Assert.False(t.RemoteControl!.Enabled);
        Assert.Equal(300, t.BatteryPowerW);
    }

    [Fact]
    public async Task Remote_control_is_refreshed_on_the_monotonic_clock_when_the_wall_clock_steps_back_an_hour()
    {
        // A Pi without a real-time clock: NTP steps its wall clock back an hour (across the October change) while
        // remote control runs. The inverter's 60 s timeout counts real time, so the refreshes must go on every 30 s.
        var time = At("2026-10-25T01:20:00Z");
        var wall = new SteppedClock(time);
        await using var site = SimulatorOnTcp.Start("h3", time, new SimulatedFoxEssOptions { InitialSocPercent = 50 });
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h3", RemoteTimeoutSeconds = 60 }, wall);
        await inverter.ApplyAsync(InverterCommand.ForceCharge(3000, 10), CancellationToken.None);
        wall.Offset = TimeSpan.FromHours(-1);

        for (var refresh = 1; refresh <= 4; refresh++)
        {
            var target = 3 + (3 * refresh);
            await AdvanceUntil(time, () => inverter.Writes.Volatile >= target, TimeSpan.FromSeconds(31));
        }

        Assert.Equal(0, site.Simulator.RemoteTimeouts);
        Assert.True(site.Simulator.RemoteControlActive);
        Assert.Equal(-3000, site.Simulator.BatteryPowerW);
    }

    [Fact]
    public void A_wall_clock_stepped_back_across_midnight_does_not_open_a_second_persistent_write_budget()
    {
        var time = At("2026-11-28T00:20:00Z");
        var wall = new SteppedClock(time);
        var budget = new PersistentWriteBudget(2, wall);
        Assert.True(budget.TryConsume());
        Assert.True(budget.TryConsume());

        wall.Offset = TimeSpan.FromHours(-1); // reads 23:20 on the 27th
        Assert.False(budget.TryConsume());
        wall.Offset = TimeSpan.Zero;
        Assert.False(budget.TryConsume());

        time.Advance(TimeSpan.FromDays(1)); // the next true UTC day
        Assert.True(budget.TryConsume());
    }

    [Fact]
    public async Task Force_discharge_and_hold_set_the_inverter_ac_power_and_self_use_hands_back()
    {
        var time = At("2026-11-27T22:00:00Z");
        await using var site = SimulatorOnTcp.Start("h1-rs485", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-rs485" }, time);
        await inverter.ApplyAsync(InverterCommand.ForceDischarge(1000, 10), CancellationToken.None);
        Assert.Equal(1000, site.Simulator.BatteryPowerW);
        Assert.Equal(-700, site.Simulator.GridPowerW); // 300 W load, 700 W exported
        var t = await inverter.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal(new RemoteControlState(true, 60, 1000), t.RemoteControl);
        await inverter.ApplyAsync(InverterCommand.ForceDischarge(3000, 10), CancellationToken.None);
        Assert.Equal(25 * 51.2, site.Simulator.BatteryPowerW); // capped by the 25 A max discharge current

        await inverter.ApplyAsync(InverterCommand.Hold(10), CancellationToken.None);
        Assert.Equal(0, site.Simulator.BatteryPowerW);
        Assert.Equal(300, site.Simulator.GridPowerW);

        await inverter.ApplyAsync(InverterCommand.SelfUse(20), CancellationToken.None);
        Assert.False(site.Simulator.RemoteControlActive);
        Assert.Equal(300, site.Simulator.BatteryPowerW);
        t = await inverter.ReadTelemetryAsync(CancellationToken.None);
        Assert.Equal(20, t.MinSocOnGridPercent);
        Assert.Equal("self-use", t.WorkMode);
        Assert.Equal(1, inverter.Writes.Persistent);          // min SoC on grid 15 → 20
        Assert.Equal(1, inverter.Writes.PersistentUnchanged); // work mode already self-use: read, not written
        Assert.Equal(10, inverter.Writes.Volatile);           // 3 per setpoint x 3 + the disable
    }

    [Fact]
    public async Task Persistent_settings_are_written_only_on_change_and_within_the_daily_budget()
    {
        var time = At("2026-11-27T10:00:00Z");
        await using var site = SimulatorOnTcp.Start("h1-g2", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-g2", PersistentWriteBudgetPerDay = 2 }, time);
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetMinSocOnGridAsync(20, default));
        Assert.Equal(PersistentWriteResult.Unchanged, await inverter.SetMinSocOnGridAsync(20, default));
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetMaxChargeCurrentAsync(18.5, default));
        Assert.Equal(PersistentWriteResult.RefusedBudget, await inverter.SetMinSocOnGridAsync(30, default));
        var t = await inverter.ReadTelemetryAsync(default);
        Assert.Equal(20, t.MinSocOnGridPercent);
        Assert.Equal(18.5, t.MaxChargeCurrentA);
        Assert.Equal((2, 1, 1), (inverter.Writes.Persistent, inverter.Writes.PersistentUnchanged, inverter.Writes.PersistentRefused));

        time.Advance(TimeSpan.FromHours(14)); // next UTC day
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetMinSocOnGridAsync(30, default));
        Assert.Equal(30, (await inverter.ReadTelemetryAsync(default)).MinSocOnGridPercent);
    }

    [Fact]
    public async Task Charge_periods_on_a_one_register_per_request_family_are_read_and_written_one_register_at_a_time()
    {
        // H1-G2 answers 41000-41999 one register per request: a 6-register FC03 or FC16 there is refused.
        var time = At("2026-11-27T02:30:00Z");
        await using var site = SimulatorOnTcp.Start("h1-g2", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-g2" }, time);
        var periods = new[] { new ChargePeriod(true, new TimeOnly(1, 30), new TimeOnly(4, 30)), new ChargePeriod(false, TimeOnly.MinValue, TimeOnly.MinValue) };
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetChargePeriodsAsync(periods, default));
        Assert.Equal(PersistentWriteResult.Unchanged, await inverter.SetChargePeriodsAsync(periods, default));
        Assert.Equal(1, inverter.Writes.Persistent);
        Assert.Equal((ushort)1, site.Simulator.Peek(RegisterSpace.Holding, 41001));
        Assert.Equal((ushort)((1 * 256) + 30), site.Simulator.Peek(RegisterSpace.Holding, 41002));
        Assert.Equal((ushort)((4 * 256) + 30), site.Simulator.Peek(RegisterSpace.Holding, 41003));
        Assert.Equal(periods, (await inverter.ReadTelemetryAsync(default)).ChargePeriods);
    }

    [Fact]
    public async Task Work_modes_change_what_the_battery_does()
    {
        var time = At("2026-11-27T22:00:00Z");
        await using var site = SimulatorOnTcp.Start("h3-pro", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h3-pro" }, time);
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetWorkModeAsync(InverterWorkMode.BackUp, default));
        Assert.Equal((ushort)3, site.Simulator.Peek(RegisterSpace.Holding, 49203)); // H3-Pro codes back-up as 3
        Assert.Equal(0, site.Simulator.BatteryPowerW);                      // back-up keeps the battery at night
        Assert.Equal("back-up", (await inverter.ReadTelemetryAsync(default)).WorkMode);
        await inverter.ApplyAsync(InverterCommand.SelfUse(10), default);
        Assert.Equal(300, site.Simulator.BatteryPowerW);
    }

    [Fact]
    public async Task Charge_periods_charge_from_the_grid_inside_the_window_where_the_family_has_them()
    {
        var time = At("2026-11-27T02:30:00Z");
        await using var site = SimulatorOnTcp.Start("h1-rs485", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-rs485" }, time);
        var periods = new[] { new ChargePeriod(true, new TimeOnly(2, 0), new TimeOnly(5, 0)), new ChargePeriod(false, TimeOnly.MinValue, TimeOnly.MinValue) };
        Assert.Equal(PersistentWriteResult.Written, await inverter.SetChargePeriodsAsync(periods, default));
        Assert.Equal(PersistentWriteResult.Unchanged, await inverter.SetChargePeriodsAsync(periods, default));
        Assert.Equal(-25 * 51.2, site.Simulator.BatteryPowerW); // max charge current 25 A at 51.2 V
        Assert.Equal(periods, (await inverter.ReadTelemetryAsync(default)).ChargePeriods);
        time.Advance(TimeSpan.FromHours(3)); // 05:30: outside the window
        Assert.Equal(300, site.Simulator.BatteryPowerW);

        await using var h3 = SimulatorOnTcp.Start("h3", time);
        await using var h3Inverter = await h3.OpenAsync(new FoxEssOptions { Family = "h3" }, time);
        await Assert.ThrowsAsync<NotSupportedException>(() => h3Inverter.SetChargePeriodsAsync(periods, default));
    }

    [Fact]
    public async Task Bad_commands_are_refused_before_anything_is_written()
    {
        var time = At("2026-11-27T22:00:00Z");
        await using var site = SimulatorOnTcp.Start("h1-lan", time);
        await using var inverter = await site.OpenAsync(new FoxEssOptions { Family = "h1-lan" }, time);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inverter.ApplyAsync(InverterCommand.ForceCharge(-5, 10), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inverter.ApplyAsync(InverterCommand.ForceDischarge(double.NaN, 10), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inverter.ApplyAsync(InverterCommand.ForceDischarge(40000, 10), default)); // i16 on H1
        await Assert.ThrowsAsync<NotSupportedException>(() => inverter.SetWorkModeAsync(InverterWorkMode.BackUp, default));    // no 41000 on H1 LAN
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inverter.SetMinSocOnGridAsync(5, default));
        Assert.Equal(0, inverter.Writes.Volatile + inverter.Writes.Persistent);
    }
}
