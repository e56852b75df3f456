using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Units;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeEnergy.Simulation;

/// <summary>Site and battery of a simulated inverter. Profiles give W at an instant (UTC).</summary>
public sealed record SimulatedFoxEssOptions
{
    public double CapacityKwh { get; init; } = 10.4;
    public double InitialSocPercent { get; init; } = 50;
    /// <summary>Inverter limit on battery power, W, before the current limits apply.</summary>
    public double MaxBatteryPowerW { get; init; } = 5000;
    public Func<DateTimeOffset, double> PvW { get; init; } = DefaultPv;
    public Func<DateTimeOffset, double> LoadW { get; init; } = DefaultLoad;

    /// <summary>A clear-sky-ish day: 4 kW peak at 12:00 UTC, nothing before 06:00 or after 18:00.</summary>
    public static double DefaultPv(DateTimeOffset t) => ClearSkyPv(t, 4000);

    /// <summary>The clear-sky-ish day scaled to <paramref name="peakW"/> at 12:00 UTC (0: a site without solar).</summary>
    public static double ClearSkyPv(DateTimeOffset t, double peakW)
    {
        var h = t.UtcDateTime.TimeOfDay.TotalHours;
        return h is > 6 and < 18 ? Math.Round(peakW * Math.Sin(Math.PI * (h - 6) / 12)) : 0;
    }

    /// <summary>300 W base, a breakfast bump and an evening peak.</summary>
    public static double DefaultLoad(DateTimeOffset t)
    {
        var h = t.UtcDateTime.Hour;
        return 300 + (h is 7 ? 500 : 0) + (h is >= 17 and < 20 ? 1200 : 0);
    }
}

/// <summary>A Fox ESS inverter at register level for one family: the family's function codes (FC03/FC04 per space;
/// FC06/FC16 writes; no coils), IllegalAddress outside its answered ranges and for multi-register reads where it needs
/// single reads, value checks on settings, and physics: battery energy integrated from the commanded power with PV and
/// load profiles, work modes, min SoC and charge periods respected, and the remote-control watchdog honoured (remote
/// control switches itself off when not refreshed within its timeout). Time comes from the <see cref="TimeProvider"/>.</summary>
public sealed class SimulatedFoxEss : IModbusRegisterBank
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly SimulatedFoxEssOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<int, ushort> _settings = [];
    private readonly Dictionary<(RegisterSpace, int), ushort> _image = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _last;
    private DateTimeOffset? _remoteDeadline;
    private bool _written;
    private double _socKwh;
    private double _batteryW, _gridW, _pvW, _loadW;
    private double _pvEnergyKwh, _chargeKwh, _dischargeKwh, _importKwh, _exportKwh, _loadKwh;

    public SimulatedFoxEss(FoxFamily family, TimeProvider timeProvider, SimulatedFoxEssOptions? options = null, ILogger? logger = null)
    {
        Family = family;
        _timeProvider = timeProvider;
        _options = options ?? new SimulatedFoxEssOptions();
        _logger = logger ?? NullLogger.Instance;
        _last = timeProvider.GetUtcNow();
        _socKwh = _options.CapacityKwh * _options.InitialSocPercent / 100;
        Set("workMode", family.WorkModeCode("self-use") ?? 0);
        Set("minSocPercent", 10);
        Set("maxSocPercent", 100);
        Set("minSocOnGridPercent", 15);
        Set("maxChargeCurrentA", 25);
        Set("maxDischargeCurrentA", 25);
        Set("remoteEnable", 0);
        Set("remoteTimeoutSeconds", 0);
        Set("remoteActivePowerW", 0);
        foreach (var r in family.Field("chargePeriod"))
        {
            _settings[r.Address] = 0;
        }

        Advance();
    }

    public FoxFamily Family { get; }

    // Latest physical state, our sign convention (battery + = discharging, grid + = importing).
    public double SocPercent { get { lock (_lock) { Advance(); return 100 * _socKwh / _options.CapacityKwh; } } }
    public double BatteryPowerW { get { lock (_lock) { Advance(); return _batteryW; } } }
    public double GridPowerW { get { lock (_lock) { Advance(); return _gridW; } } }
    public double PvPowerW { get { lock (_lock) { Advance(); return _pvW; } } }
    public double LoadPowerW { get { lock (_lock) { Advance(); return _loadW; } } }
    public bool RemoteControlActive { get { lock (_lock) { Advance(); return RemoteEnabled; } } }
    /// <summary>Times the simulated watchdog switched remote control off.</summary>
    public int RemoteTimeouts { get; private set; }

    private void Set(string field, double value)
    {
        if (Family.Register(field) is { } r)
        {
            var words = r.Encode(value);
            for (var i = 0; i < words.Length; i++)
            {
                _settings[r.Address + i] = words[i];
            }
        }
    }

    private double? Setting(string field) => Family.Register(field)?.Value((_, a) => _settings.TryGetValue(a, out var v) ? v : null);

    private bool RemoteEnabled => Setting("remoteEnable") is > 0;

    private double BatteryVoltage => Family.LowVoltageBattery ? 51.2 : 300.0;

    /// <summary>Integrates physics up to now, in steps of at most 10 s, expiring remote control exactly at its deadline.</summary>
    private void Advance()
    {
        var now = _timeProvider.GetUtcNow();
        while (_last < now)
        {
            var end = now < _last + s_step ? now : _last + s_step;
            if (RemoteEnabled && _remoteDeadline is { } d && d > _last && d < end)
            {
                end = d;
            }

            Step(_last, end);
            _last = end;
            if (RemoteEnabled && _remoteDeadline is { } deadline && _last >= deadline)
            {
                Set("remoteEnable", 0);
                RemoteTimeouts++;
                _logger.Simulator($"{Family.Key}: remote control not refreshed within its timeout; back to work mode {WorkModeName}");
            }
        }

        Step(now, now); // the powers at this instant (after any watchdog expiry)
        RenderImage();
    }

    private string WorkModeName => Setting("workMode") is { } code ? FoxDecoder.WorkModeName(Family, (int)code) : "self-use";

    private void Step(DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = (to - from).TotalSeconds;
        var mid = from + ((to - from) / 2);
        var pv = Math.Max(0, _options.PvW(mid));
        var load = Math.Max(0, _options.LoadW(mid));
        var floorKwh = _options.CapacityKwh * (Setting("minSocOnGridPercent") ?? 10) / 100;
        var remote = RemoteEnabled && (_remoteDeadline is null || mid < _remoteDeadline);
        var ceilingKwh = _options.CapacityKwh * (remote ? 100 : Setting("maxSocPercent") ?? 100) / 100;
        var maxCharge = Math.Min(_options.MaxBatteryPowerW, (Setting("maxChargeCurrentA") ?? 100) * BatteryVoltage);
        var maxDischarge = Math.Min(_options.MaxBatteryPowerW, (Setting("maxDischargeCurrentA") ?? 100) * BatteryVoltage);

        double battery; // + = discharging
        if (remote)
        {
            // The remote setpoint is the inverter's AC power (+ = export): the battery makes up the difference to PV.
            battery = (Setting("remoteActivePowerW") ?? 0) - pv;
        }
        else if (ActiveChargePeriod(mid) is { } gridCharge)
        {
            battery = gridCharge ? -maxCharge : 0;
        }
        else
        {
            battery = WorkModeName switch
            {
                "feed-in-first" => Math.Max(0, load - pv),
                "back-up" or "peak-shaving" => Math.Min(0, load - pv),
                _ => load - pv,
            };
        }

        battery = Math.Clamp(battery, -maxCharge, maxDischarge);
        if (seconds > 0)
        {
            var hours = seconds / 3600;
            battery = Math.Min(battery, Energy.Watts(Math.Max(0, _socKwh - floorKwh), hours));
            battery = Math.Max(battery, -Energy.Watts(Math.Max(0, ceilingKwh - _socKwh), hours));
            _socKwh -= Energy.Kwh(battery, hours);
            var grid = load - pv - battery;
            _pvEnergyKwh += Energy.Kwh(pv, hours);
            _loadKwh += Energy.Kwh(load, hours);
            _chargeKwh += Energy.Kwh(Math.Max(0, -battery), hours);
            _dischargeKwh += Energy.Kwh(Math.Max(0, battery), hours);
            _importKwh += Energy.Kwh(Math.Max(0, grid), hours);
            _exportKwh += Energy.Kwh(Math.Max(0, -grid), hours);
        }
        else
        {
            if (battery > 0 && _socKwh <= floorKwh)
            {
                battery = 0;
            }

            if (battery < 0 && _socKwh >= ceilingKwh)
            {
                battery = 0;
            }
        }

        _batteryW = Math.Round(battery);
        _pvW = Math.Round(pv);
        _loadW = Math.Round(load);
        _gridW = _loadW - _pvW - _batteryW;
    }

    /// <summary>null when no charge period covers <paramref name="t"/>, else its charge-from-grid flag.</summary>
    private bool? ActiveChargePeriod(DateTimeOffset t)
    {
        var rows = Family.Field("chargePeriod").OrderBy(r => r.Address).ToList();
        if (rows.Count != 6)
        {
            return null;
        }

        // The inverter's clock is set to UK civil time by its installer, and its charge periods are wall-clock times
        // (the controller writes them in UK time too): in summer, UTC would start them an hour late.
        var time = TimeOnly.FromDateTime(UkTime.ToLocal(t).DateTime);
        for (var p = 0; p < 2; p++)
        {
            var start = FoxDecoder.ToTime(_settings[rows[(p * 3) + 1].Address]);
            var end = FoxDecoder.ToTime(_settings[rows[(p * 3) + 2].Address]);
            if (start is null || end is null || (start == TimeOnly.MinValue && end == TimeOnly.MinValue))
            {
                continue;
            }

            if (time.IsBetween(start.Value, end.Value))
            {
                return _settings[rows[p * 3].Address] != 0;
            }
        }

        return null;
    }

    private void RenderImage()
    {
        _image.Clear();
        foreach (var (space, address, words) in ModelBlock())
        {
            for (var i = 0; i < words.Length; i++)
            {
                _image[(space, address + i)] = words[i];
            }
        }

        var pv1 = Math.Round(_pvW * 0.6);
        var live = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["pv1PowerW"] = pv1,
            ["pv2PowerW"] = _pvW - pv1,
            ["pv3PowerW"] = 0,
            ["pv4PowerW"] = 0,
            ["pv1VoltageV"] = pv1 > 0 ? 350 : 0,
            ["pv1CurrentA"] = pv1 > 0 ? Math.Round(pv1 / 350, 1) : 0,
            ["pv2VoltageV"] = _pvW - pv1 > 0 ? 340 : 0,
            ["pv2CurrentA"] = _pvW - pv1 > 0 ? Math.Round((_pvW - pv1) / 340, 1) : 0,
            ["batteryPowerW"] = _batteryW,
            ["batteryVoltageV"] = BatteryVoltage,
            ["batteryCurrentA"] = Math.Round(_batteryW / BatteryVoltage, 1),
            ["batteryTemperatureC"] = 23.1,
            ["batterySocPercent"] = Math.Round(100 * _socKwh / _options.CapacityKwh),
            ["gridVoltageV"] = 240.2,
            ["gridFrequencyHz"] = 50.01,
            ["gridPowerW"] = _gridW,
            ["loadPowerW"] = _loadW,
            ["inverterTemperatureC"] = 35.4,
            ["inverterState"] = Family.StateTable switch { "kh" => 3, _ => 2 },
            ["inverterStatus1"] = 0x0004,
            ["inverterStatus3"] = 0,
            ["faultWord"] = 0,
            ["pvEnergyTotalKwh"] = Math.Round(_pvEnergyKwh, 2),
            ["batteryChargeEnergyTotalKwh"] = Math.Round(_chargeKwh, 2),
            ["batteryDischargeEnergyTotalKwh"] = Math.Round(_dischargeKwh, 2),
            ["gridExportEnergyTotalKwh"] = Math.Round(_exportKwh, 2),
            ["gridImportEnergyTotalKwh"] = Math.Round(_importKwh, 2),
            ["loadEnergyTotalKwh"] = Math.Round(_loadKwh, 2),
        };
        foreach (var group in Family.Registers.GroupBy(r => r.Field))
        {
            var rows = group.ToList();
            if (rows[0].Access != WriteClass.ReadOnly)
            {
                foreach (var r in rows)
                {
                    for (var i = 0; i < r.Words; i++)
                    {
                        _image[(r.Space, r.Address + i)] = _settings.TryGetValue(r.Address + i, out var v) ? v : (ushort)0;
                    }
                }

                continue;
            }

            var total = live.GetValueOrDefault(group.Key);
            // Summed fields (three phases) share the value; the first phase takes the rounding remainder.
            var share = group.Key == "faultWord" ? 0 : Math.Round(total / rows.Count);
            for (var k = 0; k < rows.Count; k++)
            {
                var value = group.Key == "faultWord" ? 0 : k == 0 ? total - (share * (rows.Count - 1)) : share;
                var words = rows[k].Encode(value);
                for (var i = 0; i < words.Length; i++)
                {
                    _image[(rows[k].Space, rows[k].Address + i)] = words[i];
                }
            }
        }
    }

    private IEnumerable<(RegisterSpace, int, ushort[])> ModelBlock()
    {
        yield return (RegisterSpace.Holding, FoxRegisterMap.ModelAddress, FoxModel.Encode(Family.SimulatedModel, Family.ModelCharPerRegister));
        // Firmware versions: decimal at 30016-30018 (G1, H3), hex-coded at 36001-36003 (G2, KH, H3-Pro).
        yield return (RegisterSpace.Holding, 30016, [150, 150, 170]);
        yield return (RegisterSpace.Holding, 36001, [0x150, 0x150, 0x150]);
    }

    public ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values)
    {
        var space = functionCode == ModbusFunction.ReadInputRegisters ? RegisterSpace.Input : RegisterSpace.Holding;
        lock (_lock)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var a = address + i;
                if (!Family.IsAnswered(space, a) || (values.Length > 1 && Family.IsSingleRegister(space, a)))
                {
                    return ModbusExceptionCode.IllegalDataAddress;
                }
            }

            Advance();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = _image.TryGetValue((space, address + i), out var v) ? v : (ushort)0;
            }

            return null;
        }
    }

    public ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite)
    {
        lock (_lock)
        {
            Advance();
            var staged = new Dictionary<int, ushort>(_settings);
            var touched = new HashSet<FoxRegister>();
            for (var i = 0; i < values.Length; i++)
            {
                var a = address + i;
                var register = Family.Registers.FirstOrDefault(r => a >= r.Address && a < r.Address + r.Words);
                if (register is null || register.Access == WriteClass.ReadOnly || (values.Length > 1 && Family.IsSingleRegister(RegisterSpace.Holding, a)))
                {
                    return ModbusExceptionCode.IllegalDataAddress;
                }

                staged[a] = values[i];
                touched.Add(register);
            }

            foreach (var r in touched)
            {
                // 32-bit values must be written whole; enable and timeout only with FC06 (FM-RCM).
                if (r.Words == 2 && (address > r.Address || address + values.Length < r.Address + 2))
                {
                    return ModbusExceptionCode.IllegalDataValue;
                }

                if (!singleWrite && r.Field is "remoteEnable" or "remoteTimeoutSeconds")
                {
                    return ModbusExceptionCode.IllegalDataValue;
                }

                var value = r.Value((_, a) => staged.TryGetValue(a, out var v) ? v : null)!.Value;
                var ok = r.Field switch
                {
                    "workMode" => Family.WorkModes.ContainsKey((int)value),
                    "minSocPercent" or "minSocOnGridPercent" => value is >= 10 and <= 100,
                    "maxSocPercent" => value is >= 10 and <= 100,
                    "maxChargeCurrentA" or "maxDischargeCurrentA" => value is >= 0 and <= 50,
                    "remoteEnable" => value is >= 0 and <= 7,
                    "chargePeriod" => (r.Address - Family.Field("chargePeriod").Min(p => p.Address)) % 3 == 0 ? value is 0 or 1 : FoxDecoder.ToTime((int)value) is not null,
                    _ => true,
                };
                if (!ok)
                {
                    return ModbusExceptionCode.IllegalDataValue;
                }
            }

            var wasRemote = RemoteEnabled;
            var workMode = Setting("workMode");
            foreach (var (a, v) in staged)
            {
                _settings[a] = v;
            }

            // Seen from outside (the footprint benchmark times start-up to the first of these): what a client changed.
            if (!_written)
            {
                _written = true;
                _logger.Simulator($"{Family.Key}: first write by a client: {string.Join(", ", touched.Select(r => r.Field))}");
            }

            if (RemoteEnabled != wasRemote)
            {
                _logger.Simulator($"{Family.Key}: remote control {(RemoteEnabled ? "enabled" : "disabled")} by a client");
            }

            if (Setting("workMode") != workMode)
            {
                _logger.Simulator($"{Family.Key}: work mode set to {WorkModeName} by a client");
            }

            if (touched.Any(r => r.Field.StartsWith("remote", StringComparison.Ordinal)))
            {
                _remoteDeadline = _last + TimeSpan.FromSeconds(Setting("remoteTimeoutSeconds") ?? 0);
            }

            Step(_last, _last);
            RenderImage();
            return null;
        }
    }

    public ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values) => ModbusExceptionCode.IllegalFunction;

    public ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values) => ModbusExceptionCode.IllegalFunction;

    /// <summary>A register's raw value as a client would read it (for tests).</summary>
    public ushort? Peek(RegisterSpace space, int address)
    {
        lock (_lock)
        {
            Advance();
            return _image.TryGetValue((space, address), out var v) ? v : null;
        }
    }
}
