using System.Globalization;

namespace EdgeEnergy.Domain.Prices;

/// <summary>
/// One published tariff row of any span: a unit rate (pence per kWh) or a standing charge (pence per day) in force
/// from <see cref="FromUtc"/> until <see cref="ToUtc"/>; a null end means "until further notice" (plan with it, and
/// fetch again), never "forever".
/// </summary>
public readonly record struct TariffRow(DateTimeOffset FromUtc, DateTimeOffset? ToUtc, double Pence);

/// <summary>
/// Pure rate expansion shared by the live client and the offline tariff comparison: rows that span anything from a
/// half hour (Agile) to windows (Go, Flux, Cosy), days (Tracker) or an open end (fixed) become one rate per half-hour
/// UTC slot within a requested range. UK offsets are whole hours, so a row starting on a local half hour starts on a
/// UTC one and the clock changes need no special case. The result goes through <see cref="RateValidator"/>, so a slot
/// two rows price differently is dropped with a reason, never guessed.
/// </summary>
public static class TariffExpansion
{
    public static TimeSpan SlotLength { get; } = TimeSpan.FromMinutes(30);

    /// <summary>One rate per half hour of <paramref name="range"/> that some row covers; rows not on the half-hour grid are rejected.</summary>
    public static IReadOnlyList<Rate> ToSlots(IEnumerable<TariffRow> rows, TimeRange range, ICollection<RateRejection> rejected)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rejected);
        var slots = new List<Rate>();
        foreach (var row in rows)
        {
            var end = row.ToUtc ?? range.ToUtc;
            if (end <= row.FromUtc)
            {
                if (row.ToUtc is not null)
                {
                    rejected.Add(new RateRejection(row.FromUtc, $"row ends ({Iso(end)}) before it starts"));
                }

                continue;
            }

            if (row.FromUtc.UtcTicks % SlotLength.Ticks != 0 || (row.ToUtc is { } to && to.UtcTicks % SlotLength.Ticks != 0))
            {
                rejected.Add(new RateRejection(row.FromUtc, $"row {Iso(row.FromUtc)}..{(row.ToUtc is { } t ? Iso(t) : "open")} is not on the half-hour grid"));
                continue;
            }

            var from = row.FromUtc > range.FromUtc ? row.FromUtc : GapDetector.AlignDown(range.FromUtc, SlotLength);
            var until = end < range.ToUtc ? end : range.ToUtc;
            for (var slot = new DateTimeOffset(from.UtcDateTime, TimeSpan.Zero); slot < until; slot += SlotLength)
            {
                slots.Add(new Rate(slot, slot + SlotLength, row.Pence));
            }
        }

        return slots;
    }

    /// <summary>
    /// Two-register (day/night) tariffs: where the rows say which register a slot is on (windowed rows) each slot has
    /// one rate and it is kept; where both registers cover a slot (open-ended rows: the meter, not the rows, knows the
    /// hours) the night rate applies inside <paramref name="nightHoursUtc"/> and the day rate outside.
    /// </summary>
    public static IReadOnlyList<Rate> Registers(IReadOnlyList<Rate> day, IReadOnlyList<Rate> night, DailyWindow nightHoursUtc)
    {
        ArgumentNullException.ThrowIfNull(day);
        ArgumentNullException.ThrowIfNull(night);
        var nightByStart = new Dictionary<DateTimeOffset, Rate>();
        foreach (var rate in night)
        {
            nightByStart.TryAdd(rate.StartUtc, rate);
        }

        var merged = new List<Rate>(day.Count + night.Count);
        foreach (var rate in day)
        {
            if (nightByStart.Remove(rate.StartUtc, out var nightRate))
            {
                merged.Add(nightHoursUtc.Contains(TimeOnly.FromTimeSpan(rate.StartUtc.UtcDateTime.TimeOfDay)) ? nightRate : rate);
            }
            else
            {
                merged.Add(rate);
            }
        }

        merged.AddRange(nightByStart.Values);
        merged.Sort((a, b) => a.StartUtc.CompareTo(b.StartUtc));
        return merged;
    }

    /// <summary>
    /// Standing charges over <paramref name="range"/>: each local day that starts within it pays the charge (pence per day)
    /// of the row in force at the day's start. A day no row covers is named in the exception: a missing charge is not 0 p.
    /// </summary>
    public static double StandingPence(IReadOnlyList<TariffRow> charges, TimeRange range, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(zone);
        var total = 0.0;
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(range.FromUtc, zone).DateTime);
        if (UkTime.ToUtc(day, TimeOnly.MinValue, zone) < range.FromUtc)
        {
            day = day.AddDays(1);
        }

        for (var start = UkTime.ToUtc(day, TimeOnly.MinValue, zone); start < range.ToUtc; day = day.AddDays(1), start = UkTime.ToUtc(day, TimeOnly.MinValue, zone))
        {
            var found = false;
            foreach (var row in charges)
            {
                if (row.FromUtc <= start && (row.ToUtc is not { } to || start < to))
                {
                    total += row.Pence;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                throw new ArgumentException($"no standing charge is published for {day:yyyy-MM-dd}", nameof(charges));
            }
        }

        return total;
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture);
}

/// <summary>A daily window [<see cref="From"/>, <see cref="To"/>) of wall-clock times; one that ends at or before its start ends the next day.</summary>
public readonly record struct DailyWindow(TimeOnly From, TimeOnly To)
{
    public bool Contains(TimeOnly time) => From < To ? time >= From && time < To : time >= From || time < To;

    /// <summary>Parses <c>HH:mm-HH:mm</c>; false for anything else.</summary>
    public static bool TryParse(string? text, out DailyWindow window)
    {
        window = default;
        var parts = text?.Split('-', StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 }
            || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            || from == to)
        {
            return false;
        }

        window = new DailyWindow(from, to);
        return true;
    }
}
