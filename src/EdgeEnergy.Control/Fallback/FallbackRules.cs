using System.Globalization;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Fallback;

/// <summary>A command with the sentence that explains it.</summary>
public sealed record ExplainedCommand(InverterCommand Command, string Reason);

/// <summary>
/// The local fallback loop's rules, used when there is no trustworthy plan (prices stale, optimiser failed or timed
/// out, plan too old). They need nothing but the last stored prices and the battery's state: charge in the cheapest
/// known slots, hold before the peak, self-use otherwise. Pure: the caller passes <c>now</c> and the values.
/// </summary>
public static class FallbackRules
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static ExplainedCommand Decide(DateTimeOffset now, RateSeries importRates, double socPercent, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(importRates);
        ArgumentNullException.ThrowIfNull(site);
        var reserve = Math.Max(site.ReserveSocPercent, site.BatteryMinSocPercent);
        if (!importRates.TryGetAt(now, out var current))
        {
            return new(InverterCommand.SelfUse(reserve), "fallback: no price known for now, self-use with reserve");
        }

        var ahead = importRates.Rates.Where(r => r.EndUtc > now && r.StartUtc < now.AddHours(24)).ToList();
        var slotHours = (current.EndUtc - current.StartUtc).TotalHours;

        // Charge: the battery needs this many slots at full power to fill; if now is one of the cheapest that many
        // known slots ahead, and cheaper than the known average by a margin that pays for the round-trip losses.
        var roomKwh = Math.Max(0, (site.BatteryMaxSocPercent - socPercent) / 100 * site.BatteryCapacityKwh);
        var perSlotKwh = Math.Max(1e-6, site.BatteryMaxChargeKw * slotHours * site.ChargeEfficiency);
        var slotsToFill = (int)Math.Ceiling(roomKwh / perSlotKwh);
        var average = ahead.Average(r => r.Pence);
        var roundTrip = site.ChargeEfficiency * site.DischargeEfficiency;
        if (slotsToFill > 0)
        {
            var cheapest = ahead.OrderBy(r => r.Pence).Take(slotsToFill).ToList();
            if (cheapest.Any(r => r.StartUtc == current.StartUtc) && (current.Pence < average * roundTrip || current.Pence <= 0))
            {
                return new(InverterCommand.ForceCharge(site.BatteryMaxChargeKw * 1000, reserve),
                    string.Format(s_inv, "fallback: charging at {0:0.0}p, one of the {1} cheapest known slots (known average {2:0.0}p)", current.Pence, slotsToFill, average));
            }
        }

        // Hold: a peak within the next six hours pays more than using the energy now.
        var soon = ahead.Where(r => r.StartUtc > now && r.StartUtc < now.AddHours(6)).ToList();
        var peak = soon.Count > 0 ? soon.MaxBy(r => r.Pence) : current;
        if (soon.Count > 0 && current.Pence * 1.25 < peak.Pence * roundTrip && socPercent > reserve)
        {
            return new(InverterCommand.Hold(reserve),
                string.Format(s_inv, "fallback: holding for the {0:0.0}p peak at {1:HH:mm} UTC rather than covering load at {2:0.0}p", peak.Pence, peak.StartUtc.UtcDateTime, current.Pence));
        }

        return new(InverterCommand.SelfUse(reserve), string.Format(s_inv, "fallback: self-use at {0:0.0}p with a {1:0}% reserve", current.Pence, reserve));
    }
}
