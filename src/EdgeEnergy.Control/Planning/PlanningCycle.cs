using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Planning;

/// <summary>Where planning finds the stored prices, forecasts and history, and which forecast sites to use.</summary>
public sealed record PlanningSources(
    IRateStore Rates, IPvForecastStore PvForecasts, IReadOnlyList<string> SolarSiteIds, ITelemetryStore Telemetry, bool ExportTariffConfigured)
{
    /// <summary>How the import tariff's prices become known (Agile's day-ahead rule unless configured otherwise).</summary>
    public TariffKnowledge ImportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>How the export tariff's prices become known.</summary>
    public TariffKnowledge ExportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>Intelligent Octopus Go's planned dispatches (null: not on it): their half hours are planned at the off-peak rate (<see cref="DispatchPricing"/>).</summary>
    public IPlannedDispatches? Dispatches { get; init; }
}

/// <summary>
/// One planning cycle: gather the stored prices, the PV forecast, a load forecast from measured history and the
/// latest measured state of charge; build the problem; solve; store problem and plan; hand the plan to the control
/// loop. Nothing is planned before a reading has measured the state of charge. With evcc configured, the car's need
/// is part of the problem.
/// </summary>
public sealed class PlanningCycle(
    PlanningSources sources,
    IScheduleOptimiser optimiser,
    IPlanLog planLog,
    IApplianceStatusPublisher status,
    IApplianceStatus current,
    PlanInForce planInForce,
    IOptions<SiteOptions> site,
    IOptions<ControlOptions> control,
    TimeProvider time,
    ILogger<PlanningCycle> logger,
    EdgeEnergyMetrics? metrics = null,
    ImmersionSwitcher? immersions = null,
    LoadModelTraining? loadModel = null,
    ImmersionDelivery? delivery = null,
    EdgeEnergy.Control.Ev.EvCharging? ev = null,
    SavingSessionPlanner? savingSessions = null) : IPlanningCycle
{
    private const int HistoryDays = 28;
    private string? _scheduledLoadReason;
    /// <summary>What a UK home uses in half an hour on average (about 3,100 kWh a year), used until history exists.</summary>
    private const double TypicalLoadKwh = 0.18;

    public async Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
    {
        // Only from a measured state of charge: a plan from a guess would be followed (and its first command sent)
        // until the next replan. Until a reading gives one, the control loop's fallback rules are in charge.
        if (current.Current.Telemetry is not { SocMeasuredAtUtc: not null } reading)
        {
            logger.PlanningSkipped("no state of charge measured since start; the fallback rules are in charge until the first reading");
            return;
        }

        var now = time.GetUtcNow();
        var options = control.Value;
        var start = PlanProblemBuilder.Floor(now);
        var end = start.AddHours(options.HorizonHours);
        var range = new TimeRange(start.AddDays(-PlanProblemBuilder.PriceMemoryDays), end); // past rates teach the estimator and the terminal value
        var import = new RateSeries(await sources.Rates.GetAsync(RateKind.Import, range, cancellationToken));
        if (sources.Dispatches?.Current is { } dispatches)
        {
            // Only the dispatches Octopus lists now: a withdrawn one is gone from the list, and from the prices.
            import = new RateSeries(DispatchPricing.Apply(import.Rates, dispatches, UkTime.Zone).Rates);
        }
        var export = new RateSeries(await sources.Rates.GetAsync(RateKind.Export, range, cancellationToken));
        var service = new List<PvForecastPoint>();
        foreach (var siteId in sources.SolarSiteIds)
        {
            if (await sources.PvForecasts.GetLatestForecastAsync(siteId, cancellationToken) is { } forecast)
            {
                service.AddRange(forecast.Points.Where(p => p.EndUtc > start && p.StartUtc < end));
            }
        }

        var measured = await MeasuredAsync(start, cancellationToken);
        var loadSeen = measured.LoadKwh.Select(v => double.IsFinite(v) ? v : TypicalLoadKwh).ToArray(); // gaps: a typical home's
        var load = ForecastLoad(measured.LoadKwh, loadSeen, options.HorizonHours * 2, start, options.ScheduledLoadEnabled, out var loadSource);
        var pastService = await PastServiceForecastAsync(start, measured.PvKwh.Length, cancellationToken);
        var solar = PlanningSolarForecast.Choose(start, options.HorizonHours * 2, service, measured.PvKwh, pastService);
        var pv = solar.Points;
        ReportForecast(now, solar, sources.SolarSiteIds.Count > 0, loadSource);
        var snapshot = current.Current;
        var planSite = site.Value.AsSetBy(snapshot.ReserveSocPercent, snapshot.Immersions.Where(i => !i.Enabled).Select(i => i.Id).ToHashSet(StringComparer.Ordinal));
        var socPercent = snapshot.Telemetry is { SocMeasuredAtUtc: not null } latest ? latest.BatterySocPercent : reading.BatterySocPercent;
        var inputs = new PlanningInputs(now, socPercent / 100 * planSite.BatteryCapacityKwh, import, export,
            sources.ExportTariffConfigured, pv, load, options.TerminalValuePencePerKwh, options.EstimateUnpublishedPrices,
            immersions?.SatisfiedOn)
        {
            ImportTariff = sources.ImportTariff,
            ExportTariff = sources.ExportTariff,
            // What the relays already put into each window in progress: the plan asks only for the rest.
            ImmersionDelivered = delivery is null ? null : await delivery.CurrentAsync(now, cancellationToken),
        };
        var problem = PlanProblemBuilder.Build(inputs, planSite, options.HorizonHours, out var whyNot, out var terminalReason);
        if (problem is null)
        {
            logger.PlanningSkipped(whyNot!);
            return;
        }

        // The car (evcc): its need joins the problem; when evcc cannot say, the house is planned without it (the
        // ev component says why).
        if (ev is not null && await ev.PlanAsync(problem.Start, problem.SlotMinutes, problem.Slots.Count, cancellationToken) is { } car)
        {
            problem = problem with { Ev = car };
        }

        // Saving Sessions the account joined: their reward below the baseline joins the objective.
        var sessions = savingSessions is null ? null : await savingSessions.PlanAsync(problem.Start, problem.SlotMinutes, problem.Slots.Count, cancellationToken);
        if (sessions?.Specs is { } joined)
        {
            problem = problem with { SavingSessions = joined };
        }

        var scenarios = Scenarios(problem, measured, loadSeen, pastService, solar.Origin, options.Scenarios, options.ScheduledLoadEnabled, out var noScenarios);
        var plan = optimiser.Solve(problem, scenarios, cancellationToken);
        if (noScenarios is not null)
        {
            plan = plan with { Reason = plan.Reason is null ? $"planned on the forecast alone: {noScenarios}" : $"{plan.Reason}; planned on the forecast alone: {noScenarios}" };
        }

        metrics?.RecordPlanSolved(TimeSpan.FromMilliseconds(plan.SolveMilliseconds), plan.Status);
        plan = plan with { Reason = plan.Reason is null ? terminalReason : $"{plan.Reason}; {terminalReason}" };
        if (sessions?.Note is { } sessionNote)
        {
            plan = plan with { Reason = plan.Reason is null ? sessionNote : $"{plan.Reason}; {sessionNote}" };
        }

        // The history is a record, not the control path: a plan that cannot be stored (a full disk) is followed all the same.
        try
        {
            var id = await planLog.RecordAsync(now, trigger, problem, plan, cancellationToken);
            logger.PlanSolved(id, plan.Status, plan.Slots.Count, problem.Start, plan.ObjectivePence, trigger, plan.SolveMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.PlanNotStored(plan.Status, plan.Slots.Count, problem.Start, plan.ObjectivePence, trigger, plan.SolveMilliseconds, e.Message);
        }

        if (plan.Status is not PlanStatus.Optimal)
        {
            logger.PlanDegraded(plan.Status, plan.Reason);
        }

        // The controller follows it from its next poll; the status shows it (dashboard, API, Home Assistant).
        var active = new ActivePlan(problem, plan, now);
        planInForce.Replace(active);
        status.Update(s => s with { Plan = active });
    }

    /// <summary>Measured load and solar per half hour over the last <see cref="HistoryDays"/> days before
    /// <paramref name="start"/> (kWh from the mean power of the minutes stored in each slot; NaN: nothing stored).</summary>
    private Task<(double[] LoadKwh, double[] PvKwh)> MeasuredAsync(DateTimeOffset start, CancellationToken cancellationToken) =>
        MeasuredHistory.SlotsAsync(sources.Telemetry, start, HistoryDays, cancellationToken);

    /// <summary>What the forecast service said for the same past slots as the measurements (summed over its sites; NaN
    /// where no stored forecast covered a slot): what calibrates it to the roof.</summary>
    private async Task<double[]> PastServiceForecastAsync(DateTimeOffset start, int length, CancellationToken cancellationToken)
    {
        var from = start.AddMinutes(-PlanProblemBuilder.SlotMinutes * length);
        var past = new double[length];
        Array.Fill(past, double.NaN);
        foreach (var siteId in sources.SolarSiteIds)
        {
            foreach (var p in await sources.PvForecasts.GetPastForecastAsync(siteId, from, start, cancellationToken))
            {
                var index = (int)((p.StartUtc - from).TotalMinutes / PlanProblemBuilder.SlotMinutes);
                if (index >= 0 && index < length && double.IsFinite(p.P50Kwh))
                {
                    past[index] = (double.IsNaN(past[index]) ? 0 : past[index]) + p.P50Kwh;
                }
            }
        }

        return past;
    }

    /// <summary>
    /// The scenarios the plan allows for (issue 15 §3): the problem's own forecasts with the errors the same forecasters
    /// made day-ahead on the complete UTC days measured (the solar's as the service's calibrated forecast when the plan
    /// stands on it, else as the own estimate). Null, with the reason, when off or with too few days measured.
    /// </summary>
    private static ScenarioSet? Scenarios(
        PlanProblem problem, (double[] LoadKwh, double[] PvKwh) measured, double[] loadSeen, double[] pastService, SolarForecastOrigin origin, int count,
        bool scheduledLoad, out string? whyNot)
    {
        const int day = SlotGrid.SlotsPerDay;
        var options = new ScenarioOptions { Count = count };
        if (count < 2)
        {
            whyNot = null; // off by configuration: nothing to report
            return null;
        }

        var slotOfDay = SlotGrid.SlotOfUtcDay(problem.Start);
        var length = measured.LoadKwh.Length; // ends at problem.Start
        ISlotForecaster pvForecaster = origin == SolarForecastOrigin.Service ? new ForecastColumn(pastService, measured.PvKwh) : new SolarForecaster();
        // The errors of the forecaster the plan stands on: with the scheduled load apart when it is on (as the backtest's).
        var loadForecaster = scheduledLoad
            ? new ScheduledLoadForecaster(ProductLoadForecaster.Create(), new SlotCalendar(problem.Start.AddDays(-HistoryDays), UkTime.Zone))
            : ProductLoadForecaster.Create();
        var days = new List<DayAheadError>();
        // The UTC midnights of the measured span, oldest first, whose whole day was measured.
        for (var start = (day - slotOfDay) % day; start + day <= length; start += day)
        {
            if (start + day > length - options.Days * day
                && ForecastScenarios.DayAhead(measured.LoadKwh, measured.PvKwh, start, loadForecaster, pvForecaster, loadSeen) is { } error)
            {
                days.Add(error);
            }
        }

        return ForecastScenarios.Build(
            [.. problem.Slots.Select(s => s.LoadKwh)], [.. problem.Slots.Select(s => s.PvKwh)], slotOfDay, days, options, out whyNot);
    }

    /// <summary>Half-hourly load from measured history through the product's forecaster; a typical home's until a day
    /// is measured; <paramref name="known"/> is <paramref name="measured"/> with its gaps at the typical value. With <c>Control:LoadForecast</c> = learned, the blend is
    /// corrected by the load model where its last training chose it; any problem leaves the blend, said in
    /// <paramref name="source"/> (degraded) and the log.</summary>
    private double[] ForecastLoad(double[] measured, double[] known, int slots, DateTimeOffset start, bool scheduledLoad, out LoadSource source)
    {
        var covered = measured.Count(double.IsFinite);
        var forecast = new double[slots];
        if (covered < SlotGrid.SlotsPerDay)
        {
            logger.LoadForecastDegraded($"only {covered} half hours of measured load in the last {HistoryDays} days; planning with a typical home's {TypicalLoadKwh} kWh per half hour");
            Array.Fill(forecast, TypicalLoadKwh);
            source = new LoadSource("load: a typical home's (too little measured load)", Degraded: false);
            return forecast;
        }

        // A scheduled load (a car on a timer) comes out of the history the house forecasters see, and its expected
        // energy goes back on top of their forecast: the same split as the backtest's (ScheduledLoadForecaster).
        var calendar = new SlotCalendar(start.AddDays(-HistoryDays), UkTime.Zone);
        var scheduled = scheduledLoad ? ScheduledLoadFor(calendar, measured, known) : (null, null);
        var house = scheduled.House ?? known;
        ProductLoadForecaster.Create().Forecast(house, house.Length, forecast);
        source = new LoadSource("load: blended", Degraded: false);
        if (loadModel is { Enabled: true } training)
        {
            source = CorrectByModel(training, house, calendar, forecast);
        }

        if (scheduled.Learned is { Found: true } learned)
        {
            learned.AddExpected(measured, measured.Length, calendar, forecast);
            source = source with { Detail = $"{source.Detail}; {learned.Reason}" };
        }

        return forecast;
    }

    /// <summary>The scheduled load learned from the measured history (logged when what was learned changes), and the
    /// history with it taken out (null when nothing was learned).</summary>
    private (ScheduledLoad? Learned, double[]? House) ScheduledLoadFor(SlotCalendar calendar, double[] measured, double[] known)
    {
        var (learned, house) = new ScheduledLoadForecaster(ProductLoadForecaster.Create(), calendar).Split(measured, known);
        if (!string.Equals(Interlocked.Exchange(ref _scheduledLoadReason, learned.Reason), learned.Reason, StringComparison.Ordinal))
        {
            logger.ScheduledLoadLearned(learned.Reason);
        }

        return (learned, house);
    }

    /// <summary>The learned load model's correction of the blended forecast, where its last training chose it.</summary>
    private LoadSource CorrectByModel(LoadModelTraining training, double[] known, SlotCalendar calendar, double[] forecast)
    {
        if (training.Current is not { Choice: var choice })
        {
            return new LoadSource("load: blended (the load model is not trained yet)", Degraded: false);
        }

        if (choice is not { UseModel: true, Model: { } model })
        {
            return new LoadSource($"load: {choice.Reason}", choice.Failed);
        }

        if (model.TryCorrect(known, known.Length, calendar, forecast, out var problem))
        {
            return new LoadSource($"load: {choice.Reason}", Degraded: false);
        }

        logger.LoadForecastDegraded($"{problem}; planning on the blended forecast");
        return new LoadSource($"load: blended, the load model's forecast was rejected ({problem})", Degraded: true);
    }

    /// <summary>Which load forecast the plan stands on, and whether that is a fault (the model failed).</summary>
    private sealed record LoadSource(string Detail, bool Degraded);

    /// <summary>The "forecast" component of /healthz and the log: which solar and load forecasts the plan stands on,
    /// degraded when a forecast service's was set aside, a configured service gave nothing, or the load model failed.</summary>
    private void ReportForecast(DateTimeOffset now, SolarForecastChoice solar, bool serviceConfigured, LoadSource load)
    {
        var solarDegraded = solar.Problem is not null || (serviceConfigured && solar.Origin != SolarForecastOrigin.Service);
        var solarDetail = solar.Problem is null ? $"solar: {solar.Source}" : $"solar: {solar.Source}; {solar.Problem}";
        if (solarDegraded)
        {
            logger.SolarForecastDegraded(solarDetail);
        }

        var degraded = solarDegraded || load.Degraded;
        var detail = $"{solarDetail}; {load.Detail}";
        status.Update(s => s.WithComponent(new ComponentHealth("forecast", degraded ? HealthState.Degraded : HealthState.Healthy, detail, now)));
    }
}
