using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Control.Planning;

/// <summary>Where planning finds the stored prices, forecasts and history, and which forecast sites to use.</summary>
public sealed record PlanningSources(
    IRateStore Rates, IPvForecastStore PvForecasts, IReadOnlyList<string> SolarSiteIds, ITelemetryStore Telemetry, bool ExportTariffConfigured);

/// <summary>
/// One planning cycle: gather the stored prices, the PV forecast, a load forecast from measured history and the
/// latest measured state of charge; build the problem; solve; store problem and plan; hand the plan to the control
/// loop. Nothing is planned before a reading has measured the state of charge.
/// </summary>
public sealed class PlanningCycle(
    PlanningSources sources,
    IScheduleOptimiser optimiser,
    IPlanLog planLog,
    IApplianceStatusPublisher status,
    IApplianceStatus current,
    IOptions<SiteOptions> site,
    IOptions<ControlOptions> control,
    TimeProvider time,
    ILogger<PlanningCycle> logger,
    EdgeEnergyMetrics? metrics = null,
    ImmersionSwitcher? immersions = null) : IPlanningCycle
{
    private const int HistoryDays = 28;
    /// <summary>What a UK home uses in half an hour on average (about 3,100 kWh a year), used until history exists.</summary>
    private const double TypicalLoadKwh = 0.18;

    public async Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
    {
        // Only from a measured state of charge: a plan from a guess would be followed (and its first command sent)
        // until the next replan. Until a reading gives one, the control loop's fallback rules are in charge.
        if (current.Current.Telemetry is not { SocMeasuredAtUtc: not null } measured)
        {
            logger.PlanningSkipped("no state of charge measured since start; the fallback rules are in charge until the first reading");
            return;
        }

        var now = time.GetUtcNow();
        var options = control.Value;
        var start = PlanProblemBuilder.Floor(now);
        var end = start.AddHours(options.HorizonHours);
        var range = new TimeRange(start.AddDays(-14), end); // the past fortnight's rates teach the estimator and the terminal value
        var import = new RateSeries(await sources.Rates.GetAsync(RateKind.Import, range, cancellationToken));
        var export = new RateSeries(await sources.Rates.GetAsync(RateKind.Export, range, cancellationToken));
        var pv = new List<PvForecastPoint>();
        foreach (var siteId in sources.SolarSiteIds)
        {
            if (await sources.PvForecasts.GetLatestForecastAsync(siteId, cancellationToken) is { } forecast)
            {
                pv.AddRange(forecast.Points.Where(p => p.EndUtc > start && p.StartUtc < end));
            }
        }

        var load = await ForecastLoadAsync(start, options.HorizonHours * 2, cancellationToken);
        var snapshot = current.Current;
        var planSite = site.Value.AsSetBy(snapshot.ReserveSocPercent, snapshot.Immersions.Where(i => !i.Enabled).Select(i => i.Id).ToHashSet(StringComparer.Ordinal));
        var socPercent = snapshot.Telemetry is { SocMeasuredAtUtc: not null } latest ? latest.BatterySocPercent : measured.BatterySocPercent;
        var inputs = new PlanningInputs(now, socPercent / 100 * planSite.BatteryCapacityKwh, import, export,
            sources.ExportTariffConfigured, pv, load, options.TerminalValuePencePerKwh, options.EstimateUnpublishedPrices,
            immersions?.SatisfiedOn);
        var problem = PlanProblemBuilder.Build(inputs, planSite, options.HorizonHours, out var whyNot, out var terminalReason);
        if (problem is null)
        {
            logger.PlanningSkipped(whyNot!);
            return;
        }

        var plan = optimiser.Solve(problem, cancellationToken);
        metrics?.RecordPlanSolved(TimeSpan.FromMilliseconds(plan.SolveMilliseconds), plan.Status);
        plan = plan with { Reason = plan.Reason is null ? terminalReason : $"{plan.Reason}; {terminalReason}" };
        var id = await planLog.RecordAsync(now, trigger, problem, plan, cancellationToken);
        logger.PlanSolved(id, plan.Status, plan.Slots.Count, problem.Start, plan.ObjectivePence, trigger, plan.SolveMilliseconds);
        if (plan.Status is not PlanStatus.Optimal)
        {
            logger.PlanDegraded(plan.Status, plan.Reason);
        }

        status.Update(s => s with { Plan = new ActivePlan(problem, plan, now) });
    }

    /// <summary>Half-hourly load from measured history through the blended forecaster; a typical home's until there is history.</summary>
    private async Task<double[]> ForecastLoadAsync(DateTimeOffset start, int slots, CancellationToken cancellationToken)
    {
        var from = start.AddDays(-HistoryDays);
        var samples = await sources.Telemetry.GetAsync(from, start, cancellationToken);
        var known = new double[HistoryDays * SlotGrid.SlotsPerDay];
        var counts = new int[known.Length];
        foreach (var s in samples)
        {
            if (s.LoadPowerW is not { } w)
            {
                continue;
            }

            var index = (int)((s.TimestampUtc - from).TotalMinutes / PlanProblemBuilder.SlotMinutes);
            if (index >= 0 && index < known.Length)
            {
                known[index] += w;
                counts[index]++;
            }
        }

        var covered = 0;
        for (var i = 0; i < known.Length; i++)
        {
            // mean W over the slot × 0.5 h = kWh; slots with no sample take the typical value
            known[i] = counts[i] > 0 ? known[i] / counts[i] / 1000 * 0.5 : TypicalLoadKwh;
            covered += counts[i] > 0 ? 1 : 0;
        }

        var forecast = new double[slots];
        if (covered < SlotGrid.SlotsPerDay)
        {
            logger.LoadForecastDegraded($"only {covered} half hours of measured load in the last {HistoryDays} days; planning with a typical home's {TypicalLoadKwh} kWh per half hour");
            Array.Fill(forecast, TypicalLoadKwh);
            return forecast;
        }

        new BlendedLoadForecaster().Forecast(known, known.Length, forecast);
        return forecast;
    }
}
