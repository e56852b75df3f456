using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Data;

/// <summary>What one update did for one rate kind.</summary>
/// <remarks><paramref name="TariffNotFound"/>: the configured product or region does not exist (bad input, not an outage).</remarks>
internal sealed record PriceKindUpdate(RateKind Kind, int Requests, int Fetched, int Saved, int Rejected, IReadOnlyList<TimeRange> StillMissing, IReadOnlyList<string> Errors, bool TariffNotFound = false);

/// <summary>What one update did.</summary>
internal sealed record PriceUpdateResult(DateTimeOffset AtUtc, IReadOnlyList<PriceKindUpdate> Kinds)
{
    public bool Failed => Kinds.Any(k => k.Errors.Count > 0);

    public int Saved => Kinds.Sum(k => k.Saved);
}

/// <summary>The last fetch attempt, shared by the scheduled job across runs (singleton).</summary>
internal sealed class PricePollState
{
    public DateTimeOffset? LastAttemptUtc { get; set; }
}

/// <summary>
/// Keeps the rate store complete: for each kind, finds every missing slot from <c>Octopus:BackfillDays</c> ago up to
/// the end of what that kind's tariff has published by now (<see cref="TariffKnowledge.KnownUntil"/>: Agile tomorrow
/// 23:00 UK after 16:00 UK, else today 23:00; Tracker tomorrow's end after 11:00 UK; fixed and window tariffs the end
/// of tomorrow), fetches just those ranges, saves the valid rates and asks for a replan when anything changed. The
/// <c>prices</c> component of the status is degraded, with the reason, while a kind cannot be fetched (a missing
/// price stays missing: never 0 p).
/// </summary>
internal sealed class PriceUpdater(
    IPriceSource source,
    IRateStore store,
    IOptions<OctopusOptions> options,
    PricePollState state,
    TimeProvider timeProvider,
    ILogger<PriceUpdater> logger,
    IReplanRequester? replan = null,
    IApplianceStatusPublisher? status = null)
{
    /// <summary>The status component this updater reports as.</summary>
    public const string Component = "prices";

    private static readonly TimeSpan s_slot = TimeSpan.FromMinutes(30);

    /// <summary>Ranges further apart than this are fetched separately; closer ones in one request.</summary>
    private static readonly TimeSpan s_mergeDistance = TimeSpan.FromHours(12);

    /// <summary>
    /// True when the poll schedule of any kind's tariff says fetch now (from its publication time, 16:00 UK for Agile,
    /// 11:00 for Tracker, every few minutes until the new prices are in; otherwise every <c>Octopus:PollMinutes</c>).
    /// </summary>
    public async Task<bool> IsDueAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var o = options.Value;
        foreach (var kind in new[] { RateKind.Import, RateKind.Export }.Where(source.Supports))
        {
            var knowledge = o.Knowledge(kind);
            var stored = await store.GetAsync(kind, new TimeRange(now - s_slot, knowledge.KnownUntil(now, UkTime.Zone) + TimeSpan.FromDays(1)), cancellationToken);
            var until = new RateSeries(stored).ContiguousUntil(now);
            if (knowledge.IsFetchDue(now, state.LastAttemptUtc, until, TimeSpan.FromMinutes(o.AfternoonPollMinutes), TimeSpan.FromMinutes(o.PollMinutes)))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<PriceUpdateResult> UpdateAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        state.LastAttemptUtc = now;
        var o = options.Value;
        var from = GapDetector.AlignDown(now - TimeSpan.FromDays(o.BackfillDays), s_slot);
        var kinds = new List<PriceKindUpdate>();
        foreach (var kind in new[] { RateKind.Import, RateKind.Export }.Where(source.Supports))
        {
            var window = new TimeRange(from, o.Knowledge(kind).KnownUntil(now, UkTime.Zone));
            kinds.Add(await UpdateKindAsync(kind, window, now, cancellationToken));
        }

        var result = new PriceUpdateResult(now, kinds);
        Report(result);
        if (result.Saved > 0 && replan is not null)
        {
            await replan.RequestReplanAsync(PlanningTrigger.NewPrices, cancellationToken);
        }

        return result;
    }

    private async Task<PriceKindUpdate> UpdateKindAsync(RateKind kind, TimeRange window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var missing = await MissingAsync(kind, window, cancellationToken);
        int requests = 0, fetched = 0, saved = 0, rejected = 0;
        var errors = new List<string>();
        var notFound = false;
        foreach (var range in Merge(missing))
        {
            requests++;
            try
            {
                var result = await source.FetchAsync(kind, range, cancellationToken);
                fetched += result.Rates.Count;
                rejected += result.Rejected.Count;
                saved += await store.SaveAsync(kind, result.Rates, now, cancellationToken);
            }
            catch (PriceSourceException e)
            {
                notFound |= e is TariffNotFoundException;
                errors.Add(e.Message);
                logger.PriceFetchFailed(kind, range, e.Message);
            }
        }

        var stillMissing = requests == 0 ? missing : await MissingAsync(kind, window, cancellationToken);
        logger.PricesUpdated(kind, window, saved, rejected, stillMissing.Count);
        return new PriceKindUpdate(kind, requests, fetched, saved, rejected, stillMissing, errors, notFound);
    }

    private void Report(PriceUpdateResult result)
    {
        var errors = result.Kinds.SelectMany(k => k.Errors.Select(e => $"{k.Kind.ToString().ToLowerInvariant()}: {e}")).ToList();
        var health = errors.Count > 0
            ? new ComponentHealth(Component, HealthState.Degraded, string.Join("; ", errors), result.AtUtc)
            : new ComponentHealth(Component, HealthState.Healthy, $"prices fetched for {string.Join(" and ", result.Kinds.Select(k => k.Kind.ToString().ToLowerInvariant()))}", result.AtUtc);
        status?.Update(s => s.WithComponent(health));
    }

    private async Task<IReadOnlyList<TimeRange>> MissingAsync(RateKind kind, TimeRange window, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(kind, window, cancellationToken);
        return GapDetector.FindMissing(stored.Select(r => r.StartUtc), window, s_slot);
    }

    private static List<TimeRange> Merge(IReadOnlyList<TimeRange> ranges)
    {
        var merged = new List<TimeRange>();
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && range.FromUtc - merged[^1].ToUtc <= s_mergeDistance)
            {
                merged[^1] = merged[^1] with { ToUtc = range.ToUtc };
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }
}
