namespace EdgeEnergy.Domain.Ev;

/// <summary>
/// What a person chose for the car from Home Assistant (issue 19 §2): the departure (UK local time of day) and the
/// target state of charge (%), each null while never set (the <c>Ev:Default*</c> keys then apply), and "charge now":
/// full power at once, whatever the plan, until the car is unplugged or the person turns it off.
/// </summary>
public sealed record EvChoice(TimeSpan? DepartureLocal, int? TargetSocPercent, bool ChargeNow)
{
    /// <summary>Nothing chosen: the configured defaults, no "charge now".</summary>
    public static EvChoice None { get; } = new(null, null, false);
}

/// <summary>The person's choices for the car, as persisted (<see cref="EvChoice"/>).</summary>
public interface IEvChoices
{
    /// <summary>The choices in force now.</summary>
    EvChoice Current { get; }

    /// <summary>Turns "charge now" off (persisted) because of <paramref name="reason"/>, e.g. the car was unplugged.</summary>
    Task EndChargeNowAsync(string reason, CancellationToken cancellationToken);
}
