using EdgeEnergy.Control.Policy;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// The bills of <c>edgeenergy report</c> (docs/contracts.md section 5, issue 16 §2), each day on its own from the measured
/// state of charge at its start. Pure: the store's contents come in as values (<see cref="BillReportInput"/>).
/// <list type="bullet">
/// <item>actual: the metered half hours (<see cref="Metering"/>) × the billed rates.</item>
/// <item>the plant model: <see cref="CalibratedPlant"/>, fitted once over the report's days. The incumbent's measured
/// battery flows replayed through it against the metered bill give the error bar: Σ over half hours of |replayed −
/// metered bill| + |replayed − measured end-of-day energy| × the stored value of energy.</item>
/// <item>edgeEnergy: on a shadow (or mixed) day, the plan in force in each half hour (as stored then) carried out through the live
/// mapping (<see cref="PlanCommandMapper"/>, <see cref="CommandDebouncer"/>, <see cref="HardLimits"/>) and the plant
/// model minute by minute on the measured load and solar; on an active day, the metered bill. A day's mode is the one
/// the service recorded for it (<see cref="BillReportInput.DayModes"/>), else <see cref="BillReportInput.Mode"/>. Its error bar adds to that
/// residual twice the standard deviation of its end-of-day energy left by the fit's uncertainty (<see cref="CalibratedPlant.Covariance"/>).</item>
/// <item>no battery: the battery held, same plant and day. perfect: one plan over the day with the measured load and
/// solar and the billed prices, carried out the same way.</item>
/// <item>causes: the stored plan problems solved again at each new plan with the day's measured load, then also solar,
/// then also the billed prices in place of their forecasts (sequential replays, as the backtest's attribution); the
/// last replay's bill against its plans' own first-slot bills is execution, its rest to perfect is horizon.</item>
/// </list>
/// Counterfactual bills are valued at the measured end-of-day energy: (end − measured end) × the next day's stored value
/// of energy (the terminal value of the first stored plan after midnight) is taken off the bill. The measured load
/// includes the immersion heat the household got, so every counterfactual delivers the same heat at the same times.
/// </summary>
public sealed class BillReportEngine(IScheduleOptimiser optimiser)
{
    private const double H = Metering.SlotHours;
    private const double MinuteHours = 1 / 60.0;

    private readonly IScheduleOptimiser _optimiser = optimiser ?? throw new ArgumentNullException(nameof(optimiser));

    public BillReport Run(BillReportInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dates = new List<DateOnly>();
        for (var date = input.From; date <= input.To; date = date.AddDays(1))
        {
            dates.Add(date);
        }

        var metered = dates.Select(date =>
        {
            var start = input.DayStart(date);
            var slots = (int)Math.Round((input.DayStart(date.AddDays(1)) - start).TotalMinutes / Metering.SlotMinutes);
            return Metering.Measure(start, slots, input.Telemetry, input.Battery.CapacityKwh);
        }).ToArray();
        var plant = CalibratedPlant.Calibrate(input.Battery, input.Grid, metered.Where(d => !d.Unmetered.Any()));
        var import = input.ImportRates.GroupBy(r => r.StartUtc).ToDictionary(g => g.Key, g => g.Last().Pence);
        var export = input.ExportRates.GroupBy(r => r.StartUtc).ToDictionary(g => g.Key, g => g.Last().Pence);
        var days = new List<BillReportDay>(dates.Count);
        for (var i = 0; i < dates.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var mode = input.ModeOn(dates[i]);
            // Independent of the day's own completeness: the billed truth is worth having on a day without plans.
            var billed = input.Billed is { } meters ? BilledComparison.Of(metered[i], meters, import, export) : null;
            var day = Prepare(input, dates[i], metered[i], import, export, out var reason);
            if (day is null)
            {
                days.Add(new BillReportDay(dates[i], reason) { Mode = mode, Billed = billed });
                continue;
            }

            try
            {
                days.Add(new DayReplays(this, input, plant, day, import, export).Report(mode, cancellationToken) with { Billed = billed });
            }
            catch (InvalidOperationException e)
            {
                days.Add(new BillReportDay(dates[i], e.Message) { Mode = mode, Billed = billed });
            }
        }

        var report = new BillReport(input.Mode, input.From, input.To, days, plant);
        return input.AbSchedule.Enabled ? report with { Ab = AbComparison.Of(days, input.AbSchedule) } : report;
    }

    /// <summary>A day with everything the report needs, or null and the reason it is incomplete.</summary>
    private static DayData? Prepare(
        BillReportInput input, DateOnly date, MeteredDay metered, Dictionary<DateTimeOffset, double> import, Dictionary<DateTimeOffset, double> export, out string? reason)
    {
        reason = null;
        var unmetered = metered.Unmetered.ToList();
        if (unmetered.Count > 0)
        {
            reason = $"telemetry: {unmetered.Count} of {metered.Slots.Count} half hours have fewer than {Metering.MinimumMinutes} of 30 minutes sampled "
                + $"(first {Iso(unmetered[0].Start)}; minute telemetry older than Storage:TelemetryMinuteRetentionDays is kept only as 30-minute averages)";
            return null;
        }

        if (metered.Slots[0].SocStartKwh is not { } startSoc || metered.EndSocKwh is not { } endSoc)
        {
            reason = "telemetry: the state of charge at the day's start or end is not measured";
            return null;
        }

        foreach (var (rates, kind) in new[] { (import, "import"), (export, "export") })
        {
            var missing = metered.Slots.Where(s => !rates.ContainsKey(s.Start)).ToList();
            if (missing.Count > 0)
            {
                reason = $"prices: no billed {kind} rate for {missing.Count} half hours (first {Iso(missing[0].Start)})";
                return null;
            }
        }

        var slots = metered.Slots.Select(s => new HistorySlot(s.Start, import[s.Start], export[s.Start], s.LoadKwh, s.PvKwh, null)).ToArray();
        var inForce = new PlanRecord?[slots.Length];
        for (var t = 0; t < slots.Length; t++)
        {
            inForce[t] = PlanInForce(input, slots[t].Start);
        }

        var uncovered = Enumerable.Range(0, slots.Length).Where(t => inForce[t] is null).ToList();
        if (uncovered.Count > 0)
        {
            reason = $"plans: no usable stored plan in force for {uncovered.Count} half hours (first {Iso(slots[uncovered[0]].Start)}; "
                + $"a plan is in force from its creation until it is {input.PlanMaxAge.TotalMinutes:0} minutes old)";
            return null;
        }

        var end = metered.Start.AddMinutes(Metering.SlotMinutes * slots.Length);
        var valued = input.Plans.FirstOrDefault(p => p.CreatedUtc >= end) ?? inForce[^1]!;
        return new DayData(date, slots, [.. metered.Slots], metered, inForce!, startSoc, endSoc, valued.Problem.TerminalValuePencePerKwh);
    }

    /// <summary>
    /// The decision as made for the half hour from <paramref name="slotStart"/>: the newest usable stored plan created by
    /// <see cref="DecisionLead"/> into it (the live service replans every few minutes), not older than the plan age limit
    /// there, whose slots include it.
    /// </summary>
    private static PlanRecord? PlanInForce(BillReportInput input, DateTimeOffset slotStart)
    {
        var by = slotStart + DecisionLead;
        for (var i = input.Plans.Count - 1; i >= 0; i--)
        {
            var record = input.Plans[i];
            if (record.CreatedUtc > by)
            {
                continue;
            }

            if (by - record.CreatedUtc > input.PlanMaxAge + DecisionLead)
            {
                return null;
            }

            if (record.Plan.Status is PlanStatus.Optimal or PlanStatus.Feasible && SlotIndex(record, slotStart) >= 0)
            {
                return record;
            }
        }

        return null;
    }

    /// <summary>How far into a half hour a plan may be made and still be the one that half hour followed.</summary>
    public static readonly TimeSpan DecisionLead = TimeSpan.FromMinutes(5);

    private static int SlotIndex(PlanRecord record, DateTimeOffset slotStart)
    {
        var k = (int)Math.Round((slotStart - record.Problem.Start).TotalMinutes / record.Problem.SlotMinutes);
        return k >= 0 && k < record.Plan.Slots.Count && record.Problem.SlotStart(k) == slotStart ? k : -1;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A complete day: billed slots with the measured load and solar, the plan in force per slot, the measured
    /// stored energy at its start and end (kWh) and the value of a kWh at its end (pence).</summary>
    private sealed record DayData(
        DateOnly Date, HistorySlot[] Slots, MeteredSlot[] Metered, MeteredDay Minutes, PlanRecord[] InForce, double StartSocKwh, double EndSocKwh, double ValuePencePerKwh);

    /// <summary>The replays of one day through the plant model.</summary>
    private sealed class DayReplays(
        BillReportEngine engine, BillReportInput input, CalibratedPlant plant, DayData day,
        Dictionary<DateTimeOffset, double> import, Dictionary<DateTimeOffset, double> export)
    {
        private readonly HardLimits _limits = HardLimits.For(plant.Battery, plant.Grid);

        public BillReportDay Report(string mode, CancellationToken cancellationToken)
        {
            var actual = Enumerable.Range(0, day.Slots.Length).Sum(Metered);

            // The incumbent's measured battery flows through the model: how well the model tells the metered bill.
            var incumbent = Simulate(plant.Physical, (minute, _) => Measured(day.Minutes.BatteryKw[minute]));
            var residual = incumbent.Bills.Select((bill, t) => Math.Abs(bill - Metered(t))).Sum()
                + (Math.Abs(incumbent.EndSocKwh - day.EndSocKwh) * day.ValuePencePerKwh);

            var none = Simulate(plant.Battery, (_, _) => InverterCommand.Hold(_limits.ReserveSocPercent)).Bills.Sum();
            var stored = Follow((t, _) => Stored(day.InForce[t], t));
            var asMade = stored.Adjusted;
            // The error bar: the model's residual on what the plant did, plus twice the standard deviation of the
            // counterfactual's end-of-day energy that the fit's own uncertainty leaves, at the stored value.
            var errorBar = residual + (2 * day.ValuePencePerKwh
                * plant.EnergyUncertaintyKwh(stored.Run.ChargeKwh, stored.Run.DischargeKwh, day.Slots.Length * H));
            var edgeEnergy = mode == ControlModes.Active ? actual : asMade;
            var load = Follow(Resolving(ForecastOracle.Load, cancellationToken)).Adjusted;
            var loadPv = Follow(Resolving(ForecastOracle.Load | ForecastOracle.Pv, cancellationToken)).Adjusted;
            var all = Follow(Resolving(ForecastOracle.Load | ForecastOracle.Pv | ForecastOracle.Prices, cancellationToken));
            var perfectPlan = Perfect(cancellationToken);
            var perfect = Follow((t, _) => perfectPlan.Slots[t]).Adjusted;
            var execution = all.Run.Bills.Select((bill, t) => bill - all.PlannedBills[t]).Sum();
            return new BillReportDay(day.Date, null)
            {
                Mode = mode,
                ActualBillPence = actual,
                NoBatteryBillPence = none,
                EdgeEnergyBillPence = edgeEnergy,
                EdgeEnergyErrorBarPence = errorBar,
                PerfectBillPence = perfect,
                Causes = new Attribution(edgeEnergy - load, load - loadPv, loadPv - all.Adjusted, all.Adjusted - perfect - execution, execution),
                IncumbentReplayBillPence = incumbent.Bills.Sum(),
            };
        }

        private double Metered(int t) => (day.Metered[t].ImportKwh * day.Slots[t].ImportPence) - (day.Metered[t].ExportKwh * day.Slots[t].ExportPence);

        /// <summary>The incumbent's measured battery power in a minute as a command: forced at that power, or held.</summary>
        private static InverterCommand Measured(double batteryKw) =>
            Math.Abs(batteryKw) < 1e-6 ? InverterCommand.Hold(0)
                : batteryKw > 0 ? InverterCommand.ForceDischarge(batteryKw * 1000, 0) : InverterCommand.ForceCharge(-batteryKw * 1000, 0);

        /// <summary>
        /// Commands through the plant model minute by minute on the measured minutes of load and solar (so a capped
        /// discharge or a battery reaching its reserve inside a half hour comes out as it would). <paramref name="choose"/>
        /// gets the minute of the day and the stored energy; the bills are per half hour.
        /// </summary>
        private Replay Simulate(BatterySpec battery, Func<int, double, InverterCommand> choose)
        {
            var bills = new double[day.Slots.Length];
            var soc = day.StartSocKwh;
            double charge = 0, discharge = 0;
            for (var minute = 0; minute < day.Minutes.LoadKw.Length; minute++)
            {
                var slot = day.Slots[minute / Metering.SlotMinutes];
                var flows = plant.Step(battery, soc, choose(minute, soc), day.Minutes.LoadKw[minute] * MinuteHours, day.Minutes.PvKw[minute] * MinuteHours, MinuteHours);
                bills[minute / Metering.SlotMinutes] += slot.BillPence(flows);
                soc = flows.SocAfterKwh;
                (charge, discharge) = (charge + flows.ChargeKwh, discharge + flows.DischargeKwh);
            }

            return new Replay(bills, soc) { ChargeKwh = charge, DischargeKwh = discharge };
        }

        /// <summary>Plan slots carried out as live: mapper, hard limits, anti-flapping, then the plant model. Also each
        /// plan slot's own bill, and the run's bill valued at the measured end-of-day energy.</summary>
        private (Replay Run, double[] PlannedBills, double Adjusted) Follow(Func<int, double, PlanSlot> plan)
        {
            var planned = new double[day.Slots.Length];
            var debouncer = new CommandDebouncer(input.MinimumDwell, input.PowerHysteresisW);
            InverterCommand? command = null;
            var run = Simulate(plant.Battery, (minute, soc) =>
            {
                var t = minute / Metering.SlotMinutes;
                if (minute % Metering.SlotMinutes == 0)
                {
                    // The half hour's decision, taken at its start from the stored energy then.
                    var q = plan(t, soc);
                    planned[t] = (q.ImportKwh * day.Slots[t].ImportPence) - (q.ExportKwh * day.Slots[t].ExportPence);
                    command = debouncer.Next(day.Slots[t].Start, _limits.Apply(PlanCommandMapper.FromSlot(q, H, _limits.ReserveSocPercent), soc / plant.Battery.CapacityKwh * 100));
                }

                return command!;
            });
            return (run, planned, run.Bills.Sum() - ((run.EndSocKwh - day.EndSocKwh) * day.ValuePencePerKwh));
        }

        private static PlanSlot Stored(PlanRecord record, DateTimeOffset slotStart) => record.Plan.Slots[SlotIndex(record, slotStart)];

        private PlanSlot Stored(PlanRecord record, int t) => Stored(record, day.Slots[t].Start);

        /// <summary>
        /// The stored plans solved again, each from the half hour it first governs and the replay's stored energy then,
        /// with the forecasts <paramref name="oracle"/> names replaced by what the day measured (slots past the day keep
        /// theirs) and without immersion tasks (the measured load holds the heat delivered). A problem that no longer
        /// solves keeps the stored plan.
        /// </summary>
        private Func<int, double, PlanSlot> Resolving(ForecastOracle oracle, CancellationToken cancellationToken)
        {
            PlanRecord? current = null;
            Plan? plan = null;
            var from = 0;
            return (t, soc) =>
            {
                var record = day.InForce[t];
                if (!ReferenceEquals(record, current))
                {
                    (current, plan, from) = (record, Resolve(record, t, soc, oracle, cancellationToken), t);
                }

                return plan is not null && t - from < plan.Slots.Count ? plan.Slots[t - from] : Stored(record, t);
            };
        }

        private Plan? Resolve(PlanRecord record, int t, double soc, ForecastOracle oracle, CancellationToken cancellationToken)
        {
            var problem = record.Problem;
            var offset = SlotIndex(record, day.Slots[t].Start);
            var slots = problem.Slots.Skip(offset).Select((s, j) =>
            {
                var u = t + j;
                var start = problem.SlotStart(offset + j);
                var inDay = u < day.Slots.Length;
                var billed = oracle.HasFlag(ForecastOracle.Prices) && import.TryGetValue(start, out var importPence) && export.TryGetValue(start, out var exportPence)
                    ? (importPence, exportPence) : ((double, double)?)null;
                return s with
                {
                    LoadKwh = inDay && oracle.HasFlag(ForecastOracle.Load) ? day.Slots[u].LoadKwh : s.LoadKwh,
                    PvKwh = inDay && oracle.HasFlag(ForecastOracle.Pv) ? day.Slots[u].PvKwh : s.PvKwh,
                    ImportPence = billed?.Item1 ?? s.ImportPence,
                    ExportPence = billed?.Item2 ?? s.ExportPence,
                    PricesEstimated = billed is null && s.PricesEstimated,
                };
            }).ToArray();
            var resolved = engine._optimiser.Solve(problem with
            {
                Start = day.Slots[t].Start,
                Battery = problem.Battery with { SocKwh = Math.Clamp(soc, 0, problem.Battery.CapacityKwh) },
                Immersions = [],
                Slots = slots,
            }, cancellationToken);
            return resolved.Status is PlanStatus.Optimal or PlanStatus.Feasible && resolved.Slots.Count > 0 ? resolved : null;
        }

        /// <summary>Perfect foresight over the day: measured load and solar, billed prices, the calibrated battery, the
        /// end-of-day energy at the stored value.</summary>
        private Plan Perfect(CancellationToken cancellationToken)
        {
            var plan = engine._optimiser.Solve(new PlanProblem
            {
                Start = day.Slots[0].Start,
                SlotMinutes = Metering.SlotMinutes,
                Battery = plant.Battery with { SocKwh = day.StartSocKwh },
                Grid = plant.Grid,
                TerminalValuePencePerKwh = day.ValuePencePerKwh,
                Slots = [.. day.Slots.Select(s => new SlotInput { ImportPence = s.ImportPence, ExportPence = s.ExportPence, LoadKwh = s.LoadKwh, PvKwh = s.PvKwh })],
            }, cancellationToken);
            return plan.Status is PlanStatus.Optimal or PlanStatus.Feasible && plan.Slots.Count == day.Slots.Length
                ? plan
                : throw new InvalidOperationException($"perfect foresight over the day could not be solved: {plan.Status}: {plan.Reason}");
        }
    }

    /// <summary>One replay: each half hour's bill (pence) and the stored energy at the end (kWh).</summary>
    private sealed record Replay(double[] Bills, double EndSocKwh)
    {
        /// <summary>Energy into and out of the battery over the run (kWh, AC side).</summary>
        public double ChargeKwh { get; init; }

        public double DischargeKwh { get; init; }
    }
}
