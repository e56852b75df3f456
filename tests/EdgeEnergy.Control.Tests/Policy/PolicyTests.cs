using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control.Tests.Policy;

public class HardLimitsTests
{
    private static readonly HardLimits s_limits = new() { ReserveSocPercent = 10, MaxChargeW = 3000, MaxDischargeW = 3000, MaxExportW = 2500 };

    [Fact]
    public void Power_and_reserve_are_clamped_whatever_the_source()
    {
        Assert.Equal(3000, s_limits.Apply(InverterCommand.ForceCharge(9000, 0)).PowerW);
        Assert.Equal(10, s_limits.Apply(InverterCommand.ForceCharge(9000, 0)).ReserveSocPercent);
        Assert.Equal(2500, s_limits.Apply(InverterCommand.ForceDischarge(3000, 50)).PowerW);
        Assert.Equal(50, s_limits.Apply(InverterCommand.ForceDischarge(3000, 50)).ReserveSocPercent);
        Assert.Equal(0, s_limits.Apply(InverterCommand.ForceCharge(-5, 20)).PowerW);
        Assert.Equal(0, s_limits.Apply(InverterCommand.ForceDischarge(double.NaN, 20)).PowerW);
        Assert.Equal(100, s_limits.Apply(InverterCommand.SelfUse(250)).ReserveSocPercent);
        Assert.Null(s_limits.Apply(InverterCommand.SelfUse(0)).PowerW);
    }

    [Fact]
    public void Limits_come_from_the_site()
    {
        var limits = HardLimits.For(
            new BatterySpec { CapacityKwh = 10, SocKwh = 5, MinSocKwh = 1.5, MaxSocKwh = 10, MaxChargeKw = 3.6, MaxDischargeKw = 5, ChargeEfficiency = 1, DischargeEfficiency = 1 },
            new GridSpec { MaxExportKw = 3.68 });
        Assert.Equal(15, limits.ReserveSocPercent, 9);
        Assert.Equal(3600, limits.MaxChargeW, 9);
        Assert.Equal(3680, limits.MaxExportW, 9);
    }
}

public class PlanCommandMapperTests
{
    private static PlanSlot Slot(SlotMode mode, double charge = 0, double discharge = 0) => new()
    {
        Start = DateTimeOffset.UnixEpoch, ImportKwh = 0, ExportKwh = 0, ChargeKwh = charge, DischargeKwh = discharge, PvUsedKwh = 0,
        SocKwh = 5, ImmersionKwh = new Dictionary<string, double>(), Mode = mode, Reason = "test",
    };

    [Fact]
    public void Each_mode_becomes_the_command_that_carries_it_out()
    {
        Assert.Equal(InverterCommand.ForceCharge(2400, 10), PlanCommandMapper.FromSlot(Slot(SlotMode.Charge, charge: 1.2), 0.5, 10));
        Assert.Equal(InverterCommand.ForceDischarge(3000, 10), PlanCommandMapper.FromSlot(Slot(SlotMode.Export, discharge: 1.5), 0.5, 10));
        Assert.Equal(InverterCommand.SelfUse(10, 800), PlanCommandMapper.FromSlot(Slot(SlotMode.Discharge, discharge: 0.4), 0.5, 10));
        Assert.Equal(InverterCommand.Hold(10), PlanCommandMapper.FromSlot(Slot(SlotMode.Hold), 0.5, 10));
        Assert.Equal(InverterCommand.SelfUse(10), PlanCommandMapper.FromSlot(Slot(SlotMode.SelfUse, discharge: 0.3), 0.5, 10));
    }
}

public class CommandDebouncerTests
{
    private static readonly DateTimeOffset s_t0 = new(2024, 1, 10, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_kind_waits_for_the_minimum_dwell()
    {
        var d = new CommandDebouncer(TimeSpan.FromMinutes(5), 100);
        var charge = InverterCommand.ForceCharge(3000, 10);
        Assert.Equal(charge, d.Next(s_t0, charge));
        Assert.Equal(charge, d.Next(s_t0.AddMinutes(2), InverterCommand.ForceDischarge(3000, 10)));
        Assert.Equal(InverterCommand.ForceDischarge(3000, 10), d.Next(s_t0.AddMinutes(5), InverterCommand.ForceDischarge(3000, 10)));
    }

    [Fact]
    public void Small_power_changes_keep_the_running_command_and_large_ones_pass()
    {
        var d = new CommandDebouncer(TimeSpan.FromMinutes(5), 100);
        d.Next(s_t0, InverterCommand.ForceCharge(2000, 10));
        Assert.Equal(2000, d.Next(s_t0.AddMinutes(1), InverterCommand.ForceCharge(2050, 10)).PowerW);
        Assert.Equal(2500, d.Next(s_t0.AddMinutes(2), InverterCommand.ForceCharge(2500, 10)).PowerW);
    }

    [Fact]
    public void A_command_sent_without_debouncing_starts_the_dwell_now()
    {
        var d = new CommandDebouncer(TimeSpan.FromMinutes(5), 100);
        var forced = InverterCommand.ForceDischarge(3000, 10);
        Assert.Equal(forced, d.Accept(s_t0, forced));

        // The plan wants to charge: held while the accepted command dwells, passed once five minutes have run.
        Assert.Equal(forced, d.Next(s_t0.AddMinutes(4), InverterCommand.ForceCharge(2000, 10)));
        Assert.Equal(InverterCommand.ForceCharge(2000, 10), d.Next(s_t0.AddMinutes(5), InverterCommand.ForceCharge(2000, 10)));
    }

    [Fact]
    public void After_the_wall_clock_steps_back_the_dwell_counts_the_time_that_really_passed()
    {
        var d = new CommandDebouncer(TimeSpan.FromMinutes(5), 100);
        d.Next(s_t0, InverterCommand.ForceCharge(3000, 10));
        d.ClockStepped(TimeSpan.FromHours(-1)); // the clock now reads 15:00 for 16:00

        // Four minutes later (15:04 on the stepped clock) still held; at five the discharge passes, not an hour later.
        Assert.Equal(InverterCommand.ForceCharge(3000, 10), d.Next(s_t0.AddHours(-1).AddMinutes(4), InverterCommand.ForceDischarge(3000, 10)));
        Assert.Equal(InverterCommand.ForceDischarge(3000, 10), d.Next(s_t0.AddHours(-1).AddMinutes(5), InverterCommand.ForceDischarge(3000, 10)));
    }

    [Fact]
    public void Falling_back_to_self_use_is_never_held_back()
    {
        var d = new CommandDebouncer(TimeSpan.FromMinutes(5), 100);
        d.Next(s_t0, InverterCommand.ForceDischarge(3000, 10));
        Assert.Equal(InverterCommand.SelfUse(10), d.Next(s_t0.AddSeconds(10), InverterCommand.SelfUse(10)));
    }
}
