using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Backtest;

/// <summary>
/// The optimiser strategy of the backtest: every slot, a replan from what may be known at that moment — prices as
/// published (<see cref="TariffKnowledge"/>: Agile's rule, or the compared tariff's), load and solar actuals only before the slot — carried out through the
/// live service's mapping (<see cref="PlanCommandMapper"/>), anti-flapping (<see cref="CommandDebouncer"/>) and hard
/// limits against the <see cref="SiteSimulator"/> with the actual load and solar.
/// <para>
/// Replans follow one another only through the state they hand on: the stored energy, the command in force, the
/// immersion heat delivered in windows still open and the car's energy in its session still open. That state forgets its past: two replays started from different
/// states agree exactly from the first slot where the battery was full or empty in both (on the 2022 data within a
/// day or two). So with several cores the history is cut into segments, each replayed on its own from a guessed state
/// (the site's starting state); then, in order, each segment is replayed again from the true state its predecessor
/// handed on, only until the two states agree, after which the guessed replay's slots are the true ones. The result is
/// the same, slot for slot, as one replay from start to end (a test checks this), for any optimiser that answers
/// the same problem the same way.
/// </para>
/// </summary>
internal sealed class OptimiserReplay
{
    /// <summary>Segments are at least three weeks long, so that the warm-up costs little beside them…</summary>
    public const int SegmentSlots = 21 * 48;

    /// <summary>…and each guessed replay starts a day before its segment (on 2022 data, most meet the true replay within it).</summary>
    public const int WarmUpSlots = 48;

    private readonly IScheduleOptimiser _optimiser;
    private readonly BacktestOptions _options;
    private readonly BacktestHistory _history;
    private readonly BacktestSite _site;
    private readonly TimeZoneInfo _zone;
    private readonly HardLimits _limits;
    private readonly double[] _load;
    private readonly double[] _pv;
    private readonly double[] _importPrices;
    private readonly double[] _exportPrices;
    private readonly ISlotForecaster _pvForecaster;

    // The day-ahead forecast errors of each UTC day of the history, worked out once, when a replan first needs them.
    private readonly int _firstSlotOfDay;
    private readonly Lazy<DayAheadError?>[] _dayErrors;

    // Per slot, written by whichever replay of that slot is the true one last.
    private readonly SiteFlows[] _flows;
    private readonly double[] _bills;
    private readonly DecisionRecord[] _decisions;
    private readonly double[][] _heat;
    private readonly double[] _ev;
    private readonly bool[] _fallback;

    // Per slot of a segment replayed from a guess: its state before the slot, for the catch-up to compare with.
    private readonly StateBefore[] _guessedBefore;

    public OptimiserReplay(IScheduleOptimiser optimiser, BacktestOptions options, BacktestHistory history, BacktestSite site, TimeZoneInfo zone)
    {
        _optimiser = optimiser;
        _options = options;
        _history = history;
        _site = site;
        _zone = zone;
        _limits = HardLimits.For(site.Battery, site.Grid);
        var n = history.Slots.Count;
        _load = [.. history.Slots.Select(s => s.LoadKwh)];
        _pv = [.. history.Slots.Select(s => s.PvKwh)];
        _importPrices = [.. history.Slots.Select(s => s.ImportPence)];
        _exportPrices = [.. history.Slots.Select(s => s.ExportPence)];
        // The history's forecast column calibrated to the roof, else the own estimate from past solar.
        _pvForecaster = history.HasPvForecast ? new ForecastColumn([.. history.Slots.Select(s => s.PvForecastKwh!.Value)], _pv) : new SolarForecaster();
        _firstSlotOfDay = SlotGrid.SlotOfUtcDay(history.Slots[0].Start);
        _dayErrors = [.. Enumerable.Range(0, (n + _firstSlotOfDay) / SlotGrid.SlotsPerDay + 1).Select(day => new Lazy<DayAheadError?>(() =>
            ForecastScenarios.DayAhead(_load, _pv, day * SlotGrid.SlotsPerDay - _firstSlotOfDay, _options.LoadForecaster, _pvForecaster)))];
        _flows = new SiteFlows[n];
        _bills = new double[n];
        _decisions = new DecisionRecord[n];
        _heat = new double[n][];
        _ev = new double[n];
        _fallback = new bool[n];
        _guessedBefore = new StateBefore[n];
    }

    public string PvSource => _history.HasPvForecast
        ? "pv_forecast_kwh column of the history, calibrated to the measured solar of the last 30 days by hour of day"
        : _pv.All(v => v == 0) ? "none needed (no solar in the history)" : _pvForecaster.Name;

    /// <summary>
    /// Replays every slot on <paramref name="workers"/> threads, in segments of at least <paramref name="segmentSlots"/>
    /// slots whose guessed replays start <paramref name="warmUpSlots"/> early. <paramref name="progress"/> receives the
    /// number of slots replayed so far (warm-up and catch-up replays not counted). <paramref name="sideWork"/>, when
    /// given, runs first on one of the threads, which then joins the replay: a long single-threaded job (the perfect
    /// foresight run) takes one core while the replay has the others, and no core idles at the end.
    /// </summary>
    public OptimiserReplayResult Run(
        int workers, IProgress<int>? progress, CancellationToken cancellationToken, int segmentSlots = SegmentSlots, int warmUpSlots = WarmUpSlots,
        Action? sideWork = null)
    {
        var n = _history.Slots.Count;
        var segments = workers <= 1 ? 1 : Math.Clamp(n / Math.Max(1, segmentSlots), 1, 8 * workers);
        var bounds = Enumerable.Range(0, segments + 1).Select(k => (int)((long)n * k / segments)).ToArray();
        var ends = new ReplayState[segments];
        var errors = new PriceEstimateErrors?[segments];
        var done = 0;
        var progressGate = new Lock();
        void Report(int slots)
        {
            // Serialised, so the count reported only grows.
            lock (progressGate)
            {
                done += slots;
                progress?.Report(done);
            }
        }

        void ReplaySegment(int k)
        {
            errors[k] = _options.EstimatePrices ? new PriceEstimateErrors() : null;
            var state = ReplayState.Start(_site, _history, _zone, _options);
            var unreported = 0;
            // Segments after the first start from the guess a little early, so that the guessed replay has usually met
            // the true one by the segment's first slot (the warm-up's own slots belong to the segment before).
            for (var t = k == 0 ? 0 : Math.Max(0, bounds[k] - warmUpSlots); t < bounds[k + 1]; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var inSegment = t >= bounds[k];
                if (inSegment && k > 0)
                {
                    _guessedBefore[t] = state.Snapshot(t);
                }

                Step(t, state, inSegment, inSegment ? errors[k] : null);
                if (inSegment && (++unreported == 48 || t + 1 == bounds[k + 1]))
                {
                    Report(unreported);
                    unreported = 0;
                }
            }

            ends[k] = state;
        }

        // Each thread takes the next segment not yet taken, so a slow stretch of the history (a month of prices that
        // make every plan a search) does not hold the others back.
        var next = -1;
        void Work()
        {
            for (var k = Interlocked.Increment(ref next); k < segments; k = Interlocked.Increment(ref next))
            {
                ReplaySegment(k);
            }
        }

        if (workers <= 1)
        {
            sideWork?.Invoke();
            Work();
        }
        else
        {
            var threads = Enumerable.Range(0, workers).Select(i => Task.Run(() =>
            {
                if (i == 0)
                {
                    sideWork?.Invoke();
                }

                Work();
            }, cancellationToken)).ToArray();
            Task.WaitAll(threads, cancellationToken);
        }

        // Catch up, in order: segment k was replayed from a guess; replay it from its predecessor's true end state until
        // the two states agree (after the warm-up, usually at once). Segment 0 started from the true state.
        var catchUpSlots = 0;
        for (var k = 1; k < segments; k++)
        {
            var state = ends[k - 1];
            var t = bounds[k];
            for (; t < bounds[k + 1] && !state.AgreesWith(_guessedBefore[t], _history.Slots[t].Start, t); t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Step(t, state, record: true, errors: null);
                catchUpSlots++;
            }

            if (t == bounds[k + 1])
            {
                // The guess never caught up within the segment: this replay is the true one to its end.
                ends[k] = state;
            }
        }

        var merged = errors[0];
        for (var k = 1; k < segments && merged is not null; k++)
        {
            merged.Add(errors[k]!);
        }

        // Immersion deliveries of the true replays, to count the windows that missed their minimum.
        var immersion = new ImmersionTasks(_site, _history, _zone);
        for (var t = 0; t < n; t++)
        {
            for (var heater = 0; heater < _heat[t].Length; heater++)
            {
                immersion.Deliver(t, heater, _heat[t][heater]);
            }
        }

        // The car's draws of the true replays, likewise, for the kWh it was left short.
        var car = EvCharge.For(_history, _site);
        for (var t = 0; car is not null && t < n; t++)
        {
            car.Deliver(t, _ev[t]);
        }

        return new OptimiserReplayResult(
            new StrategyRun(StrategyNames.Optimiser, _flows, _bills) { EndSocKwh = ends[^1].SocKwh, EvShortKwh = car?.ShortKwh() ?? 0 },
            _decisions, _fallback.Count(f => f), immersion.Shortfalls(), PvSource, merged, segments, catchUpSlots);
    }

    /// <summary>
    /// Replans at slot <paramref name="t"/> from <paramref name="state"/>, carries the plan out and moves the state on;
    /// <paramref name="record"/>: as the slot's outcome (a warm-up only moves the state).
    /// </summary>
    private void Step(int t, ReplayState state, bool record, PriceEstimateErrors? errors)
    {
        var n = _history.Slots.Count;
        var h = BacktestHistory.SlotHours;
        var now = _history.Slots[t].Start;

        // The information rule: prices only as published by now; actuals only of slots before now.
        var knownUntil = TariffKnowledge.KnownUntilForPair(now, _zone, _history.ImportTariff, _history.ExportTariff);
        var known = Math.Clamp(_history.SlotAtOrAfter(knownUntil), t + 1, n);
        var from = Math.Max(0, known - PlanProblemBuilder.PriceMemorySlots);
        var prices = new KnownPrices(
            new PriceRun(_history.Slots[from].Start, _importPrices.AsMemory(from, known - from)),
            new PriceRun(_history.Slots[from].Start, _exportPrices.AsMemory(from, known - from)))
        {
            ImportTariff = _history.ImportTariff,
            ExportTariff = _history.ExportTariff,
        };
        var horizon = PlanProblemBuilder.Horizon(now, prices, n - t, _options.EstimatePrices, _zone);
        var count = horizon.Count;
        var end = t + count;
        var loadForecast = new double[count];
        var pvForecast = new double[count];
        if (_options.Oracle.HasFlag(ForecastOracle.Load))
        {
            _load.AsSpan(t, count).CopyTo(loadForecast);
        }
        else
        {
            _options.LoadForecaster.Forecast(_load.AsSpan(0, t), t, loadForecast);
        }

        if (_options.Oracle.HasFlag(ForecastOracle.Pv))
        {
            _pv.AsSpan(t, count).CopyTo(pvForecast);
        }
        else
        {
            _pvForecaster.Forecast(_pv.AsSpan(0, t), t, pvForecast);
        }

        var battery = _site.Battery;
        var built = PlanProblemBuilder.Build(horizon, prices, new PlanSituation
        {
            Start = now,
            Battery = battery with { SocKwh = state.SocKwh },
            Grid = _site.Grid,
            LoadKwh = loadForecast,
            PvKwh = pvForecast,
            Immersions = state.Immersion.ForHorizon(t, end),
            // At the history's end nothing follows: stored energy is worth nothing there (as for perfect foresight).
            Terminal = end == n ? TerminalValueRule.Fixed(0) : _options.Terminal,
            Zone = _zone,
            // Under the price oracle every slot's price is the published one, as if known already.
            PublishedLater = _options.Oracle.HasFlag(ForecastOracle.Prices) ? (_importPrices.AsMemory(known, end - known), _exportPrices.AsMemory(known, end - known)) : null,
        });
        errors?.Add(_history, known, built.EstimatedImport, built.EstimatedExport, _importPrices, _zone);
        var problem = built.Problem;
        // The car as the live cycle adds it: only the one plugged in now, with its need and deadline.
        if (state.Car?.ForPlan(t, count, foresight: false) is { } car)
        {
            problem = problem with { Ev = car };
        }

        var terminalValue = problem.TerminalValuePencePerKwh;
        var plan = _optimiser.Solve(problem, Scenarios(t, loadForecast, pvForecast));
        var usable = plan.Status is PlanStatus.Optimal or PlanStatus.Feasible && plan.Slots.Count > 0;

        // No usable plan: the safe default, and the immersion meets its minimum the simple way.
        var proposed = usable ? PlanCommandMapper.FromSlot(plan.Slots[0], h, _limits.ReserveSocPercent) : InverterCommand.SelfUse(_limits.ReserveSocPercent);
        var heat = new double[_site.Immersions.Count];
        for (var heater = 0; heater < heat.Length; heater++)
        {
            heat[heater] = usable ? plan.Slots[0].ImmersionKwh.GetValueOrDefault(_site.Immersions[heater].Id) : state.Immersion.GreedyKwh(t, heater);
            state.Immersion.Deliver(t, heater, heat[heater]);
        }

        // The car draws what the plan's first slot gives it (the live service sets evcc's current to it); with no usable
        // plan, evcc's own deadline plan is the live fail-safe, taken here as a dumb charger from plug-in.
        var ev = state.Car is not { } plugged ? 0 : usable ? plugged.Limit(t, plan.Slots[0].EvKwh ?? 0) : plugged.DumbDrawKwh(t);
        state.Car?.Deliver(t, ev);
        var command = state.Debouncer.Next(now, _limits.Apply(proposed, state.SocKwh / battery.CapacityKwh * 100));
        var slot = _history.Slots[t];
        var flows = SiteSimulator.Step(battery, _site.Grid, state.SocKwh, command, slot.LoadKwh, slot.PvKwh, heat.Sum(), h, ev);
        state.SocKwh = flows.SocAfterKwh;
        if (!record)
        {
            return;
        }

        _flows[t] = flows;
        _bills[t] = slot.BillPence(flows);
        _heat[t] = heat;
        _ev[t] = ev;
        _fallback[t] = !usable;
        _decisions[t] = new DecisionRecord(
            loadForecast[0], pvForecast[0], plan.Slots.Count > 0 ? plan.Slots[0].ImportKwh : double.NaN,
            plan.Slots.Count > 0 ? plan.Slots[0].SocKwh : double.NaN, count, horizon.Estimated, command,
            plan.Status.ToString(), terminalValue, plan.SolveMilliseconds)
        {
            // What the slot would have cost had the plan's own flows happened (the executed bill when no plan was usable).
            PlannedBillPence = usable ? plan.Slots[0].ImportKwh * slot.ImportPence - plan.Slots[0].ExportKwh * slot.ExportPence : _bills[t],
        };
    }

    /// <summary>
    /// The scenarios a replan at slot <paramref name="t"/> allows for: the point forecasts with the errors of the complete
    /// UTC days before t's day laid on them, as live (null when off, under an oracle, or with too few days).
    /// </summary>
    private ScenarioSet? Scenarios(int t, double[] loadForecast, double[] pvForecast)
    {
        var options = _options.Scenarios;
        if (options.Count < 2 || _options.Oracle != ForecastOracle.None)
        {
            return null;
        }

        var today = (t + _firstSlotOfDay) / SlotGrid.SlotsPerDay;
        var recent = new List<DayAheadError>(options.Days);
        for (var day = Math.Max(0, today - options.Days); day < today; day++)
        {
            if (_dayErrors[day].Value is { } error)
            {
                recent.Add(error);
            }
        }

        return ForecastScenarios.Build(loadForecast, pvForecast, (t + _firstSlotOfDay) % SlotGrid.SlotsPerDay, recent, options, out _);
    }

    /// <summary>What one replay hands from a slot to the next.</summary>
    private sealed class ReplayState
    {
        public required double SocKwh { get; set; }
        public required CommandDebouncer Debouncer { get; init; }
        public required ImmersionTasks Immersion { get; init; }
        public EvCharge? Car { get; init; }

        public static ReplayState Start(BacktestSite site, BacktestHistory history, TimeZoneInfo zone, BacktestOptions options) => new()
        {
            SocKwh = site.Battery.SocKwh,
            Debouncer = new CommandDebouncer(options.MinimumDwell, options.PowerHysteresisW),
            Immersion = new ImmersionTasks(site, history, zone),
            Car = EvCharge.For(history, site),
        };

        public StateBefore Snapshot(int t) =>
            new(SocKwh, Debouncer.Current, Debouncer.CurrentSince, Immersion.DeliveredInOpenWindows(t), Car?.DeliveredInOpenSession(t) ?? 0);

        /// <summary>
        /// Whether this state, before the slot starting at <paramref name="now"/>, leads to the same replay from there on
        /// as the state recorded there. The stored energy must be equal to the bit, the immersion heat delivered in
        /// windows still open equal, the car's energy in its session still open equal, and the debouncer must hold the same command, either since the same moment or
        /// both for at least its dwell (from then on the dwell no longer holds anything back).
        /// </summary>
        public bool AgreesWith(StateBefore recorded, DateTimeOffset now, int t) =>
            SocKwh == recorded.SocKwh
            && Equals(Debouncer.Current, recorded.Command)
            && (Debouncer.CurrentSince == recorded.Since
                || (now - Debouncer.CurrentSince >= Debouncer.MinimumDwell && now - recorded.Since >= Debouncer.MinimumDwell))
            && Immersion.DeliveredInOpenWindows(t).AsSpan().SequenceEqual(recorded.OpenWindowsKwh)
            && (Car?.DeliveredInOpenSession(t) ?? 0) == recorded.OpenSessionKwh;
    }

    /// <summary>A replay's state as it stood before a slot.</summary>
    private sealed record StateBefore(double SocKwh, InverterCommand? Command, DateTimeOffset Since, double[] OpenWindowsKwh, double OpenSessionKwh);
}

/// <summary>The optimiser strategy's replay, and how it was cut: segments replayed in parallel, slots replayed again to catch up.</summary>
internal sealed record OptimiserReplayResult(
    StrategyRun Run, DecisionRecord[] Decisions, int Fallbacks, int Shortfalls, string PvSource, PriceEstimateErrors? Errors,
    int Segments, int CatchUpSlots);
