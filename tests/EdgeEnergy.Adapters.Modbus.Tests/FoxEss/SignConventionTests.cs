using EdgeEnergy.Adapters.Modbus.FoxEss;

namespace EdgeEnergy.Adapters.Modbus.Tests.FoxEss;

/// <summary>Raw register values as the notes describe each family's sign, decoded into our one convention:
/// battery W + = discharging, grid W + = importing, remote W + = discharging/exporting.</summary>
public class SignConventionTests
{
    private static Func<RegisterSpace, int, ushort?> Registers(RegisterSpace space, params (int Address, int Value)[] values)
    {
        var map = values.ToDictionary(v => (space, v.Address), v => unchecked((ushort)v.Value));
        return (s, a) => map.TryGetValue((s, a), out var v) ? v : (ushort)0;
    }

    private static Domain.Inverter.InverterTelemetry Decode(string family, Func<RegisterSpace, int, ushort?> read, bool khInvert = false) =>
        FoxDecoder.Decode(FoxRegisterMap.Embedded[family], read, null, new FoxDecodeOptions { KhInvertBatterySign = khInvert }).Telemetry;

    [Fact]
    public void H1_rs485_raw_export_and_discharge_positive()
    {
        // 11008 battery +1500 = discharging; 11021 grid CT +2000 = exporting; 44002 remote -3000 = charging.
        var t = Decode("h1-rs485", Registers(RegisterSpace.Input, (11008, 1500), (11021, 2000), (11023, 800), (44002, -3000), (44000, 1), (44001, 60)));
        Assert.Equal(1500, t.BatteryPowerW);
        Assert.Equal(-2000, t.GridPowerW);
        Assert.Equal(800, t.LoadPowerW);
        Assert.Equal(new Domain.Inverter.RemoteControlState(true, 60, -3000), t.RemoteControl);
    }

    [Fact]
    public void H1_lan_reads_holding_31xxx_with_the_same_signs()
    {
        var t = Decode("h1-lan", Registers(RegisterSpace.Holding, (31022, -2500), (31014, -700), (31024, 63)));
        Assert.Equal(-2500, t.BatteryPowerW); // charging
        Assert.Equal(700, t.GridPowerW);      // importing
        Assert.Equal(63, t.BatterySocPercent);
        Assert.Null(t.WorkMode);              // no 41xxx over the H1 LAN port
        Assert.Null(t.GridImportEnergyTotalKwh);
    }

    [Fact]
    public void H1_g2_reads_pv_power_from_the_low_word_alone()
    {
        var t = Decode("h1-g2", Registers(RegisterSpace.Holding, (39279, 0x7FFF), (39280, 1234), (39282, 567), (31022, 900), (31014, 300)));
        Assert.Equal(1234, t.Pv1PowerW);
        Assert.Equal(1801, t.PvPowerW);
        Assert.Equal(900, t.BatteryPowerW);
        Assert.Equal(-300, t.GridPowerW);
    }

    [Fact]
    public void H3_sums_three_phase_grid_and_load_and_uses_31036_for_battery()
    {
        var t = Decode("h3", Registers(RegisterSpace.Holding, (31026, 100), (31027, -50), (31028, 200), (31029, 400), (31030, 500), (31031, 600), (31036, -4000), (31022, 999), (44002, -1), (44003, -5000)));
        Assert.Equal(-250, t.GridPowerW);
        Assert.Equal(1500, t.LoadPowerW);
        Assert.Equal(-4000, t.BatteryPowerW);
        Assert.Equal(-5000, t.RemoteControl!.ActivePowerW); // i32 high word 0xFFFF at 44002
    }

    [Fact]
    public void H3_pro_reads_32_bit_values_high_word_first_and_meter_power_in_tenths()
    {
        // 38814/15 = -12345 (0.1 W, raw -ve = import) → +1234.5 W import; 39237/38 = 70000 W discharging.
        var minus12345 = unchecked((uint)-12345);
        var t = Decode("h3-pro", Registers(RegisterSpace.Holding,
            (38814, (int)(minus12345 >> 16)), (38815, (int)(minus12345 & 0xFFFF)),
            (39237, 1), (39238, 70000 - 65536),
            (39279, 0), (39280, 2500), (37612, 88), (49203, 3)));
        Assert.Equal(1234.5, t.GridPowerW);
        Assert.Equal(70000, t.BatteryPowerW);
        Assert.Equal(2500, t.Pv1PowerW);
        Assert.Equal(88, t.BatterySocPercent);
        Assert.Equal("back-up", t.WorkMode);
    }

    [Fact]
    public void Kh_grid_at_39168_is_export_positive_and_the_battery_sign_disagreement_is_configurable()
    {
        // 39168/69 = 0xFFFF_FD44 = -700 (raw -ve = import) → +700 W importing.
        var read = Registers(RegisterSpace.Holding, (39168, -1), (39169, -700), (31022, 1200), (44002, -2000), (31027, 3));
        var fm = Decode("kh", read);
        Assert.Equal(700, fm.GridPowerW);
        Assert.Equal(1200, fm.BatteryPowerW);               // FM/evcc: raw +ve = discharging
        Assert.Equal(-2000, fm.RemoteControl!.ActivePowerW);
        Assert.Equal("on-grid", fm.InverterState);           // KH table is shifted by one
        var khMd = Decode("kh", read, khInvert: true);
        Assert.Equal(-1200, khMd.BatteryPowerW);            // KH-MD: raw +ve = charging
        Assert.Equal(2000, khMd.RemoteControl!.ActivePowerW);
        Assert.Equal(700, khMd.GridPowerW);                  // grid is not part of the disagreement
    }

    [Fact]
    public void Pv_power_never_reads_negative_but_voltage_and_scales_are_exact()
    {
        var t = Decode("h1-rs485", Registers(RegisterSpace.Input, (11002, -3), (11005, 420), (11000, 3512), (11034, 512), (11038, 231), (11014, 5001)));
        Assert.Equal(0, t.Pv1PowerW);
        Assert.Equal(420, t.PvPowerW);
        Assert.Equal(351.2, t.Pv1VoltageV);
        Assert.Equal(51.2, t.BatteryVoltageV);
        Assert.Equal(23.1, t.BatteryTemperatureC);
        Assert.Equal(50.01, t.GridFrequencyHz);
    }

    [Fact]
    public void Charge_periods_decode_hour_times_256_plus_minute_and_bad_words_are_reported()
    {
        var family = FoxRegisterMap.Embedded["h1-rs485"];
        var good = FoxDecoder.Decode(family, Registers(RegisterSpace.Input, (41001, 1), (41002, (2 << 8) | 30), (41003, (5 << 8) | 0)), null, new FoxDecodeOptions());
        var p = Assert.Single(good.Telemetry.ChargePeriods!, c => c.Active);
        Assert.True(p.ChargeFromGrid);
        Assert.Equal(new TimeOnly(2, 30), p.Start);
        Assert.Equal(new TimeOnly(5, 0), p.End);
        var bad = FoxDecoder.Decode(family, Registers(RegisterSpace.Input, (41002, (25 << 8) | 0)), null, new FoxDecodeOptions());
        Assert.Null(bad.Telemetry.ChargePeriods);
        Assert.Contains("41001", Assert.Single(bad.Warnings));
    }

    [Theory]
    [InlineData("h1-rs485", 2, "on-grid")]
    [InlineData("h1-rs485", 4, "recoverable-fault")]
    [InlineData("h1-rs485", 77, "77")]
    [InlineData("kh", 0, "self-test")]
    [InlineData("h3", 5, "5")]
    public void Inverter_state_codes_decode_per_family(string family, int code, string expected)
    {
        var address = FoxRegisterMap.Embedded[family].Register("inverterState")!;
        Assert.Equal(expected, Decode(family, Registers(address.Space, (address.Address, code))).InverterState);
    }

    [Theory]
    [InlineData(0x0004, 0, "on-grid")]
    [InlineData(0x0044, 0, "fault")]
    [InlineData(0x0004, 1, "off-grid")]
    [InlineData(0x0001, 0, "standby")]
    public void G2_and_h3_pro_states_come_from_status_bits(int status1, int status3, string expected) =>
        Assert.Equal(expected, Decode("h3-pro", Registers(RegisterSpace.Holding, (39063, status1), (39065, status3))).InverterState);

    [Fact]
    public void Fault_words_are_listed_only_when_set()
    {
        var t = Decode("h3", Registers(RegisterSpace.Holding, (31045, 0x0100)));
        Assert.Equal(["31045:0x0100"], t.FaultCodes);
    }
}
