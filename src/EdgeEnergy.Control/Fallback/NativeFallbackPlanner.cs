using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Fallback;

/// <summary>What the inverter should do on its own if the Pi dies: one charge period and the reserve as min SoC.</summary>
public sealed record NativeFallbackSchedule(ChargePeriod Period, double MinSocPercent, double AveragePence, string Reason);

/// <summary>
/// The native fallback plan written into the inverter's own charge periods: tonight's cheapest window long enough to
/// fill the battery, so a dead Pi still gets the cheap overnight charge. Pure: rates and <c>now</c> in, schedule out.
/// </summary>
public static class NativeFallbackPlanner
{
    /// <summary>The night searched: 23:00 to 07:00 UK time.</summary>
    private static readonly TimeOnly s_nightStart = new(23, 0);
    private static readonly TimeOnly s_nightEnd = new(7, 0);

    public static NativeFallbackSchedule? Plan(DateTimeOffset now, RateSeries importRates, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(importRates);
        ArgumentNullException.ThrowIfNull(site);
        // The night that is coming, or the one in progress before 07:00.
        var local = UkTime.ToLocal(now).DateTime;
        var nightDate = DateOnly.FromDateTime(local.TimeOfDay < s_nightEnd.ToTimeSpan() ? local.AddDays(-1) : local);
        var fromUtc = UkTime.ToUtc(nightDate, s_nightStart);
        var toUtc = UkTime.ToUtc(nightDate.AddDays(1), s_nightEnd);
        // Slots already over are no use to a Pi that dies from now on (and whether the caller still holds them must not
        // change the answer): in the night in progress the window starts at the current slot at the earliest.
        var night = importRates.Rates.Where(r => r.StartUtc >= fromUtc && r.EndUtc <= toUtc && r.EndUtc > now).OrderBy(r => r.StartUtc).ToList();
        if (night.Count == 0)
        {
            return null;
        }

        var slotHours = (night[0].EndUtc - night[0].StartUtc).TotalHours;
        var fullKwh = site.BatteryCapacityKwh * (site.BatteryMaxSocPercent - site.BatteryMinSocPercent) / 100;
        var slots = Math.Clamp((int)Math.Ceiling(fullKwh / (site.BatteryMaxChargeKw * slotHours * site.ChargeEfficiency)), 1, night.Count);
        var best = -1;
        var bestSum = double.MaxValue;
        for (var i = 0; i + slots <= night.Count; i++)
        {
            if (night[i + slots - 1].EndUtc - night[i].StartUtc != TimeSpan.FromHours(slots * slotHours))
            {
                continue; // not contiguous: a gap in the stored prices
            }

            var sum = 0.0;
            for (var k = i; k < i + slots; k++)
            {
                sum += night[k].Pence;
            }

            if (sum < bestSum)
            {
                (best, bestSum) = (i, sum);
            }
        }

        if (best < 0)
        {
            return null;
        }

        var start = TimeOnly.FromDateTime(UkTime.ToLocal(night[best].StartUtc).DateTime);
        var end = TimeOnly.FromDateTime(UkTime.ToLocal(night[best + slots - 1].EndUtc).DateTime);
        var average = bestSum / slots;
        var reserve = Math.Max(site.ReserveSocPercent, site.BatteryMinSocPercent);
        return new NativeFallbackSchedule(new ChargePeriod(true, start, end), reserve, average,
            FormattableString.Invariant($"if this controller stops, the inverter charges {start:HH\\:mm}–{end:HH\\:mm} (average {average:0.0}p) and keeps {reserve:0}% in reserve"));
    }
}
