using System.Globalization;
using EdgeEnergy.Control.Fallback;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Control.Supervision;

/// <summary>What the loop decided this poll, before anti-flapping: the command, who decided it, and why.</summary>
public sealed record ControlDecision(
    InverterCommand Command, RecommendationSource Source, SlotMode Mode, string Reason, string? FallbackCause, DateTimeOffset ValidUntilUtc);

/// <summary>Everything one decision looks at, as values.</summary>
public sealed record ControlInputs(
    DateTimeOffset Now, double? SocPercent, ActivePlan? Plan, Override? Override, RateSeries ImportRates);

/// <summary>
/// The control policy, pure: a timed override wins; otherwise the current plan slot when the plan is fresh and
/// covers now; otherwise the local fallback rules, with the cause. Hard limits apply to every result whatever its
/// source, and a forced discharge at or below the reserve becomes a hold.
/// </summary>
public sealed class ControlDecider(SiteOptions site, ControlOptions options)
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private readonly HardLimits _limits = HardLimits.For(site.Battery(site.ReserveKwh), site.Grid) with
    {
        ReserveSocPercent = Math.Max(site.ReserveSocPercent, site.BatteryMinSocPercent),
    };

    public HardLimits Limits => _limits;

    public ControlDecision Decide(ControlInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var decision = DecideUnlimited(inputs);
        var limited = _limits.Apply(decision.Command, inputs.SocPercent);
        return limited.Kind == InverterCommandKind.Hold && decision.Command.Kind == InverterCommandKind.ForceDischarge
            ? decision with
            {
                Command = limited,
                Mode = SlotMode.Hold,
                Reason = string.Format(s_inv, "holding: the battery is at its {0:0}% reserve ({1})", limited.ReserveSocPercent, decision.Reason),
            }
            : decision with { Command = limited };
    }

    private ControlDecision DecideUnlimited(ControlInputs inputs)
    {
        var now = inputs.Now;
        var reserve = _limits.ReserveSocPercent;
        if (inputs.Override is { } o && o.IsActiveAt(now) && o.Mode != OverrideMode.Auto)
        {
            var overrideReserve = Math.Max(reserve, o.ReserveSocPercent ?? reserve);
            var (command, mode) = o.Mode switch
            {
                OverrideMode.ForceCharge => (InverterCommand.ForceCharge(o.PowerW ?? _limits.MaxChargeW, overrideReserve), SlotMode.Charge),
                OverrideMode.ForceDischarge => (InverterCommand.ForceDischarge(o.PowerW ?? _limits.MaxDischargeW, overrideReserve), SlotMode.Export),
                OverrideMode.Hold => (InverterCommand.Hold(overrideReserve), SlotMode.Hold),
                _ => (InverterCommand.SelfUse(overrideReserve), SlotMode.SelfUse),
            };
            return new ControlDecision(command, RecommendationSource.Override, mode,
                string.Format(s_inv, "override {0} by {1} until {2:HH:mm} UK", o.Mode.ToWire(), o.Source, UkTime.ToLocal(o.ExpiresUtc)),
                null, o.ExpiresUtc);
        }

        var cause = PlanProblemWith(inputs);
        if (cause is null)
        {
            var plan = inputs.Plan!;
            var t = plan.SlotAt(now);
            var slot = plan.Plan.Slots[t];
            var command = PlanCommandMapper.FromSlot(slot, plan.Problem.SlotHours, reserve);
            return new ControlDecision(command, RecommendationSource.Plan, slot.Mode, slot.Reason, null,
                plan.Problem.SlotStart(t + 1));
        }

        var fallback = FallbackRules.Decide(now, inputs.ImportRates, inputs.SocPercent ?? reserve, site);
        var mapped = fallback.Command.Kind switch
        {
            InverterCommandKind.ForceCharge => SlotMode.Charge,
            InverterCommandKind.ForceDischarge => SlotMode.Export,
            InverterCommandKind.Hold => SlotMode.Hold,
            _ => SlotMode.SelfUse,
        };
        var until = inputs.ImportRates.TryGetAt(now, out var rate) ? rate.EndUtc : now.AddSeconds(options.PollSeconds);
        return new ControlDecision(fallback.Command, RecommendationSource.Fallback, mapped, fallback.Reason, cause, until);
    }

    /// <summary>Why the plan can't be followed now, or null when it can.</summary>
    private string? PlanProblemWith(ControlInputs inputs)
    {
        var now = inputs.Now;
        if (inputs.Plan is not { } plan)
        {
            return "no plan yet";
        }

        if (plan.Plan.Status is PlanStatus.Infeasible)
        {
            return $"the planner found no feasible plan: {plan.Plan.Reason}";
        }

        var age = now - plan.CreatedUtc;
        if (age > TimeSpan.FromMinutes(options.PlanMaxAgeMinutes))
        {
            return string.Format(s_inv, "the plan is {0:0} minutes old (limit {1})", age.TotalMinutes, options.PlanMaxAgeMinutes);
        }

        if (plan.SlotAt(now) < 0)
        {
            return "the plan does not cover now";
        }

        if (inputs.ImportRates.IsStale(now, TimeSpan.FromHours(options.PricesRequiredAheadHours)))
        {
            return string.Format(s_inv, "prices are stale: fewer than {0} hours ahead are known", options.PricesRequiredAheadHours);
        }

        return null;
    }
}
