using System.Globalization;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Asks for the first plan once a reading has measured the state of charge (planning waits for it), and for a replan
/// when the measured state of charge leaves the plan's by more than <see cref="ControlOptions.SocDriftReplanPercent"/>
/// (at most every five minutes).
/// </summary>
public sealed class DriftReplanner(IReplanRequester replan, ControlOptions options, ILogger logger)
{
    private bool _socMeasured;
    private DateTimeOffset _lastRequest = DateTimeOffset.MinValue;

    /// <summary>The wall clock stepped by <paramref name="step"/>: the five minutes between requests count time that really passed.</summary>
    public void ClockStepped(TimeSpan step)
    {
        if (_lastRequest != DateTimeOffset.MinValue)
        {
            _lastRequest += step;
        }
    }

    public async Task StepAsync(DateTimeOffset now, double socPercent, ActivePlan? plan, CancellationToken cancellationToken)
    {
        if (!_socMeasured)
        {
            _socMeasured = true;
            logger.FirstSocMeasured(socPercent);
            await replan.RequestReplanAsync(PlanningTrigger.FirstReading, cancellationToken);
            return;
        }

        if (plan is null || now - _lastRequest < TimeSpan.FromMinutes(5))
        {
            return;
        }

        var t = plan.SlotAt(now);
        if (t < 0)
        {
            return;
        }

        // The plan's SoC at this instant, interpolated within the slot.
        var before = t == 0 ? plan.Problem.Battery.SocKwh : plan.Plan.Slots[t - 1].SocKwh;
        var after = plan.Plan.Slots[t].SocKwh;
        var fraction = (now - plan.Problem.SlotStart(t)).TotalMinutes / plan.Problem.SlotMinutes;
        var plannedPercent = (before + (after - before) * fraction) / plan.Problem.Battery.CapacityKwh * 100;
        if (Math.Abs(plannedPercent - socPercent) > options.SocDriftReplanPercent)
        {
            _lastRequest = now;
            var reason = string.Format(CultureInfo.InvariantCulture, "state of charge {0:0}% against the plan's {1:0}%", socPercent, plannedPercent);
            logger.ReplanRequested(reason);
            await replan.RequestReplanAsync(PlanningTrigger.ForecastMiss, cancellationToken);
        }
    }
}
