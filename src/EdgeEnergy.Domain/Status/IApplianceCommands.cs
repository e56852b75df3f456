using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Domain.Status;

/// <summary>
/// What a valid user command does. Callers validate first (<see cref="OverrideCommandParser"/>); implementations
/// still refuse anything outside the hard limits by throwing <see cref="ArgumentException"/> (nothing applied).
/// Powers W (positive, direction from the mode), SoC %, durations minutes. Each call applies fully or not at all and
/// is reflected in the next <see cref="IApplianceStatus.Current"/>.
/// </summary>
public interface IApplianceCommands
{
    /// <summary>Puts <paramref name="value"/> in force (persisted), or clears the override when null (auto).</summary>
    Task SetOverrideAsync(Override? value, CancellationToken cancellationToken);

    /// <summary>Sets how long the next override lasts; an override in force is re-timed to end that long from now.</summary>
    Task SetOverrideDurationAsync(int minutes, CancellationToken cancellationToken);

    /// <summary>Sets the reserve SoC (%) the battery never discharges below.</summary>
    Task SetReserveSocAsync(double percent, CancellationToken cancellationToken);

    /// <summary>Lets the planner use immersion heater <paramref name="id"/> (true) or keeps it off (false).</summary>
    Task SetImmersionEnabledAsync(string id, bool enabled, CancellationToken cancellationToken);

    /// <summary>Heats immersion heater <paramref name="id"/> now, for the configured boost time, whatever the plan.</summary>
    Task BoostImmersionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sets the car's departure, UK local time of day; it replaces <c>Ev:DefaultDepartureLocal</c> until changed.</summary>
    Task SetEvDepartureAsync(TimeSpan departureLocal, string source, CancellationToken cancellationToken);

    /// <summary>Sets the car's target state of charge (%, 10..100); it replaces <c>Ev:DefaultTargetSocPercent</c> until changed.</summary>
    Task SetEvTargetSocAsync(int percent, string source, CancellationToken cancellationToken);

    /// <summary>"Charge now" on: the car charges at full power until it is unplugged or this is turned off.</summary>
    Task SetEvChargeNowAsync(bool chargeNow, string source, CancellationToken cancellationToken);

    /// <summary>Asks for a new plan now instead of at the next scheduled replan.</summary>
    Task ReplanNowAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Asks for control mode <paramref name="mode"/> (docs/contracts.md section 5). Returns what happened in words for the
    /// person: switched, already in force, or, for the first <c>active</c> from shadow, that a second one must confirm it
    /// within 2 minutes (then nothing has changed yet).
    /// </summary>
    Task<string> SetControlModeAsync(Control.ControlMode mode, CancellationToken cancellationToken);
}
