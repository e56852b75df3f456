using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Control.Policy;

/// <summary>
/// Anti-flapping: a small pure state machine between the decision and the inverter. A new kind of command is held
/// back until the current one has run for <see cref="MinimumDwell"/>; a power change smaller than
/// <see cref="PowerHysteresisW"/> within the same kind keeps the running command. A safe command (self-use or hold
/// at a higher reserve) and the very first command always pass.
/// </summary>
public sealed class CommandDebouncer(TimeSpan minimumDwell, double powerHysteresisW)
{
    private InverterCommand? _current;
    private DateTimeOffset _since;

    public TimeSpan MinimumDwell { get; } = minimumDwell;
    public double PowerHysteresisW { get; } = powerHysteresisW;

    /// <summary>The command in force, or null before the first.</summary>
    public InverterCommand? Current => _current;

    /// <summary>Since when a command of <see cref="Current"/>'s kind has been in force (its dwell counts from here).</summary>
    public DateTimeOffset CurrentSince => _since;

    /// <summary>Returns the command to send at <paramref name="now"/> given the one proposed.</summary>
    public InverterCommand Next(DateTimeOffset now, InverterCommand proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        if (_current is null)
        {
            return Switch(now, proposed);
        }

        if (proposed.Kind == _current.Kind)
        {
            var samePower = (proposed.PowerW, _current.PowerW) switch
            {
                (null, null) => true,
                ({ } a, { } b) => Math.Abs(a - b) < PowerHysteresisW,
                _ => false,
            };
            // Same kind, similar power and same reserve: nothing worth a register write.
            return samePower && proposed.ReserveSocPercent.Equals(_current.ReserveSocPercent) ? _current : Switch(now, proposed);
        }

        var isSafe = proposed.Kind is InverterCommandKind.SelfUse or InverterCommandKind.Hold && proposed.PowerW is null or 0;
        return isSafe || now - _since >= MinimumDwell ? Switch(now, proposed) : _current;
    }

    /// <summary>
    /// Records a command that was sent without debouncing (an override or the fallback rules), so the dwell of what
    /// follows counts from <paramref name="now"/>.
    /// </summary>
    public InverterCommand Accept(DateTimeOffset now, InverterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Switch(now, command);
    }

    /// <summary>
    /// The wall clock stepped by <paramref name="step"/> (+ ahead, − back) while time ran on: the command in force keeps
    /// the dwell it has actually run, so a step back does not hold it for the step's length and a step ahead does not
    /// cut its dwell short.
    /// </summary>
    public void ClockStepped(TimeSpan step)
    {
        if (_current is not null)
        {
            _since += step;
        }
    }

    private InverterCommand Switch(DateTimeOffset now, InverterCommand command)
    {
        if (_current is null || command.Kind != _current.Kind)
        {
            _since = now;
        }

        _current = command;
        return command;
    }
}
