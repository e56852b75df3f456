using System.Globalization;
using EdgeEnergy.Domain.Inverter;

namespace EdgeEnergy.Adapters.Modbus.FoxEss;

/// <summary>Where the notes' sources disagree, the choice is configurable (and logged at start).</summary>
public sealed record FoxDecodeOptions
{
    /// <summary>KH only: KH-MD says battery power and the remote power command are +ve = charging, against foxess_modbus
    /// and evcc (+ve = discharging). false (default) trusts FM and evcc.</summary>
    public bool KhInvertBatterySign { get; init; }
}

/// <summary>Turns raw registers into <see cref="InverterTelemetry"/> in our single sign convention.</summary>
public static class FoxDecoder
{
    /// <summary>Sign multiplier for battery power and the remote command on this family under these options.</summary>
    public static int BatterySign(FoxFamily family, FoxDecodeOptions options) => family.Key == "kh" && options.KhInvertBatterySign ? -1 : 1;

    public static (InverterTelemetry Telemetry, IReadOnlyList<string> Warnings) Decode(
        FoxFamily family, Func<RegisterSpace, int, ushort?> read, string? model, FoxDecodeOptions options)
    {
        var warnings = new List<string>();
        double? Sum(string field)
        {
            var rows = family.Field(field).ToList();
            if (rows.Count == 0)
            {
                return null;
            }

            double total = 0;
            foreach (var r in rows)
            {
                if (r.Value(read) is not { } v)
                {
                    return null;
                }

                total += v;
            }

            return total;
        }

        double? Pv(string field) => Sum(field) is { } w ? Math.Max(0, w) : null;

        var sign = BatterySign(family, options);
        var pvs = new[] { Pv("pv1PowerW"), Pv("pv2PowerW"), Pv("pv3PowerW"), Pv("pv4PowerW") };
        var pvTotal = pvs.Any(p => p is not null) ? pvs.Sum(p => p ?? 0) : (double?)null;

        var telemetry = new InverterTelemetry
        {
            Family = family.Key,
            Model = model,
            BatterySocPercent = Sum("batterySocPercent"),
            BatteryPowerW = Sum("batteryPowerW") * sign,
            GridPowerW = Sum("gridPowerW"),
            LoadPowerW = Sum("loadPowerW"),
            PvPowerW = pvTotal,
            Pv1PowerW = pvs[0],
            Pv2PowerW = pvs[1],
            Pv3PowerW = pvs[2],
            Pv4PowerW = pvs[3],
            Pv1VoltageV = Sum("pv1VoltageV"),
            Pv1CurrentA = Sum("pv1CurrentA"),
            Pv2VoltageV = Sum("pv2VoltageV"),
            Pv2CurrentA = Sum("pv2CurrentA"),
            BatteryVoltageV = Sum("batteryVoltageV"),
            BatteryCurrentA = Sum("batteryCurrentA"),
            BatteryTemperatureC = Sum("batteryTemperatureC"),
            InverterTemperatureC = Sum("inverterTemperatureC"),
            GridVoltageV = Sum("gridVoltageV"),
            GridFrequencyHz = Sum("gridFrequencyHz"),
            InverterState = State(family, read),
            FaultCodes = Faults(family, read),
            WorkMode = family.Register("workMode")?.Raw(read) is { } mode ? WorkModeName(family, (int)mode) : null,
            MinSocPercent = Sum("minSocPercent"),
            MaxSocPercent = Sum("maxSocPercent"),
            MinSocOnGridPercent = Sum("minSocOnGridPercent"),
            MaxChargeCurrentA = Sum("maxChargeCurrentA"),
            MaxDischargeCurrentA = Sum("maxDischargeCurrentA"),
            PvEnergyTotalKwh = Sum("pvEnergyTotalKwh"),
            BatteryChargeEnergyTotalKwh = Sum("batteryChargeEnergyTotalKwh"),
            BatteryDischargeEnergyTotalKwh = Sum("batteryDischargeEnergyTotalKwh"),
            GridExportEnergyTotalKwh = Sum("gridExportEnergyTotalKwh"),
            GridImportEnergyTotalKwh = Sum("gridImportEnergyTotalKwh"),
            LoadEnergyTotalKwh = Sum("loadEnergyTotalKwh"),
            ChargePeriods = ChargePeriods(family, read, warnings),
            RemoteControl = Remote(family, read, sign),
        };
        return (telemetry, warnings);
    }

    public static string WorkModeName(FoxFamily family, int raw) =>
        family.WorkModes.TryGetValue(raw, out var name) ? name : raw.ToString(CultureInfo.InvariantCulture);

    private static string? State(FoxFamily family, Func<RegisterSpace, int, ushort?> read)
    {
        if (family.StateTable == "g2")
        {
            var s1 = family.Register("inverterStatus1")?.Raw(read);
            var s3 = family.Register("inverterStatus3")?.Raw(read);
            if (s1 is null || s3 is null)
            {
                return null;
            }

            return (s1 & 0x40) != 0 ? "fault"
                : (s3 & 0x01) != 0 ? "off-grid"
                : (s1 & 0x04) != 0 ? "on-grid"
                : (s1 & 0x01) != 0 ? "standby"
                : $"status1=0x{s1:X4}";
        }

        if (family.Register("inverterState")?.Raw(read) is not { } code)
        {
            return null;
        }

        string[] table = family.StateTable switch
        {
            "h1" => ["waiting", "checking", "on-grid", "off-grid", "recoverable-fault", "unrecoverable-fault", "6", "7", "idle"],
            "kh" => ["self-test", "waiting", "checking", "on-grid", "off-grid", "recoverable-fault", "unrecoverable-fault"],
            _ => [],
        };
        return code < table.Length ? table[code] : code.ToString(CultureInfo.InvariantCulture);
    }

    private static List<string>? Faults(FoxFamily family, Func<RegisterSpace, int, ushort?> read)
    {
        var rows = family.Field("faultWord").ToList();
        if (rows.Count == 0 || rows.Any(r => r.Raw(read) is null))
        {
            return null;
        }

        return rows.Where(r => r.Raw(read) != 0).Select(r => FormattableString.Invariant($"{r.Address}:0x{r.Raw(read):X4}")).ToList();
    }

    private static List<ChargePeriod>? ChargePeriods(FoxFamily family, Func<RegisterSpace, int, ushort?> read, List<string> warnings)
    {
        var rows = family.Field("chargePeriod").OrderBy(r => r.Address).ToList();
        if (rows.Count != 6 || rows.Any(r => r.Raw(read) is null))
        {
            return null;
        }

        var raw = rows.Select(r => (int)r.Raw(read)!.Value).ToArray();
        var periods = new List<ChargePeriod>();
        for (var p = 0; p < 2; p++)
        {
            var start = ToTime(raw[(p * 3) + 1]);
            var end = ToTime(raw[(p * 3) + 2]);
            if (start is null || end is null)
            {
                warnings.Add($"charge period {p + 1} at {rows[p * 3].Address}: time words 0x{raw[(p * 3) + 1]:X4}/0x{raw[(p * 3) + 2]:X4} are not hour*256+minute; periods left out");
                return null;
            }

            periods.Add(new ChargePeriod(raw[p * 3] != 0, start.Value, end.Value));
        }

        return periods;
    }

    /// <summary>Fox time words: hour × 256 + minute.</summary>
    public static TimeOnly? ToTime(int word) => (word >> 8) is var h and <= 23 && (word & 0xFF) is var m and <= 59 ? new TimeOnly(h, m) : null;

    public static ushort FromTime(TimeOnly time) => (ushort)((time.Hour << 8) | time.Minute);

    private static RemoteControlState? Remote(FoxFamily family, Func<RegisterSpace, int, ushort?> read, int sign)
    {
        var enable = family.Register("remoteEnable")?.Raw(read);
        var timeout = family.Register("remoteTimeoutSeconds")?.Raw(read);
        var power = family.Register("remoteActivePowerW")?.Value(read);
        return enable is null || timeout is null || power is null ? null : new RemoteControlState(enable != 0, (int)timeout, power.Value * sign);
    }
}

/// <summary>Model string at holding 30000 and family detection.</summary>
public static class FoxModel
{
    /// <summary>Decodes 16 registers: one ASCII character per register (H1 G1, H3) when every register is ≤ 0xFF,
    /// otherwise two per register, high byte first (G2, KH, H3-Pro). Non-printable bytes are dropped.</summary>
    public static string Decode(ReadOnlySpan<ushort> registers)
    {
        var charPerRegister = true;
        foreach (var r in registers)
        {
            charPerRegister &= r <= 0xFF;
        }

        var chars = new List<char>();
        foreach (var r in registers)
        {
            if (!charPerRegister)
            {
                Add((byte)(r >> 8));
            }

            Add((byte)r);
        }

        return new string(chars.ToArray()).Trim();

        void Add(byte b)
        {
            if (b is >= 0x20 and <= 0x7E)
            {
                chars.Add((char)b);
            }
        }
    }

    public static ushort[] Encode(string model, bool charPerRegister)
    {
        var regs = new ushort[FoxRegisterMap.ModelRegisters];
        for (var i = 0; i < regs.Length; i++)
        {
            if (charPerRegister)
            {
                regs[i] = i < model.Length ? model[i] : (ushort)0;
            }
            else
            {
                var hi = 2 * i < model.Length ? model[2 * i] : 0;
                var lo = (2 * i) + 1 < model.Length ? model[(2 * i) + 1] : 0;
                regs[i] = (ushort)((hi << 8) | lo);
            }
        }

        return regs;
    }

    /// <summary>The family for a model string: <c>h1</c> (gen 1; the caller picks h1-rs485 or h1-lan), <c>h1-g2</c>,
    /// <c>kh</c>, <c>h3</c>, <c>h3-pro</c>, or null when unknown.</summary>
    public static string? Classify(string model)
    {
        var m = model.Trim().ToUpperInvariant();
        if (m.Contains("-G2", StringComparison.Ordinal) || m.StartsWith("P1-", StringComparison.Ordinal))
        {
            return "h1-g2";
        }

        if (m.StartsWith("KH", StringComparison.Ordinal))
        {
            return "kh";
        }

        if (m.Contains("SMART", StringComparison.Ordinal) || m.StartsWith("H3-PRO", StringComparison.Ordinal) || m.StartsWith("P3-PRO", StringComparison.Ordinal)
            || m.Contains("ENPAL", StringComparison.Ordinal) || m.Contains("1KOMMA5", StringComparison.Ordinal)
            || (m.StartsWith("H3-", StringComparison.Ordinal) && m.EndsWith("-M", StringComparison.Ordinal)))
        {
            return "h3-pro";
        }

        string[] h3 = ["H3", "AC3", "AIO-H3", "KUARA", "STAR", "SOLAVITA", "SK-HWR", "A-TRONIX"];
        if (h3.Any(p => m.StartsWith(p, StringComparison.Ordinal)))
        {
            return "h3";
        }

        string[] h1 = ["H1", "AC1", "AIO-H1", "AIO-AC1"];
        return h1.Any(p => m.StartsWith(p, StringComparison.Ordinal)) ? "h1" : null;
    }
}
