using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Control.Ev;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Data;

/// <summary>Intelligent Octopus Go's dispatches as last read, for the planner (<see cref="IPlannedDispatches"/>) and the car's loop (singleton).</summary>
internal sealed class OctopusDispatchState : IPlannedDispatches
{
    private volatile DispatchSchedule? _current;

    public DispatchSchedule? Current
    {
        get => _current;
        set => _current = value;
    }

    public DateTimeOffset? LastAccountAttemptUtc { get; set; }

    public DateTimeOffset? LastDispatchAttemptUtc { get; set; }

    public string? AccountProblem { get; set; }

    public string? DispatchProblem { get; set; }
}

/// <summary>
/// Reads the Octopus account every <c>Octopus:AccountPollHours</c> and, on Intelligent Octopus Go (import product
/// <c>INTELLI-…</c>), the planned dispatches every <c>Octopus:DispatchPluggedInPollMinutes</c> while evcc says a car is
/// plugged in, else every <c>Octopus:DispatchPollMinutes</c>. A tariff change refetches that kind's future prices, is
/// written to the audit log ("import tariff changed from X to Y") and the log, and asks for a replan; a change in the
/// dispatches (new, moved, withdrawn) asks for a replan. Only the dispatches listed now are planned on. Any failure
/// (a refused key, the call budget, an outage) degrades the <c>octopus-account</c> component with the reason and
/// keeps the configured or last-known tariffs and the last dispatches read.
/// </summary>
internal sealed class OctopusAccountUpdater(
    OctopusAccountClient accounts,
    OctopusDispatchSource dispatchSource,
    OctopusAccountState accountState,
    OctopusDispatchState dispatchState,
    IOptions<OctopusOptions> options,
    TimeProvider timeProvider,
    ILogger<OctopusAccountUpdater> logger,
    IReplanRequester? replan = null,
    IAuditLog? audit = null,
    IApplianceStatusPublisher? status = null,
    IPriceSource? prices = null,
    IRateStore? rates = null,
    EvCharging? car = null)
{
    /// <summary>The status component.</summary>
    public const string Component = "octopus-account";

    /// <summary>Runs whichever read is due (see the class summary); never throws for an Octopus failure.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.AccountConfigured)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (dispatchState.LastAccountAttemptUtc is not { } account || now - account >= TimeSpan.FromHours(o.AccountPollHours))
        {
            await RefreshAccountAsync(cancellationToken);
        }

        var every = TimeSpan.FromMinutes(car?.CarConnected == true ? o.DispatchPluggedInPollMinutes : o.DispatchPollMinutes);
        if (IntelligentGo && (dispatchState.LastDispatchAttemptUtc is not { } read || now - read >= every))
        {
            await RefreshDispatchesAsync(cancellationToken);
        }
    }

    private bool IntelligentGo => OctopusTariffCode.IsIntelligentGo(accountState.Effective(RateKind.Import, options.Value).Product);

    /// <summary>Reads the account; true when it was read.</summary>
    public async Task<bool> RefreshAccountAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = timeProvider.GetUtcNow();
        dispatchState.LastAccountAttemptUtc = now;
        var before = s_kinds.Select(k => accountState.Effective(k, o)).ToList();
        var firstRead = accountState.Account is null;
        try
        {
            var account = await accounts.GetAccountAsync(cancellationToken);
            accountState.Account = account;
            dispatchState.AccountProblem = null;
            foreach (var skipped in account.Skipped)
            {
                logger.OctopusAccountItemSkipped(skipped);
            }
        }
        catch (OctopusAccountException e)
        {
            dispatchState.AccountProblem = e.Message;
            logger.OctopusAccountFailed(e.Message);
            Report(now);
            return false;
        }

        foreach (var (was, kind) in before.Zip(s_kinds))
        {
            var effective = accountState.Effective(kind, o);
            if (firstRead)
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.OctopusTariffInUse(effective.ToString(), Precedence(kind, o));
                }
            }
            else if (!string.Equals(was.Code, effective.Code, StringComparison.Ordinal))
            {
                await TariffChangedAsync(kind, was, effective, now, cancellationToken);
            }
        }

        if (!IntelligentGo && dispatchState.Current is not null)
        {
            dispatchState.Current = null; // no longer on Intelligent Octopus Go: no dispatch is planned on
            status?.Update(s => s with { Dispatches = null });
        }

        Report(now);
        return true;
    }

    /// <summary>Reads the planned dispatches; a change asks for a replan. True when they were read.</summary>
    public async Task<bool> RefreshDispatchesAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = timeProvider.GetUtcNow();
        dispatchState.LastDispatchAttemptUtc = now;
        DispatchRead read;
        try
        {
            read = await dispatchSource.GetPlannedAsync(cancellationToken);
            dispatchState.DispatchProblem = read.Skipped.Count == 0 ? null : $"{read.Skipped.Count} dispatch item(s) skipped: {string.Join("; ", read.Skipped)}";
        }
        catch (OctopusAccountException e)
        {
            dispatchState.DispatchProblem = e.Message;
            logger.OctopusDispatchesFailed(e.Message);
            Report(now);
            return false;
        }

        var cap = o.SmartChargeCapHours > 0 ? TimeSpan.FromHours(o.SmartChargeCapHours) : (TimeSpan?)null;
        var schedule = new DispatchSchedule(read.Dispatches, now, cap);
        var previous = dispatchState.Current;
        dispatchState.Current = schedule;
        status?.Update(s => s with { Dispatches = schedule });
        var changed = previous is null ? read.Dispatches.Count > 0 : !previous.Dispatches.SequenceEqual(read.Dispatches);
        if (changed)
        {
            var added = read.Dispatches.Except(previous?.Dispatches ?? []).Count();
            var gone = previous?.Dispatches.Except(read.Dispatches).Count() ?? 0;
            logger.OctopusDispatchesChanged(read.Dispatches.Count, added, gone);
            if (replan is not null)
            {
                await replan.RequestReplanAsync(PlanningTrigger.DispatchesChanged, cancellationToken);
            }
        }

        Report(now);
        return true;
    }

    private static readonly RateKind[] s_kinds = [RateKind.Import, RateKind.Export];

    private string Precedence(RateKind kind, OctopusOptions o) => accountState.Effective(kind, o).Source switch
    {
        "configured" => $"Octopus:{kind}Product is set and wins over the account's tariff ({(kind == RateKind.Import ? accountState.Account?.Import : accountState.Account?.Export)?.CurrentTariff?.Code ?? "none"})",
        "account" => $"the account's current agreement (Octopus:{kind}Product is not set)",
        _ => $"the account has no current {kind.ToString().ToLowerInvariant()} agreement: the default Octopus:{kind}Product",
    };

    private async Task TariffChangedAsync(RateKind kind, EffectiveTariff was, EffectiveTariff now, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var name = kind.ToString().ToLowerInvariant();
        var message = $"{name} tariff changed from {was.Code ?? "none"} to {now.Code ?? "none"}";
        logger.OctopusTariffChanged(message);
        if (audit is not null)
        {
            await audit.RecordAsync(new AuditEntry(at, "octopus-account", message, "ok", "the account's current agreement changed"), cancellationToken);
        }

        // The stored future rates are the old tariff's: fetch the new one's over them (a save keeps the old as a revision).
        if (prices is not null && rates is not null && now.Product is not null)
        {
            var from = GapDetector.AlignDown(at, TimeSpan.FromMinutes(30));
            var until = TariffKnowledge.ForProduct(now.Product).KnownUntil(at, UkTime.Zone);
            try
            {
                var fetched = await prices.FetchAsync(kind, new TimeRange(from, until), cancellationToken);
                await rates.SaveAsync(kind, fetched.Rates, at, cancellationToken);
            }
            catch (PriceSourceException e)
            {
                logger.PriceFetchFailed(kind, new TimeRange(from, until), e.Message);
            }
        }

        if (replan is not null)
        {
            await replan.RequestReplanAsync(PlanningTrigger.TariffChanged, cancellationToken);
        }
    }

    private void Report(DateTimeOffset now)
    {
        var o = options.Value;
        var problems = new[] { dispatchState.AccountProblem, dispatchState.DispatchProblem }.Where(p => p is not null).ToList();
        var tariffs = string.Join("; ", s_kinds.Select(k => accountState.Effective(k, o).ToString()));
        var dispatches = dispatchState.Current is { } d ? $"; {d.Upcoming(now).Count} dispatch(es) planned" : string.Empty;
        var health = problems.Count > 0
            ? new ComponentHealth(Component, HealthState.Degraded, $"{string.Join("; ", problems)}; planning on {tariffs}", now)
            : new ComponentHealth(Component, HealthState.Healthy, $"{tariffs}{dispatches}", now);
        status?.Update(s => s.WithComponent(health));
    }
}

/// <summary>Runs <see cref="OctopusAccountUpdater.RunDueAsync"/> every minute with <c>Octopus:AccountNumber</c> set; idle otherwise.</summary>
internal sealed class OctopusAccountService(IServiceProvider services, IOptions<OctopusOptions> options, TimeProvider time, ILogger<OctopusAccountService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AccountConfigured)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await services.GetRequiredService<OctopusAccountUpdater>().RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.OctopusAccountFailed(e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
