using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Domain.Tests.Control;

public class SiteSimulatorTests
{
    private static readonly BatterySpec s_battery = new()
    {
        CapacityKwh = 10, SocKwh = 5, MinSocKwh = 1, MaxSocKwh = 9.5, MaxChargeKw = 3, MaxDischargeKw = 2.5,
        ChargeEfficiency = 0.95, DischargeEfficiency = 0.9,
    };

    private static readonly GridSpec s_grid = new() { MaxImportKw = 6, MaxExportKw = 1.5 };

    private static IEnumerable<InverterCommand> Commands()
    {
        foreach (var reserve in new[] { 0.0, 20.0, 60.0 })
        {
            yield return InverterCommand.SelfUse(reserve);
            yield return InverterCommand.SelfUse(reserve, 800);
            yield return InverterCommand.Hold(reserve);
            foreach (var w in new[] { 0.0, 500, 2500, 9000 })
            {
                yield return InverterCommand.ForceCharge(w, reserve);
                yield return InverterCommand.ForceDischarge(w, reserve);
            }
        }
    }

    [Fact]
    public void Every_command_keeps_energy_balance_and_every_limit()
    {
        var random = new Random(8);
        var h = 0.5;
        for (var i = 0; i < 4000; i++)
        {
            foreach (var command in Commands())
            {
                var soc = random.NextDouble() * 10;
                var load = random.NextDouble() * 4;
                var pv = random.NextDouble() < 0.3 ? 0 : random.NextDouble() * 4;
                var heat = random.NextDouble() < 0.7 ? 0 : 1.5;
                var f = SiteSimulator.Step(s_battery, s_grid, soc, command, load, pv, heat, h);

                Assert.Equal(f.PvUsedKwh + f.ImportKwh + f.DischargeKwh, load + f.ChargeKwh + f.ExportKwh + heat, 9);
                Assert.InRange(f.PvUsedKwh, -1e-12, pv + 1e-12);
                Assert.InRange(f.ChargeKwh, 0, s_battery.MaxChargeKw * h + 1e-12);
                Assert.InRange(f.DischargeKwh, 0, s_battery.MaxDischargeKw * h + 1e-12);
                Assert.InRange(f.ExportKwh, 0, s_grid.MaxExportKw * h + 1e-12);
                Assert.False(f.ChargeKwh > 0 && f.DischargeKwh > 0, $"{command}: charges and discharges at once");
                Assert.False(f.ImportKwh > 0 && f.ExportKwh > 0, $"{command}: imports and exports at once");
                Assert.Equal(soc + 0.95 * f.ChargeKwh - f.DischargeKwh / 0.9, f.SocAfterKwh, 9);
                // Stored energy stays within [min(reserve-or-min, start), max(maxSoc, start)]: discharge never digs below the reserve.
                var reserve = Math.Max(s_battery.MinSocKwh, command.ReserveSocPercent / 100 * s_battery.CapacityKwh);
                Assert.True(f.SocAfterKwh >= Math.Min(reserve, soc) - 1e-9, $"{command}: soc {f.SocAfterKwh} below reserve {reserve}");
                Assert.True(f.SocAfterKwh <= Math.Max(s_battery.MaxSocKwh, soc) + 1e-9, $"{command}: soc {f.SocAfterKwh} above max");
            }
        }
    }

    [Fact]
    public void Self_use_covers_the_deficit_and_stores_the_surplus()
    {
        var deficit = SiteSimulator.Step(s_battery, s_grid, 5, InverterCommand.SelfUse(0), loadKwh: 0.8, pvKwh: 0.3, 0, 0.5);
        Assert.Equal(0.5, deficit.DischargeKwh, 9);
        Assert.Equal(0, deficit.ImportKwh, 9);

        var surplus = SiteSimulator.Step(s_battery, s_grid, 5, InverterCommand.SelfUse(0), loadKwh: 0.3, pvKwh: 1.0, 0, 0.5);
        Assert.Equal(0.7, surplus.ChargeKwh, 9);
        Assert.Equal(0, surplus.ExportKwh, 9);
    }

    [Fact]
    public void A_forced_discharge_is_lowered_to_the_export_limit()
    {
        // 2.5 kW for half an hour would export 1.15 kWh beyond a 0.1 kWh load; the agreement allows 0.75 kWh.
        var f = SiteSimulator.Step(s_battery, s_grid, 8, InverterCommand.ForceDischarge(2500, 10), loadKwh: 0.1, pvKwh: 0, 0, 0.5);
        Assert.Equal(0.75, f.ExportKwh, 9);
        Assert.Equal(0.85, f.DischargeKwh, 9);
    }

    [Fact]
    public void A_self_use_cap_keeps_energy_for_later_and_the_grid_covers_the_rest()
    {
        var f = SiteSimulator.Step(s_battery, s_grid, 5, InverterCommand.SelfUse(0, maxDischargeW: 400), loadKwh: 1.0, pvKwh: 0, 0, 0.5);
        Assert.Equal(0.2, f.DischargeKwh, 9);
        Assert.Equal(0.8, f.ImportKwh, 9);
    }
}
