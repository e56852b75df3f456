using System.Diagnostics;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>
/// Replays a history against four strategies (docs/contracts.md section 3). Every strategy's commands go through
/// <see cref="HardLimits"/> and the <see cref="SiteSimulator"/> physics with the actual load and solar; the bill is
/// what the grid flows cost at the slot's prices. The optimiser strategy replans every slot from what it may know at
/// that moment — prices as published (<see cref="Domain.Prices.AgilePublication"/>), load and solar actuals only before the slot —
/// and acts through the live service's mapping (<see cref="PlanCommandMapper"/>) and anti-flapping
/// (<see cref="CommandDebouncer"/>).
/// </summary>
public sealed class BacktestEngine(IScheduleOptimiser optimiser, BacktestOptions? options = null, IScheduleOptimiser? perfectOptimiser = null)
{
    public const string RulesDescription =
        "each night, force-charge at full power in the cheapest half-hours between 00:00 and 07:00 local time, as many " +
        "as it takes to fill the battery; otherwise self-use (the battery covers the load down to its minimum, solar " +
        "surplus charges it); never export from the battery; immersion heats its daily minimum from the window's start; " +
        "a car charges at full power from plug-in until its need is met";

    private readonly IScheduleOptimiser _optimiser = optimiser ?? throw new ArgumentNullException(nameof(optimiser));
    private readonly BacktestOptions _options = options ?? new BacktestOptions();
    private readonly IScheduleOptimiser _perfectOptimiser = perfectOptimiser ?? optimiser;

    /// <summary>Runs every strategy. <paramref name="progress"/> receives the number of optimiser slots done.</summary>
    public BacktestResult Run(BacktestHistory history, BacktestSite site, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(site);
        if (history.Slots.Count == 0)
        {
            throw new ArgumentException("the history is empty", nameof(history));
        }

        // A car half described cannot be replayed: EV columns without a charger, or a charger with no car to charge
        // (which would report a car that never drew), are both input errors rather than guesses.
        if (history.HasEv != site.Ev is not null)
        {
            throw new BacktestInputException(history.HasEv
                ? "the history has the EV columns (ev_plugged, ev_need_kwh, ev_deadline_utc) but SITE.json has no \"ev\" charger (minKw, maxKw, efficiency)"
                : "SITE.json has an \"ev\" charger but the history has no EV columns (ev_plugged, ev_need_kwh, ev_deadline_utc)");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        StrategyRun? none = null, rules = null, perfect = null;
        var perfectNotProven = 0;
        void Others()
        {
            none = RunNone(history, site, zone);
            if (_options.Bounds)
            {
                rules = RunRules(history, site, zone);
                (perfect, perfectNotProven) = RunPerfect(history, site, zone, cancellationToken);
            }
        }

        // The other strategies run on one of the replay's threads, which then joins the replay.
        var started = Stopwatch.GetTimestamp();
        var replay = new OptimiserReplay(_optimiser, _options, history, site, zone)
            .Run(_options.Threads, progress, cancellationToken, sideWork: Others);
        var optimiserSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var attribution = _options.Attribution && _options.Bounds ? Attribute(history, site, zone, replay.Run.TotalBillPence, perfect!.TotalBillPence, cancellationToken) : null;

        var load = history.Slots.Select(s => s.LoadKwh).ToArray();
        var pv = history.Slots.Select(s => s.PvKwh).ToArray();
        ISlotForecaster[] forecasters = _options.Bounds ? [new PersistenceForecaster(), new WeekdayAverageForecaster(), _options.LoadForecaster] : [];
        var strategies = new Dictionary<string, StrategyRun>(StringComparer.Ordinal) { [StrategyNames.None] = none!, [StrategyNames.Optimiser] = replay.Run };
        if (_options.Bounds)
        {
            strategies[StrategyNames.Rules] = rules!;
            strategies[StrategyNames.Perfect] = perfect!;
        }

        return new BacktestResult
        {
            History = history,
            Strategies = strategies,
            Decisions = replay.Decisions,
            LoadForecastScores = [.. forecasters.Select(f => ForecastEvaluation.Score(f, load))],
            PvForecastSource = replay.PvSource,
            PvForecastSkill = !_options.Bounds || pv.All(v => v == 0) ? [] : [.. PvForecasters(history).Select(f => ForecastEvaluation.SkillByLead(f, pv))],
            LoadForecastSkill = _options.Bounds ? [.. LoadForecasters().Select(f => ForecastEvaluation.SkillByLead(f, load))] : [],
            RulesDescription = RulesDescription,
            FallbackPlans = replay.Fallbacks,
            ImmersionShortfalls = replay.Shortfalls,
            OptimiserSeconds = optimiserSeconds,
            OptimiserSegments = replay.Segments,
            CatchUpSlots = replay.CatchUpSlots,
            PerfectWindowsNotProvenOptimal = perfectNotProven,
            PriceEstimateErrors = replay.Errors,
            Attribution = attribution,
            LoadModel = (_options.LoadForecaster is ScheduledLoadForecaster scheduled ? scheduled.House : _options.LoadForecaster) as LearnedLoadForecaster,
        };
    }

    /// <summary>
    /// The sequential replays of docs/contracts.md section 6: the optimiser strategy again with the actual load, then also
    /// the actual solar, then also every price as published; each step's bill change is that cause's share, and the last
    /// replay's gap to perfect foresight splits into execution (its bills against its plans' own first-slot bills) and
    /// horizon (the rest).
    /// </summary>
    private Attribution Attribute(BacktestHistory history, BacktestSite site, TimeZoneInfo zone, double optimiserPence, double perfectPence, CancellationToken cancellationToken)
    {
        OptimiserReplayResult Replay(ForecastOracle oracle) =>
            new OptimiserReplay(_optimiser, _options with { Oracle = oracle }, history, site, zone).Run(_options.Threads, null, cancellationToken);

        var load = Replay(ForecastOracle.Load).Run.TotalBillPence;
        var loadPv = Replay(ForecastOracle.Load | ForecastOracle.Pv).Run.TotalBillPence;
        var all = Replay(ForecastOracle.Load | ForecastOracle.Pv | ForecastOracle.Prices);
        var allPence = all.Run.TotalBillPence;
        var execution = all.Run.BillPence.Select((bill, t) => bill - all.Decisions[t].PlannedBillPence).Sum();
        return new Attribution(optimiserPence - load, load - loadPv, loadPv - allPence, allPence - perfectPence - execution, execution);
    }

    /// <summary>The load forecasts scored: persistence, the one planned with, and that one with the nowcast (unless it
    /// already has it).</summary>
    private IEnumerable<ISlotForecaster> LoadForecasters()
    {
        yield return new PersistenceForecaster();
        yield return _options.LoadForecaster;
        if (_options.LoadForecaster is not NowcastForecaster)
        {
            yield return new NowcastForecaster(_options.LoadForecaster);
        }
    }

    /// <summary>The solar forecasts scored: persistence, the 5-day same-slot mean (the product's estimate before issue 15),
    /// the own estimate, and the history's forecast column as given and as calibrated when it has one.</summary>
    private static IEnumerable<ISlotForecaster> PvForecasters(BacktestHistory history)
    {
        yield return new PersistenceForecaster();
        yield return new RecentDaysMeanForecaster(5);
        yield return new SolarForecaster();
        if (history.HasPvForecast)
        {
            var provided = history.Slots.Select(s => s.PvForecastKwh!.Value).ToArray();
            var actual = history.Slots.Select(s => s.PvKwh).ToArray();
            yield return new ForecastColumn(provided, null);
            yield return new ForecastColumn(provided, actual);
        }
    }

    /// <summary>Plays commands chosen slot by slot through the physics. The chooser gets the slot and the stored energy.</summary>
    private static StrategyRun Simulate(
        string name, BacktestHistory history, BacktestSite site, ImmersionTasks immersion, Func<int, double, InverterCommand> choose)
    {
        var n = history.Slots.Count;
        var flows = new SiteFlows[n];
        var bills = new double[n];
        var limits = HardLimits.For(site.Battery, site.Grid);
        var soc = site.Battery.SocKwh;
        var car = EvCharge.For(history, site);
        for (var t = 0; t < n; t++)
        {
            var slot = history.Slots[t];
            // A dumb charger: full power from plug-in until the need is met.
            var ev = car?.DumbDrawKwh(t) ?? 0;
            car?.Deliver(t, ev);
            var heat = 0.0;
            for (var heater = 0; heater < immersion.HeaterCount; heater++)
            {
                var kwh = immersion.GreedyKwh(t, heater);
                immersion.Deliver(t, heater, kwh);
                heat += kwh;
            }

            var command = limits.Apply(choose(t, soc));
            flows[t] = SiteSimulator.Step(site.Battery, site.Grid, soc, command, slot.LoadKwh, slot.PvKwh, heat, BacktestHistory.SlotHours, ev);
            bills[t] = slot.BillPence(flows[t]);
            soc = flows[t].SocAfterKwh;
        }

        return new StrategyRun(name, flows, bills) { EndSocKwh = soc, EvShortKwh = car?.ShortKwh() ?? 0 };
    }

    private static StrategyRun RunNone(BacktestHistory history, BacktestSite site, TimeZoneInfo zone)
    {
        var reserve = HardLimits.For(site.Battery, site.Grid).ReserveSocPercent;
        return Simulate(StrategyNames.None, history, site, new ImmersionTasks(site, history, zone), (_, _) => InverterCommand.Hold(reserve));
    }

    private static StrategyRun RunRules(BacktestHistory history, BacktestSite site, TimeZoneInfo zone)
    {
        var b = site.Battery;
        var limits = HardLimits.For(b, site.Grid);
        var perSlotKwh = Math.Min(b.MaxChargeKw * BacktestHistory.SlotHours, Math.Max(1e-9, site.Grid.MaxImportKw * BacktestHistory.SlotHours)) * b.ChargeEfficiency;
        var night = new int[history.Slots.Count]; // for each slot in 00:00–07:00 local, the index one past that night's window
        for (var t = history.Slots.Count - 1; t >= 0; t--)
        {
            var local = TimeZoneInfo.ConvertTime(history.Slots[t].Start, zone);
            night[t] = local.Hour < 7 ? (t + 1 < night.Length && night[t + 1] > 0 ? night[t + 1] : t + 1) : 0;
        }

        return Simulate(StrategyNames.Rules, history, site, new ImmersionTasks(site, history, zone), (t, soc) =>
        {
            if (night[t] == 0)
            {
                return InverterCommand.SelfUse(limits.ReserveSocPercent);
            }

            // How many of tonight's remaining half hours it takes to fill up; charge if this is one of the cheapest that many.
            var needed = (int)Math.Ceiling(Math.Max(0, b.MaxSocKwh - soc) / perSlotKwh - 1e-6);
            var price = history.Slots[t].ImportPence;
            var cheaper = 0;
            for (var u = t + 1; u < night[t]; u++)
            {
                var p = history.Slots[u].ImportPence;
                if (p < price || p == price)
                {
                    cheaper++;
                }
            }

            return needed > cheaper
                ? InverterCommand.ForceCharge(limits.MaxChargeW, limits.ReserveSocPercent)
                : InverterCommand.SelfUse(limits.ReserveSocPercent);
        });
    }

    private (StrategyRun Run, int NotProvenOptimal) RunPerfect(BacktestHistory history, BacktestSite site, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var n = history.Slots.Count;
        var flows = new SiteFlows[n];
        var bills = new double[n];
        var immersion = new ImmersionTasks(site, history, zone);
        var car = EvCharge.For(history, site);
        var soc = site.Battery.SocKwh;
        var notProven = 0;
        for (var from = 0; from < n; from += _options.PerfectCommitSlots)
        {
            var to = Math.Min(n, from + _options.PerfectWindowSlots);
            var problem = new PlanProblem
            {
                Start = history.Slots[from].Start,
                SlotMinutes = BacktestHistory.SlotMinutes,
                Battery = site.Battery with { SocKwh = soc },
                Grid = site.Grid,
                Immersions = immersion.ForHorizon(from, to),
                // Perfect foresight knows every plug-in of the window, not only the car plugged in now.
                Ev = car?.ForPlan(from, to - from, foresight: true),
                Slots = [.. Enumerable.Range(from, to - from).Select(t => new SlotInput
                {
                    ImportPence = history.Slots[t].ImportPence, ExportPence = history.Slots[t].ExportPence,
                    LoadKwh = history.Slots[t].LoadKwh, PvKwh = history.Slots[t].PvKwh,
                })],
            };
            var plan = _perfectOptimiser.Solve(problem, cancellationToken);
            if (plan.Status is PlanStatus.Infeasible or PlanStatus.Fallback)
            {
                throw new InvalidOperationException($"perfect foresight from {problem.Start:u} could not be solved: {plan.Status}: {plan.Reason}");
            }

            notProven += plan.Status == PlanStatus.Optimal ? 0 : 1;

            for (var k = 0; k < Math.Min(_options.PerfectCommitSlots, to - from); k++)
            {
                var t = from + k;
                var q = plan.Slots[k];
                var heat = 0.0;
                for (var heater = 0; heater < site.Immersions.Count; heater++)
                {
                    var kwh = q.ImmersionKwh.GetValueOrDefault(site.Immersions[heater].Id);
                    immersion.Deliver(t, heater, kwh);
                    heat += kwh;
                }

                // The car stops at its need, but a plan may give it more: the charger's minimum power makes a last slot's
                // small remainder a whole minimum's worth, and surplus solar beyond the export limit costs nothing to
                // pour in. What the plan gave beyond the need is put back at the grid, so the slot still balances: less
                // import, else more export within the limit, else less solar used.
                var planned = Math.Max(0, q.EvKwh ?? 0);
                var ev = car?.Limit(t, planned) ?? 0;
                car?.Deliver(t, ev);
                var excess = planned - ev; // ≥ 0, as are each of its three parts
                var lessImport = Math.Min(q.ImportKwh, excess);
                var moreExport = Math.Min(Math.Max(0, site.Grid.MaxExportKw * BacktestHistory.SlotHours - q.ExportKwh), excess - lessImport);
                var lessSolar = excess - lessImport - moreExport;
                flows[t] = new SiteFlows(q.ImportKwh - lessImport, q.ExportKwh + moreExport, q.ChargeKwh, q.DischargeKwh,
                    Math.Max(0, q.PvUsedKwh - lessSolar), heat, history.Slots[t].LoadKwh, q.SocKwh, ev);
                bills[t] = history.Slots[t].BillPence(flows[t]);
                soc = q.SocKwh;
            }
        }

        return (new StrategyRun(StrategyNames.Perfect, flows, bills) { EndSocKwh = soc, EvShortKwh = car?.ShortKwh() ?? 0 }, notProven);
    }
}
