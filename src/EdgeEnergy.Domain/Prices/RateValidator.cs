namespace EdgeEnergy.Domain.Prices;

/// <summary>One rate that was not accepted, with the reason in words a log reader understands.</summary>
public sealed record RateRejection(DateTimeOffset? StartUtc, string Reason)
{
    public override string ToString() => StartUtc is { } s ? $"{s.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: {Reason}" : Reason;
}

/// <summary>
/// What validation kept (ordered by start, no duplicates, no overlaps, every slot 30 minutes), what it rejected and
/// why, and the holes between the kept rates (left for the gap detector to re-fetch).
/// </summary>
public sealed record RateValidationResult(IReadOnlyList<Rate> Valid, IReadOnlyList<RateRejection> Rejected, IReadOnlyList<TimeRange> Gaps);

/// <summary>Limits outside which a price is absurd (a parsing or publishing error, not a market outcome).</summary>
public sealed record RateLimits
{
    /// <summary>Agile has gone below −20 p/kWh; anything under this is a broken value.</summary>
    public double MinPence { get; init; } = -150;

    /// <summary>Agile is capped (35 p, later 100 p inc. VAT); anything over this is a broken value.</summary>
    public double MaxPence { get; init; } = 500;

    public TimeSpan SlotLength { get; init; } = TimeSpan.FromMinutes(30);

    public static RateLimits Default { get; } = new();
}

/// <summary>
/// Pure validation of fetched rates. Never invents a value: a slot is either kept exactly as published or rejected
/// with a reason; a missing or broken price never becomes 0 p.
/// </summary>
public static class RateValidator
{
    public static RateValidationResult Validate(IEnumerable<Rate> candidates, RateLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        limits ??= RateLimits.Default;
        var rejected = new List<RateRejection>();
        var byStart = new Dictionary<DateTimeOffset, Rate>();
        var conflicted = new HashSet<DateTimeOffset>();

        foreach (var rate in candidates)
        {
            var reason = ShapeProblem(rate, limits);
            if (reason is not null)
            {
                rejected.Add(new RateRejection(rate.StartUtc, reason));
                continue;
            }

            if (conflicted.Contains(rate.StartUtc))
            {
                rejected.Add(new RateRejection(rate.StartUtc, $"conflicting duplicate slot ({Format(rate.Pence)} p)"));
            }
            else if (byStart.TryGetValue(rate.StartUtc, out var seen))
            {
                if (seen == rate)
                {
                    rejected.Add(new RateRejection(rate.StartUtc, "duplicate slot (identical copy dropped)"));
                }
                else
                {
                    // Two different prices for one slot: neither can be trusted, so neither is kept.
                    byStart.Remove(rate.StartUtc);
                    conflicted.Add(rate.StartUtc);
                    rejected.Add(new RateRejection(rate.StartUtc, $"conflicting duplicate slot ({Format(seen.Pence)} p and {Format(rate.Pence)} p); both dropped"));
                }
            }
            else
            {
                byStart[rate.StartUtc] = rate;
            }
        }

        var ordered = byStart.Values.OrderBy(r => r.StartUtc).ToList();
        var valid = new List<Rate>(ordered.Count);
        var gaps = new List<TimeRange>();
        foreach (var rate in ordered)
        {
            if (valid.Count > 0)
            {
                var previous = valid[^1];
                if (rate.StartUtc < previous.EndUtc)
                {
                    rejected.Add(new RateRejection(rate.StartUtc, $"overlaps the slot starting {previous.StartUtc.UtcDateTime:yyyy-MM-ddTHH:mmZ}"));
                    continue;
                }

                if (rate.StartUtc > previous.EndUtc)
                {
                    gaps.Add(new TimeRange(previous.EndUtc, rate.StartUtc));
                }
            }

            valid.Add(rate);
        }

        return new RateValidationResult(valid, rejected, gaps);
    }

    private static string? ShapeProblem(Rate rate, RateLimits limits)
    {
        if (double.IsNaN(rate.Pence) || double.IsInfinity(rate.Pence))
        {
            return $"price is not a finite number ({rate.Pence})";
        }

        if (rate.Pence < limits.MinPence || rate.Pence > limits.MaxPence)
        {
            return $"absurd price {Format(rate.Pence)} p/kWh (accepted range {Format(limits.MinPence)}..{Format(limits.MaxPence)})";
        }

        if (rate.StartUtc.Offset != TimeSpan.Zero || rate.EndUtc.Offset != TimeSpan.Zero)
        {
            // The adapter converts to UTC; a local offset here means a caller skipped that step.
            return "times are not UTC";
        }

        if (rate.EndUtc <= rate.StartUtc)
        {
            return $"slot ends ({rate.EndUtc.UtcDateTime:yyyy-MM-ddTHH:mmZ}) before it starts";
        }

        if (rate.Duration != limits.SlotLength)
        {
            return $"slot lasts {rate.Duration.TotalMinutes:0.##} minutes, not {limits.SlotLength.TotalMinutes:0.##}";
        }

        if (rate.StartUtc.UtcTicks % limits.SlotLength.Ticks != 0)
        {
            return $"slot does not start on a {limits.SlotLength.TotalMinutes:0.##}-minute boundary";
        }

        return null;
    }

    private static string Format(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
