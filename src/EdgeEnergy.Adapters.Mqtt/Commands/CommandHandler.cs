using System.Text;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Commands;

/// <summary>
/// One command payload → parse and check against the hard limits → apply through <see cref="IApplianceCommands"/>,
/// or reject with a reason. A rejected command applies nothing. <paramref name="source"/> names the channel in what it
/// records (the override's source, the car settings' audit): <see cref="Source"/> for Home Assistant, <c>fleet</c> for
/// the fleet broker.
/// </summary>
internal sealed class CommandHandler(IApplianceStatus state, IApplianceCommands commands, OverrideLimits limits, TimeProvider time, string source = CommandHandler.Source)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public const string Source = "mqtt";

    /// <summary>Handles a command for <paramref name="instance"/> (null: no entity has this command topic).</summary>
    public Task<CommandOutcome> HandleAsync(EntityInstance? instance, string key, ReadOnlyMemory<byte> payloadBytes, bool retained, CancellationToken cancellationToken) =>
        instance?.Definition.Command is { } commandName && CommandKinds.ByName.TryGetValue(commandName, out var kind)
            ? HandleAsync(kind, instance.ImmersionId, key, payloadBytes, retained, cancellationToken)
            : HandleAsync(null, null, key, payloadBytes, retained, cancellationToken);

    /// <summary>Handles a command of <paramref name="commandKind"/> (null: nothing takes this command) named <paramref name="key"/>.</summary>
    public async Task<CommandOutcome> HandleAsync(CommandKind? commandKind, string? immersionId, string key, ReadOnlyMemory<byte> payloadBytes, bool retained, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string payload;
        try
        {
            payload = s_strictUtf8.GetString(payloadBytes.Span);
        }
        catch (DecoderFallbackException)
        {
            return new CommandOutcome(key, $"({payloadBytes.Length} bytes)", false, "payload is not valid UTF-8", now);
        }

        CommandOutcome Reject(string reason) => new(key, payload, false, reason, now);

        if (commandKind is not { } kind)
        {
            return Reject($"no entity '{key}' takes commands");
        }

        if (retained)
        {
            // Home Assistant never retains commands; a retained one is stale and would re-apply at every reconnect.
            return Reject("retained command ignored (commands must not be retained)");
        }

        var ct = cancellationToken;
        if (kind == CommandKind.ControlMode)
        {
            var mode = OverrideCommandParser.ParseControlMode(payload);
            if (!mode.IsValid)
            {
                return Reject(mode.Error!);
            }

            var said = await commands.SetControlModeAsync(mode.Value, ct);
            var pending = mode.Value == Domain.Control.ControlMode.Active && state.Current.Mode != Domain.Control.ControlMode.Active;
            return new CommandOutcome(key, payload, true, said, now, pending);
        }

        var (error, apply) = kind switch
        {
            CommandKind.OverrideMode => Bind(
                OverrideCommandParser.ParseMode(payload, state.Current.OverrideDurationMinutes, now, limits, source), v => commands.SetOverrideAsync(v, ct)),
            CommandKind.OverrideDuration => Bind(OverrideCommandParser.ParseDurationMinutes(payload, limits), v => commands.SetOverrideDurationAsync(v, ct)),
            CommandKind.ReserveSoc => Bind(OverrideCommandParser.ParseReserveSocPercent(payload, limits), v => commands.SetReserveSocAsync(v, ct)),
            CommandKind.ImmersionEnabled => Bind(OverrideCommandParser.ParseSwitch(payload), v => commands.SetImmersionEnabledAsync(immersionId!, v, ct)),
            CommandKind.ImmersionBoost => Bind(OverrideCommandParser.ParseButton(payload), _ => commands.BoostImmersionAsync(immersionId!, ct)),
            CommandKind.Replan => Bind(OverrideCommandParser.ParseButton(payload), _ => commands.ReplanNowAsync(ct)),
            CommandKind.EvDeparture => Bind(OverrideCommandParser.ParseTimeOfDay(payload), v => commands.SetEvDepartureAsync(v, source, ct)),
            CommandKind.EvTargetSoc => Bind(OverrideCommandParser.ParseEvTargetSocPercent(payload), v => commands.SetEvTargetSocAsync(v, source, ct)),
            CommandKind.EvChargeNow => Bind(OverrideCommandParser.ParseSwitch(payload), v => commands.SetEvChargeNowAsync(v, source, ct)),
            _ => ($"command '{kind}' has no handler", null),
        };

        if (apply is null)
        {
            return Reject(error ?? "rejected");
        }

        try
        {
            await apply();
        }
        catch (ArgumentException ex)
        {
            // The appliance re-checks the hard limits; its refusal is a rejection, not a failure.
            return Reject(ex.Message);
        }

        return new CommandOutcome(key, payload, true, null, now);
    }

    /// <summary>A parsed command and what applying it means, or the reason it was rejected.</summary>
    private static (string? Error, Func<Task>? Apply) Bind<T>(CommandResult<T> parsed, Func<T, Task> apply) =>
        parsed.IsValid ? (null, () => apply(parsed.Value)) : (parsed.Error, null);
}
