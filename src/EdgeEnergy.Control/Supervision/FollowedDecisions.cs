using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// The decision of each poll (<see cref="ControlDecider"/>: override, plan slot or fallback rules) with the reserve a
/// person set in force at once, and the fallback's start and end logged and remembered for the status.
/// </summary>
public sealed class FollowedDecisions(SiteOptions site, ControlOptions options, Func<double?>? reserveSocPercent, ILogger logger)
{
    private ControlDecider _decider = new(site, options);
    private double _deciderReserve = site.ReserveSocPercent;

    /// <summary>The fallback rules in charge since when and why; inactive when they are not.</summary>
    public FallbackState Fallback { get; private set; } = FallbackState.Inactive;

    public ControlDecision Decide(ControlInputs inputs)
    {
        if (reserveSocPercent?.Invoke() is { } reserve && reserve != _deciderReserve)
        {
            // A person changed the reserve (Home Assistant): the hard limits follow at once.
            _decider = new ControlDecider(site.WithReserve(reserve), options);
            _deciderReserve = reserve;
        }

        var decision = _decider.Decide(inputs);
        if (decision.FallbackCause is { } cause)
        {
            if (Fallback.Cause != cause)
            {
                logger.FallbackStarted(cause);
            }

            Fallback = new FallbackState(true, cause, Fallback.SinceUtc ?? inputs.Now);
        }
        else if (Fallback.Active)
        {
            logger.FallbackEnded(decision.Source);
            Fallback = FallbackState.Inactive;
        }

        return decision;
    }
}
