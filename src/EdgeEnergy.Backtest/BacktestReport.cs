using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Control.Forecasting;

namespace EdgeEnergy.Backtest;

/// <summary>REPORT.json and TRACE.csv of docs/contracts.md section 3, plus the extra figures a person wants next to them.</summary>
public static class BacktestReport
{
    /// <summary>Forecast skill by lead time: MAE and bias (actual − forecast) in kWh per slot.</summary>
    private static JsonArray Skill(IReadOnlyList<ForecastSkill> skills) => new([.. skills.Select(s => (JsonNode)new JsonObject
    {
        ["forecaster"] = s.Forecaster,
        ["maeKwh"] = Round(s.MaeKwh, 5),
        ["byLead"] = new JsonArray([.. s.ByLead.Select(b => (JsonNode)new JsonObject
        {
            ["fromHours"] = b.FromHours, ["toHours"] = b.ToHours, ["maeKwh"] = Round(b.MaeKwh, 5), ["biasKwh"] = Round(b.BiasKwh, 5), ["slots"] = b.Slots,
        })]),
    })]);

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The report: the contract's fields (<c>from</c>, <c>to</c>, <c>slots</c>, <c>strategies</c>,
    /// <c>savingsCapturePercent</c>, <c>elapsedSeconds</c>) and, added, the ratio against the rules strategy, the
    /// rules' text, forecast scores and solver statistics.
    /// </summary>
    public static string ToJson(BacktestResult result, double elapsedSeconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        var slots = result.History.Slots;
        var strategies = new JsonObject();
        foreach (var name in new[] { StrategyNames.None, StrategyNames.Rules, StrategyNames.Optimiser, StrategyNames.Perfect })
        {
            var run = result.Strategies[name];
            strategies[name] = new JsonObject
            {
                ["billPence"] = Round(run.TotalBillPence, 4),
                ["importKwh"] = Round(run.ImportKwh, 4),
                ["exportKwh"] = Round(run.ExportKwh, 4),
                ["batteryThroughputKwh"] = Round(run.BatteryThroughputKwh, 4),
                ["endSocKwh"] = Round(run.EndSocKwh, 4),
                ["savingsPence"] = Round(result.Strategies[StrategyNames.None].TotalBillPence - run.TotalBillPence, 4),
            };
            if (result.History.HasEv)
            {
                // Only with a car, so that a car-less report stays exactly as docs/contracts.md section 3 has it.
                var strategy = strategies[name]!.AsObject();
                strategy["evKwh"] = Round(run.EvKwh, 4);
                strategy["evCostPence"] = Round(run.EvCostPence(result.History), 4);
                strategy["evShortKwh"] = Round(run.EvShortKwh, 4);
            }
        }

        var solve = result.Decisions.Select(d => d.SolveMilliseconds).Order().ToArray();
        var report = new JsonObject
        {
            ["from"] = slots[0].Start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", s_inv),
            ["to"] = slots[^1].Start.AddMinutes(BacktestHistory.SlotMinutes).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", s_inv),
            ["slots"] = slots.Count,
            ["strategies"] = strategies,
            ["savingsCapturePercent"] = Round(result.SavingsCapturePercent, 3),
            ["elapsedSeconds"] = Round(elapsedSeconds, 3),
            ["savingsRatioVsRules"] = Round(result.SavingsRatioVsRules, 4),
            ["rulesCapturePercent"] = Round(result.Capture(StrategyNames.Rules), 3),
            ["rules"] = result.RulesDescription,
            ["pvForecastSource"] = result.PvForecastSource,
            ["loadForecastDayAheadMaeKwh"] = new JsonArray([.. result.LoadForecastScores.Select(s => (JsonNode)new JsonObject
            {
                ["forecaster"] = s.Forecaster, ["maeKwh"] = Round(s.MaeKwh, 5), ["biasKwh"] = Round(s.BiasKwh, 5),
                ["errorP10Kwh"] = Round(s.ErrorP10Kwh, 5), ["errorP90Kwh"] = Round(s.ErrorP90Kwh, 5), ["slots"] = s.Slots,
            })]),
            ["pvForecastSkill"] = Skill(result.PvForecastSkill),
            ["loadForecastSkill"] = Skill(result.LoadForecastSkill),
            ["optimiser"] = new JsonObject
            {
                ["replans"] = result.Decisions.Count,
                ["fallbackPlans"] = result.FallbackPlans,
                ["immersionShortfalls"] = result.ImmersionShortfalls,
                ["seconds"] = Round(result.OptimiserSeconds, 3),
                ["segments"] = result.OptimiserSegments,
                ["catchUpReplans"] = result.CatchUpSlots,
                ["solveMillisecondsMean"] = Round(solve.Length == 0 ? 0 : solve.Average(), 4),
                ["solveMillisecondsMedian"] = Round(solve.Length == 0 ? 0 : solve[solve.Length / 2], 4),
                ["solveMillisecondsP95"] = Round(solve.Length == 0 ? 0 : solve[(int)(0.95 * (solve.Length - 1))], 4),
                ["solveMillisecondsMax"] = Round(solve.Length == 0 ? 0 : solve[^1], 4),
                ["plansNotProvenOptimal"] = result.Decisions.Count(d => d.PlanStatus != "Optimal"),
                ["perfectWindowsNotProvenOptimal"] = result.PerfectWindowsNotProvenOptimal,
                ["pricesEstimatedSlotsPlanned"] = result.Decisions.Sum(d => d.EstimatedSlots),
            },
        };
        if (result.Attribution is { } a)
        {
            report["attribution"] = new JsonObject
            {
                ["loadForecastPence"] = Round(a.LoadForecastPence, 4),
                ["pvForecastPence"] = Round(a.PvForecastPence, 4),
                ["pricesPence"] = Round(a.PricesPence, 4),
                ["horizonPence"] = Round(a.HorizonPence, 4),
                ["executionPence"] = Round(a.ExecutionPence, 4),
            };
        }

        if (result.LoadModel is { } model)
        {
            var periods = model.Choices;
            var times = model.TrainingMilliseconds;
            report["loadModel"] = new JsonObject
            {
                ["forecaster"] = model.Name,
                ["periods"] = periods.Count,
                ["periodsOnModel"] = periods.Count(c => c.Choice.UseModel),
                ["periodsFailed"] = periods.Count(c => c.Choice.Failed),
                ["trainings"] = times.Count,
                ["trainingMillisecondsMean"] = Round(times.Count == 0 ? 0 : times.Average(), 1),
                ["trainingMillisecondsMax"] = Round(times.Count == 0 ? 0 : times.Max(), 1),
                ["rejectedForecasts"] = model.RejectedForecasts,
                ["choices"] = new JsonArray([.. periods.Select(c => (JsonNode)new JsonObject
                {
                    ["from"] = slots[Math.Min(c.AtSlot, slots.Count - 1)].Start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", s_inv),
                    ["useModel"] = c.Choice.UseModel,
                    ["reason"] = c.Choice.Reason,
                })]),
            };
        }

        if (result.PriceEstimateErrors is { } e)
        {
            report["priceEstimateMaePence"] = new JsonObject
            {
                ["import"] = Round(e.ImportMae, 4),
                ["export"] = Round(e.ExportMae, 4),
                ["naiveImport"] = Round(e.NaiveImportMae, 4),
                ["importByLocalHour"] = new JsonArray([.. e.ImportMaeByHour.Select(v => (JsonNode?)Round(v, 3))]),
                ["exportByLocalHour"] = new JsonArray([.. e.ExportMaeByHour.Select(v => (JsonNode?)Round(v, 3))]),
                ["naiveImportByLocalHour"] = new JsonArray([.. e.NaiveImportMaeByHour.Select(v => (JsonNode?)Round(v, 3))]),
                ["slotsByLocalHour"] = new JsonArray([.. e.Count.Select(v => (JsonNode?)JsonValue.Create(v))]),
            };
        }

        return report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonValue? Round(double v, int digits) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, digits)) : null;

    public const string TraceHeader = "slot_start_utc,import_kwh,export_kwh,charge_kwh,discharge_kwh,pv_used_kwh,soc_kwh,immersion_kwh,bill_pence";

    /// <summary>
    /// TRACE.csv of a strategy, one row per slot; <c>soc_kwh</c> is the stored energy at the end of the slot and
    /// <c>bill_pence</c> the slot's own bill (import·import price − export·export price), so the rows sum to billPence.
    /// With the history's EV columns a last column <c>ev_kwh</c> holds the car's draw; without them the columns are
    /// the contract's.
    /// </summary>
    public static void WriteTrace(TextWriter writer, BacktestHistory history, StrategyRun run)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(run);
        writer.Write(TraceHeader);
        writer.Write(history.HasEv ? ",ev_kwh\n" : "\n");
        var line = new StringBuilder(128);
        for (var t = 0; t < history.Slots.Count; t++)
        {
            var f = run.Flows[t];
            line.Clear();
            line.Append(history.Slots[t].Start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", s_inv));
            foreach (var v in (ReadOnlySpan<double>)[f.ImportKwh, f.ExportKwh, f.ChargeKwh, f.DischargeKwh, f.PvUsedKwh, f.SocAfterKwh, f.ImmersionKwh, run.BillPence[t]])
            {
                Cell(v);
            }

            if (history.HasEv)
            {
                Cell(f.EvKwh);
            }

            writer.Write(line);
            writer.Write('\n');
        }

        void Cell(double v) => line.Append(',').Append(Math.Round(v, 9).ToString("0.#########", s_inv));
    }
}
