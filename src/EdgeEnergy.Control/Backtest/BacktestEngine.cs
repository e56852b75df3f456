using System.Diagnostics;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Horizon;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Control.Backtest;

/// <summary>
/// Replays a history against four strategies (CONTRACTS.md section 3). Every strategy's commands go through
/// <see cref="HardLimits"/> and the <see cref="SiteSimulator"/> physics with the actual load and solar; the bill is
/// what the grid flows cost at the slot's prices. The optimiser strategy replans every slot from what it may know at
/// that moment — prices as published (<see cref="AgilePublication"/>), load and solar actuals only before the slot —
/// and acts through the live service's mapping (<see cref="PlanCommandMapper"/>) and anti-flapping
/// (<see cref="CommandDebouncer"/>).
/// </summary>
public sealed class BacktestEngine(IScheduleOptimiser optimiser, BacktestOptions? options = null, IScheduleOptimiser? perfectOptimiser = null)
{
    public const string RulesDescription =
        "each night, force-charge at full power in the cheapest half-hours between 00:00 and 07:00 local time, as many " +
        "as it takes to fill the battery; otherwise self-use (the battery covers the load down to its minimum, solar " +
        "surplus charges it); never export from the battery; immersion heats its daily minimum from the window's start";

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

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        StrategyRun? none = null, rules = null, perfect = null;
        var perfectNotProven = 0;
        void Others()
        {
            none = RunNone(history, site, zone);
            rules = RunRules(history, site, zone);
            (perfect, perfectNotProven) = RunPerfect(history, site, zone, cancellationToken);
        }

        var others = _options.Parallel ? Task.Run(Others, cancellationToken) : null;
        if (others is null)
        {
            Others();
        }

        var started = Stopwatch.GetTimestamp();
        var (optimised, decisions, fallbacks, shortfalls, pvSource, estimateErrors) = RunOptimiser(history, site, zone, progress, cancellationToken);
        var optimiserSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        others?.GetAwaiter().GetResult();

        var load = history.Slots.Select(s => s.LoadKwh).ToArray();
        ISlotForecaster[] forecasters = [new PersistenceForecaster(), new WeekdayAverageForecaster(), _options.LoadForecaster];
        return new BacktestResult
        {
            History = history,
            Strategies = new Dictionary<string, StrategyRun>(StringComparer.Ordinal)
            {
                [StrategyNames.None] = none!, [StrategyNames.Rules] = rules!, [StrategyNames.Optimiser] = optimised,
                [StrategyNames.Perfect] = perfect!,
            },
            Decisions = decisions,
            LoadForecastScores = [.. forecasters.Select(f => ForecastEvaluation.Score(f, load))],
            PvForecastSource = pvSource,
            RulesDescription = RulesDescription,
            FallbackPlans = fallbacks,
            ImmersionShortfalls = shortfalls,
            OptimiserSeconds = optimiserSeconds,
            PerfectWindowsNotProvenOptimal = perfectNotProven,
            PriceEstimateErrors = estimateErrors,
        };
    }

    private static double Bill(HistorySlot slot, SiteFlows f) => f.ImportKwh * slot.ImportPence - f.ExportKwh * slot.ExportPence;

    /// <summary>Plays commands chosen slot by slot through the physics. The chooser gets the slot and the stored energy.</summary>
    private static StrategyRun Simulate(
        string name, BacktestHistory history, BacktestSite site, ImmersionTasks immersion, Func<int, double, InverterCommand> choose)
    {
        var n = history.Slots.Count;
        var flows = new SiteFlows[n];
        var bills = new double[n];
        var limits = HardLimits.For(site.Battery, site.Grid);
        var soc = site.Battery.SocKwh;
        for (var t = 0; t < n; t++)
        {
            var slot = history.Slots[t];
            var heat = 0.0;
            for (var heater = 0; heater < immersion.HeaterCount; heater++)
            {
                var kwh = immersion.GreedyKwh(t, heater);
                immersion.Deliver(t, heater, kwh);
                heat += kwh;
            }

            var command = limits.Apply(choose(t, soc));
            flows[t] = SiteSimulator.Step(site.Battery, site.Grid, soc, command, slot.LoadKwh, slot.PvKwh, heat, BacktestHistory.SlotHours);
            bills[t] = Bill(slot, flows[t]);
            soc = flows[t].SocAfterKwh;
        }

        return new StrategyRun(name, flows, bills) { EndSocKwh = soc };
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

                flows[t] = new SiteFlows(q.ImportKwh, q.ExportKwh, q.ChargeKwh, q.DischargeKwh, q.PvUsedKwh, heat, history.Slots[t].LoadKwh, q.SocKwh);
                bills[t] = Bill(history.Slots[t], flows[t]);
                soc = q.SocKwh;
            }
        }

        return (new StrategyRun(StrategyNames.Perfect, flows, bills) { EndSocKwh = soc }, notProven);
    }

    private (StrategyRun Run, DecisionRecord[] Decisions, int Fallbacks, int Shortfalls, string PvSource, PriceEstimateErrors? Errors) RunOptimiser(
        BacktestHistory history, BacktestSite site, TimeZoneInfo zone, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var n = history.Slots.Count;
        var h = BacktestHistory.SlotHours;
        var t0 = history.Slots[0].Start;
        var load = history.Slots.Select(s => s.LoadKwh).ToArray();
        var pv = history.Slots.Select(s => s.PvKwh).ToArray();
        var pvSource = history.HasPvForecast
            ? "pv_forecast_kwh column of the history"
            : pv.All(v => v == 0) ? "none needed (no solar in the history)" : "own estimate from past solar actuals (blended same-slot average)";
        var pvForecaster = new BlendedLoadForecaster(new BlendedLoadForecasterOptions { RecentDays = 5, RecentWeight = 1, AnomalyLowRatio = 0, AnomalyHighRatio = double.PositiveInfinity });
        var limits = HardLimits.For(site.Battery, site.Grid);
        var debouncer = new CommandDebouncer(_options.MinimumDwell, _options.PowerHysteresisW);
        var immersion = new ImmersionTasks(site, history, zone);
        var flows = new SiteFlows[n];
        var bills = new double[n];
        var decisions = new DecisionRecord[n];
        var loadForecast = new double[n + 1];
        var pvForecast = new double[n + 1];
        var soc = site.Battery.SocKwh;
        var fallbacks = 0;
        var lastKnownSlot = -1;
        var importPrices = history.Slots.Select(s => s.ImportPence).ToArray();
        var exportPrices = history.Slots.Select(s => s.ExportPence).ToArray();
        var errors = _options.EstimatePrices ? new PriceEstimateErrors() : null;
        for (var t = 0; t < n; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = history.Slots[t].Start;
            // The information rule: prices only as published by now; actuals only of slots before now.
            var knownUntil = AgilePublication.KnownUntil(now, zone);
            var known = Math.Clamp((int)Math.Ceiling((knownUntil - t0).TotalMinutes / BacktestHistory.SlotMinutes - 1e-9), t + 1, n);
            lastKnownSlot = Math.Max(lastKnownSlot, known - 1);
            var end = known;
            if (_options.EstimatePrices && TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime) < AgilePublication.PublishedLocal)
            {
                // Before publication: look on to 23:00 tomorrow on estimated prices.
                var until = AgilePublication.KnownUntil(now.AddDays(1), zone);
                end = Math.Clamp((int)Math.Ceiling((until - t0).TotalMinutes / BacktestHistory.SlotMinutes - 1e-9), known, n);
            }

            var count = end - t;
            var estimatedImport = PriceEstimator.Estimate(importPrices.AsSpan(0, known), t0, zone, end - known);
            var estimatedExport = PriceEstimator.Estimate(exportPrices.AsSpan(0, known), t0, zone, end - known);
            errors?.Add(history, known, estimatedImport, estimatedExport, importPrices, zone);
            _options.LoadForecaster.Forecast(load.AsSpan(0, t), t, loadForecast.AsSpan(0, count));
            if (history.HasPvForecast)
            {
                for (var k = 0; k < count; k++)
                {
                    pvForecast[k] = history.Slots[t + k].PvForecastKwh!.Value;
                }
            }
            else
            {
                pvForecaster.Forecast(pv.AsSpan(0, t), t, pvForecast.AsSpan(0, count));
            }

            var slots = new SlotInput[count];
            var cheapestLate = double.PositiveInfinity;
            for (var k = 0; k < count; k++)
            {
                var estimated = t + k >= known;
                var importPence = estimated ? estimatedImport[t + k - known] : importPrices[t + k];
                slots[k] = new SlotInput
                {
                    ImportPence = importPence,
                    ExportPence = estimated ? estimatedExport[t + k - known] : exportPrices[t + k],
                    LoadKwh = loadForecast[k], PvKwh = pvForecast[k], PricesEstimated = estimated,
                };
                if (k >= count - 16)
                {
                    cheapestLate = Math.Min(cheapestLate, importPence);
                }
            }

            var terminalValue = end == n ? 0 : _options.Terminal switch
            {
                TerminalMode.Median => Math.Max(0, slots.Select(s => s.ImportPence).Order().ElementAt(count / 2) * site.Battery.DischargeEfficiency),
                TerminalMode.Learned or TerminalMode.LearnedConservative => TerminalValuePolicy.Learn(
                    importPrices.AsSpan(0, known), t0, end, zone, site.Battery, refillAtDischargeValue: _options.Terminal == TerminalMode.LearnedConservative).PencePerKwh,
                TerminalMode.Fixed => _options.FixedTerminalPencePerKwh,
                _ => Math.Max(0, cheapestLate) * _options.TerminalValueShare * site.Battery.DischargeEfficiency,
            };
            var problem = new PlanProblem
            {
                Start = now,
                SlotMinutes = BacktestHistory.SlotMinutes,
                Battery = site.Battery with { SocKwh = soc },
                Grid = site.Grid,
                TerminalValuePencePerKwh = terminalValue,
                Immersions = immersion.ForHorizon(t, end),
                Slots = slots,
            };
            var plan = _optimiser.Solve(problem, cancellationToken);
            InverterCommand proposed;
            var heat = 0.0;
            if (plan.Status is PlanStatus.Optimal or PlanStatus.Feasible && plan.Slots.Count > 0)
            {
                proposed = PlanCommandMapper.FromSlot(plan.Slots[0], h, limits.ReserveSocPercent);
                for (var heater = 0; heater < site.Immersions.Count; heater++)
                {
                    var kwh = plan.Slots[0].ImmersionKwh.GetValueOrDefault(site.Immersions[heater].Id);
                    immersion.Deliver(t, heater, kwh);
                    heat += kwh;
                }
            }
            else
            {
                // No usable plan: the safe default, and the immersion meets its minimum the simple way.
                fallbacks++;
                proposed = InverterCommand.SelfUse(limits.ReserveSocPercent);
                for (var heater = 0; heater < site.Immersions.Count; heater++)
                {
                    var kwh = immersion.GreedyKwh(t, heater);
                    immersion.Deliver(t, heater, kwh);
                    heat += kwh;
                }
            }

            var command = debouncer.Next(now, limits.Apply(proposed));
            var slot = history.Slots[t];
            flows[t] = SiteSimulator.Step(site.Battery, site.Grid, soc, command, slot.LoadKwh, slot.PvKwh, heat, h);
            bills[t] = Bill(slot, flows[t]);
            soc = flows[t].SocAfterKwh;
            decisions[t] = new DecisionRecord(
                loadForecast[0], pvForecast[0], plan.Slots.Count > 0 ? plan.Slots[0].ImportKwh : double.NaN,
                plan.Slots.Count > 0 ? plan.Slots[0].SocKwh : double.NaN, count, end - known, command,
                plan.Status.ToString(), terminalValue, plan.SolveMilliseconds);
            if ((t + 1) % 48 == 0 || t == n - 1)
            {
                progress?.Report(t + 1);
            }
        }

        return (new StrategyRun(StrategyNames.Optimiser, flows, bills) { EndSocKwh = soc }, decisions, fallbacks, immersion.Shortfalls(), pvSource, errors);
    }
}
