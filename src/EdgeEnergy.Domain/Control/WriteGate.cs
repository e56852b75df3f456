namespace EdgeEnergy.Domain.Control;

/// <summary>Who is in charge of the site (configuration <c>Control:Mode</c>, docs/contracts.md section 5).</summary>
public enum ControlMode
{
    /// <summary>EdgeEnergy commands the inverter and switches relays.</summary>
    Active,

    /// <summary>Everything runs and is recorded, but nothing is written: no Modbus write, no relay, no Home Assistant service.</summary>
    Shadow,
}

/// <summary>The wire names of <see cref="ControlMode"/>: <c>active</c> and <c>shadow</c>.</summary>
public static class ControlModes
{
    public const string Active = "active";
    public const string Shadow = "shadow";

    public static string ToWire(this ControlMode mode) => mode == ControlMode.Shadow ? Shadow : Active;

    /// <summary>Parses <c>active</c> or <c>shadow</c> (case-insensitive, surrounding blanks ignored); false for anything else.</summary>
    public static bool TryParse(string? text, out ControlMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Active:
                mode = ControlMode.Active;
                return true;
            case Shadow:
                mode = ControlMode.Shadow;
                return true;
            default:
                mode = ControlMode.Active;
                return false;
        }
    }
}

/// <summary>
/// The one switch every write to the site passes through, below the drivers: the Modbus bus checks it for every write
/// function code (05, 06, 15, 16), the relays and the Home Assistant service caller check it before they act. Open in
/// <see cref="ControlMode.Active"/>; closed in <see cref="ControlMode.Shadow"/>, where <see cref="Check"/> throws
/// <see cref="WriteRefusedException"/> and nothing reaches the wire. <see cref="HandBack"/> opens it for the writes of
/// one asynchronous flow only (the hand-back of the inverter when the mode turns to shadow); no other caller's write
/// passes meanwhile. Thread-safe.
/// </summary>
public sealed class WriteGate(ControlMode mode)
{
    private readonly AsyncLocal<bool> _handingBack = new();
    private volatile int _mode = (int)mode;
    private long _refused;

    public ControlMode Mode => (ControlMode)_mode;

    /// <summary>True when a write by the calling flow would pass.</summary>
    public bool IsOpen => Mode == ControlMode.Active || _handingBack.Value;

    /// <summary>Writes refused since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void Set(ControlMode value) => _mode = (int)value;

    /// <summary>Throws when the gate is closed to the calling flow; <paramref name="what"/> names the write (e.g.
    /// <c>tcp://127.0.0.1:502 unit 247: FC06 WriteSingleRegister address 44000 count 1</c>).</summary>
    /// <exception cref="WriteRefusedException">Shadow mode: nothing was written.</exception>
    public void Check(string what)
    {
        if (!IsOpen)
        {
            Interlocked.Increment(ref _refused);
            throw new WriteRefusedException(what);
        }
    }

    /// <summary>Opens the gate for the writes of the calling asynchronous flow (and flows it starts) until disposed.</summary>
    public IDisposable HandBack()
    {
        var before = _handingBack.Value;
        _handingBack.Value = true;
        return new Restore(_handingBack, before);
    }

    private sealed class Restore(AsyncLocal<bool> flag, bool before) : IDisposable
    {
        public void Dispose() => flag.Value = before;
    }
}

/// <summary>A write refused by the <see cref="WriteGate"/> in shadow mode: nothing reached the device. Not a device fault.</summary>
public sealed class WriteRefusedException : InvalidOperationException
{
    public WriteRefusedException()
        : base("shadow mode: write refused")
    {
    }

    public WriteRefusedException(string what)
        : base($"shadow mode: {what} refused (Control:Mode is shadow: nothing is written)")
    {
        What = what;
    }

    public WriteRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The write that was refused.</summary>
    public string? What { get; }
}
