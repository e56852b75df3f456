using System.Text;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Domain.State;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Commands;

/// <summary>
/// One command payload → parse and check against the hard limits → apply through <see cref="IApplianceCommands"/>,
/// or reject with a reason. A rejected command applies nothing.
/// </summary>
internal sealed class CommandHandler(IApplianceStateSource state, IApplianceCommands commands, OverrideLimits limits, TimeProvider time)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public const string Source = "mqtt";

    /// <summary>Handles a command for <paramref name="instance"/> (null: no entity has this command topic).</summary>
    public async Task<CommandOutcome> HandleAsync(EntityInstance? instance, string key, ReadOnlyMemory<byte> payloadBytes, bool retained, CancellationToken cancellationToken)
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

        if (instance?.Definition.Command is not { } commandName || !CommandKinds.ByName.TryGetValue(commandName, out var kind))
        {
            return Reject($"no entity '{key}' takes commands");
        }

        if (retained)
        {
            // Home Assistant never retains commands; a retained one is stale and would re-apply at every reconnect.
            return Reject("retained command ignored (commands must not be retained)");
        }

        Func<Task>? apply = null;
        string? error;
        switch (kind)
        {
            case CommandKind.OverrideMode:
                var mode = OverrideCommandParser.ParseMode(payload, state.Current.OverrideDurationMinutes, now, limits, Source);
                error = mode.Error;
                if (mode.IsValid)
                {
                    apply = () => commands.SetOverrideAsync(mode.Value, cancellationToken);
                }

                break;
            case CommandKind.OverrideDuration:
                var minutes = OverrideCommandParser.ParseDurationMinutes(payload, limits);
                error = minutes.Error;
                if (minutes.IsValid)
                {
                    apply = () => commands.SetOverrideDurationAsync(minutes.Value, cancellationToken);
                }

                break;
            case CommandKind.ReserveSoc:
                var reserve = OverrideCommandParser.ParseReserveSocPercent(payload, limits);
                error = reserve.Error;
                if (reserve.IsValid)
                {
                    apply = () => commands.SetReserveSocAsync(reserve.Value, cancellationToken);
                }

                break;
            case CommandKind.ImmersionEnabled:
                var on = OverrideCommandParser.ParseSwitch(payload);
                error = on.Error;
                if (on.IsValid)
                {
                    apply = () => commands.SetImmersionEnabledAsync(instance.ImmersionId!, on.Value, cancellationToken);
                }

                break;
            case CommandKind.ImmersionBoost:
            case CommandKind.Replan:
                var press = OverrideCommandParser.ParseButton(payload);
                error = press.Error;
                if (press.IsValid)
                {
                    apply = kind == CommandKind.Replan
                        ? () => commands.ReplanNowAsync(cancellationToken)
                        : () => commands.BoostImmersionAsync(instance.ImmersionId!, cancellationToken);
                }

                break;
            default:
                error = $"command '{commandName}' has no handler";
                break;
        }

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
}
