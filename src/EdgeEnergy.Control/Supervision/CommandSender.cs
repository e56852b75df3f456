using System.Globalization;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>What the sender did this poll: the command after anti-flapping, whether it was due, and whether it went out.</summary>
public sealed record SendOutcome(InverterCommand Command, bool Due, InverterCommand? Sent, string? Problem);

/// <summary>
/// Carries a decision to the inverter: anti-flapping (<see cref="CommandDebouncer"/>; a move to safety or to another
/// source is never delayed), then a send when the command or the path changed or a re-send is due, each audited with
/// its reason. In shadow mode it sends nothing and records, each poll, what it would have sent beside what the
/// inverter did; back in active, its first poll sends again.
/// </summary>
public sealed class CommandSender(ControlOptions options, IAuditLog audit, ILogger logger)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private readonly CommandDebouncer _debouncer = new(TimeSpan.FromSeconds(options.MinimumDwellSeconds), options.PowerHysteresisW);
    private InverterCommand? _lastSent;
    private string? _lastSentPath;
    private DateTimeOffset _lastSentAt;

    public long Applied { get; private set; }

    public long Failed { get; private set; }

    /// <summary>Sends the decision when due; <paramref name="canSend"/>: whether this poll may send at all (a path answered, or nothing failed).</summary>
    public async Task<SendOutcome> StepAsync(
        DateTimeOffset now, TelemetryReading reading, ControlDecision decision, bool shadow, bool canSend, CancellationToken cancellationToken)
    {
        var command = decision.Source == RecommendationSource.Plan
            ? _debouncer.Next(now, decision.Command)
            : _debouncer.Accept(now, decision.Command);
        var path = reading.Path;
        if (shadow)
        {
            await RecordShadowAsync(now, path, command, decision, reading.Telemetry, cancellationToken);
            // Whatever was sent before is no longer in force (the hand-back undid it).
            (_lastSent, _lastSentPath) = (null, null);
            return new SendOutcome(command, false, null, null);
        }

        var due = command != _lastSent || path.Name != _lastSentPath || now - _lastSentAt >= TimeSpan.FromSeconds(options.ResendSeconds);
        if (!due || !canSend)
        {
            return new SendOutcome(command, due, null, null);
        }

        var sent = await SendAsync(now, path, command, decision, cancellationToken) ? command : null;
        return new SendOutcome(command, due, sent, sent is null ? $"{path.Name}: command not accepted" : null);
    }

    /// <summary>
    /// The wall clock stepped by <paramref name="step"/>: the re-send interval and the anti-flapping dwell go on counting
    /// the time that really passed (a step back would otherwise stop re-sends and hold the command in force for the
    /// step's length; a step ahead would re-send at once, which is harmless).
    /// </summary>
    public void ClockStepped(TimeSpan step)
    {
        if (_lastSent is not null)
        {
            _lastSentAt += step;
        }

        _debouncer.ClockStepped(step);
    }

    private async Task<bool> SendAsync(DateTimeOffset now, BatteryPath path, InverterCommand command, ControlDecision decision, CancellationToken cancellationToken)
    {
        var text = Describe(command);
        string outcome;
        var ok = false;
        try
        {
            await path.Controller.ApplyAsync(command, cancellationToken);
            (_lastSent, _lastSentPath, _lastSentAt) = (command, path.Name, now);
            outcome = "ok";
            ok = true;
            Applied++;
            logger.CommandApplied(text, decision.Source, decision.Reason);
        }
        catch (WriteRefusedException e)
        {
            // The mode turned to shadow while this command was on its way: nothing was written, and nothing failed.
            outcome = $"not sent ({e.Message})";
            ok = true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = e.Message;
            Failed++;
            logger.CommandFailed(text, path.Name, e.Message);
        }

        await RecordAsync(new AuditEntry(now, path.Name, text, outcome, Why(decision)), cancellationToken);
        return ok;
    }

    /// <summary>Shadow mode: one audit row per poll with the command EdgeEnergy would have sent and why, and what the
    /// inverter did instead (its measured flows and the settings it reports).</summary>
    private async Task RecordShadowAsync(DateTimeOffset now, BatteryPath path, InverterCommand command, ControlDecision decision, InverterTelemetry? t, CancellationToken cancellationToken)
    {
        var actual = t is null
            ? "inverter not read this poll"
            : string.Join(", ", new[]
            {
                t.BatteryPowerW is { } b ? string.Format(s_inv, "battery {0:0} W ({1})", b, b > 50 ? "discharging" : b < -50 ? "charging" : "idle") : null,
                t.BatterySocPercent is { } soc ? string.Format(s_inv, "SoC {0:0.#}%", soc) : null,
                t.GridPowerW is { } g ? string.Format(s_inv, "grid {0:0} W", g) : null,
                t.WorkMode is { } mode ? $"work mode {mode}" : null,
                t.RemoteControl is { } rc ? (rc.Enabled ? string.Format(s_inv, "remote control on at {0:0} W", rc.ActivePowerW) : "remote control off") : null,
            }.Where(x => x is not null));
        var text = Describe(command);
        logger.ShadowDecision(text, decision.Source, decision.Reason);
        await RecordAsync(new AuditEntry(now, path.Name, text, $"shadow: not sent; inverter did: {actual}", Why(decision)), cancellationToken);
    }

    private async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await audit.RecordAsync(entry, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.StepFailed(e);
        }
    }

    private static string Why(ControlDecision decision) => $"{decision.Source.ToString().ToLowerInvariant()}: {decision.Reason}";

    private static string Describe(InverterCommand c) => c.Kind switch
    {
        InverterCommandKind.ForceCharge => string.Format(s_inv, "force-charge {0:0}W reserve={1:0}%", c.PowerW, c.ReserveSocPercent),
        InverterCommandKind.ForceDischarge => string.Format(s_inv, "force-discharge {0:0}W reserve={1:0}%", c.PowerW, c.ReserveSocPercent),
        InverterCommandKind.Hold => string.Format(s_inv, "hold reserve={0:0}%", c.ReserveSocPercent),
        _ => c.PowerW is { } w
            ? string.Format(s_inv, "self-use max-discharge={0:0}W reserve={1:0}%", w, c.ReserveSocPercent)
            : string.Format(s_inv, "self-use reserve={0:0}%", c.ReserveSocPercent),
    };
}
