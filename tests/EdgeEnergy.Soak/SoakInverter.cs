using System.Diagnostics;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Modbus.Transport;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Simulation;

namespace EdgeEnergy.Soak;

/// <summary>
/// The inverter the soak talks to: a <see cref="SimulatedFoxEss"/> on the soak's clock behind the register-bank
/// interface the Modbus server core answers from, with the faults that live in the device itself: exception replies,
/// absurd telemetry (a 250 % state of charge, a grid power of −32768 W) and a reboot (a fresh simulator at the same
/// state of charge, every setting back to its default). Counts persistent-register writes per UK day.
/// </summary>
internal sealed class SoakInverter : IModbusRegisterBank
{
    private readonly FoxFamily _family;
    private readonly TimeProvider _clock;
    private readonly SimulatedFoxEssOptions _options;
    private readonly HashSet<int> _persistent;
    private readonly FoxRegister _soc;
    private readonly FoxRegister _grid;
    private readonly Dictionary<DateOnly, int> _persistentWrites = [];
    private readonly Dictionary<DateOnly, int> _persistentRegisterWrites = [];
    private (DateTimeOffset At, int NextAddress) _lastPersistent;
    private readonly Lock _lock = new();
    private long _requests;
    private long _lastRequestTimestamp;

    public SoakInverter(FoxFamily family, TimeProvider clock, SimulatedFoxEssOptions options)
    {
        (_family, _clock, _options) = (family, clock, options);
        Device = new SimulatedFoxEss(family, clock, options);
        _persistent = [.. family.Registers.Where(r => r.Access == WriteClass.Persistent).SelectMany(r => Enumerable.Range(r.Address, r.Words))];
        _soc = family.Register("batterySocPercent") ?? throw new InvalidOperationException("no SoC register");
        _grid = family.Register("gridPowerW") ?? throw new InvalidOperationException("no grid power register");
    }

    public SimulatedFoxEss Device { get; private set; }

    /// <summary>Every persistent write: when, where, what.</summary>
    public List<string> PersistentWriteLog { get; } = [];

    public FoxFamily Family => _family;

    /// <summary>Every request answers with exception 04 (server device failure).</summary>
    public bool ExceptionReplies { get; set; }

    /// <summary>The state of charge reads 250 % and the grid power −32768 W.</summary>
    public bool AbsurdTelemetry { get; set; }

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Wall time since the last request reached the device.</summary>
    public TimeSpan SinceLastRequest => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastRequestTimestamp));

    /// <summary>Power back to defaults: a new simulator at the battery's present state of charge.</summary>
    public void Reboot()
    {
        lock (_lock)
        {
            Device = new SimulatedFoxEss(_family, _clock, _options with { InitialSocPercent = Device.SocPercent });
        }
    }

    /// <summary>A setting written straight into the device, as another program on the bus would.</summary>
    public void WriteForeign(string field, double value)
    {
        var register = _family.Register(field) ?? throw new InvalidOperationException($"no {field} register");
        lock (_lock)
        {
            if (Device.WriteRegisters(register.Address, register.Encode(value), singleWrite: register.Words == 1) is { } refused)
            {
                throw new InvalidOperationException($"{field} = {value} refused: {refused}");
            }
        }
    }

    /// <summary>Persistent settings written (one setting's registers written together count once), by UTC day (the driver's budget day).</summary>
    public IReadOnlyDictionary<DateOnly, int> PersistentWritesByDay
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<DateOnly, int>(_persistentWrites);
            }
        }
    }

    /// <summary>Persistent registers written, by UTC day.</summary>
    public IReadOnlyDictionary<DateOnly, int> PersistentRegisterWritesByDay
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<DateOnly, int>(_persistentRegisterWrites);
            }
        }
    }

    /// <summary>A register's value in the device now (null when it has none).</summary>
    public double? Read(string field)
    {
        lock (_lock)
        {
            var device = Device;
            return _family.Register(field)?.Value((space, address) => device.Peek(space, address));
        }
    }

    public ModbusExceptionCode? ReadRegisters(ModbusFunction functionCode, int address, Span<ushort> values)
    {
        Touch();
        if (ExceptionReplies)
        {
            return ModbusExceptionCode.ServerDeviceFailure;
        }

        ModbusExceptionCode? result;
        lock (_lock)
        {
            result = Device.ReadRegisters(functionCode, address, values);
        }

        if (result is null && AbsurdTelemetry)
        {
            Overwrite(values, address, _soc, 250);
            Overwrite(values, address, _grid, -32768);
        }

        return result;
    }

    public ModbusExceptionCode? WriteRegisters(int address, ReadOnlySpan<ushort> values, bool singleWrite)
    {
        Touch();
        if (ExceptionReplies)
        {
            return ModbusExceptionCode.ServerDeviceFailure;
        }

        lock (_lock)
        {
            var result = Device.WriteRegisters(address, values, singleWrite);
            if (result is null && Enumerable.Range(address, values.Length).Any(_persistent.Contains))
            {
                // One setting written at one instant, register by register (a charge-period block is six single
                // writes), is one write of the budget, as the driver counts them; the registers are counted apart.
                var now = _clock.GetUtcNow();
                var day = DateOnly.FromDateTime(now.UtcDateTime);
                _persistentRegisterWrites[day] = _persistentRegisterWrites.GetValueOrDefault(day) + values.Length;
                if (_lastPersistent.At != now || _lastPersistent.NextAddress != address)
                {
                    _persistentWrites[day] = _persistentWrites.GetValueOrDefault(day) + 1;
                }

                _lastPersistent = (now, address + values.Length);
                PersistentWriteLog.Add($"{_clock.GetUtcNow():u} {address}+{values.Length}: {string.Join(' ', values.ToArray())}");
            }

            return result;
        }
    }

    public ModbusExceptionCode? ReadBits(ModbusFunction functionCode, int address, Span<bool> values) => ModbusExceptionCode.IllegalFunction;

    public ModbusExceptionCode? WriteBits(int address, ReadOnlySpan<bool> values) => ModbusExceptionCode.IllegalFunction;

    private void Touch()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Exchange(ref _lastRequestTimestamp, Stopwatch.GetTimestamp());
    }

    private static void Overwrite(Span<ushort> values, int address, FoxRegister register, double value)
    {
        var words = register.Encode(value);
        for (var i = 0; i < words.Length; i++)
        {
            var index = register.Address + i - address;
            if (index >= 0 && index < values.Length)
            {
                values[index] = words[i];
            }
        }
    }
}
