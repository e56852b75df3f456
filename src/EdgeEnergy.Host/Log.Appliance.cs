namespace EdgeEnergy.Host;

/// <summary>Log messages of the host: this part holds the appliance's user settings and overrides (event ids 4800–4899).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4800, Level = LogLevel.Warning, Message = "Stored setting {Key} = '{Stored}' not applied ({Problem}); using {Fallback} until it is set again")]
    public static partial void StoredSettingRejected(this ILogger logger, string key, string stored, string problem, string fallback);

    [LoggerMessage(EventId = 4801, Level = LogLevel.Information, Message = "Restored from the data folder: reserve {ReserveSocPercent} %, override duration {DurationMinutes} min, immersion heaters off by the user: {Disabled}")]
    public static partial void SettingsRestored(this ILogger logger, double reserveSocPercent, int durationMinutes, string disabled);

    [LoggerMessage(EventId = 4802, Level = LogLevel.Information, Message = "Control mode {Mode} at start: {Reason}")]
    public static partial void ControlModeAtStart(this ILogger logger, string mode, string reason);

    [LoggerMessage(EventId = 4803, Level = LogLevel.Warning, Message = "Control mode is now {Mode} (through {Source}): {Detail}")]
    public static partial void ControlModeChanged(this ILogger logger, string mode, string source, string detail);

    [LoggerMessage(EventId = 4804, Level = LogLevel.Information, Message = "Control mode active asked through {Source}: waiting for the confirming command until {Until:o}")]
    public static partial void ControlModeConfirmationAsked(this ILogger logger, string source, DateTimeOffset until);

    [LoggerMessage(EventId = 4805, Level = LogLevel.Error, Message = "Control:AbSchedule: the switch at UK midnight failed; retried in a minute")]
    public static partial void AbScheduleSwitchFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4806, Level = LogLevel.Error, Message = "Control:AbSchedule: the hand-back after a start on a B day failed; the gate stays closed")]
    public static partial void AbScheduleStartHandBackFailed(this ILogger logger, Exception exception);
}
