using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Forecasting.Ml;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy backtest --history FILE.csv --site SITE.json [--out REPORT.json] [--trace TRACE.csv]</c>
/// (docs/contracts.md section 3): replays the history against the four strategies; REPORT.json on stdout unless --out,
/// a progress bar and a summary on stderr.
/// </summary>
internal static class BacktestCommand
{
    /// <summary>The load forecasts --load-forecast can name, given the history's first slot and the site's time zone.</summary>
    private static readonly Dictionary<string, Func<DateTimeOffset, TimeZoneInfo, ISlotForecaster>> s_loadForecasters = new(StringComparer.Ordinal)
    {
        ["blended"] = (_, _) => ProductLoadForecaster.Create(),
        ["blended-nowcast"] = (_, _) => new NowcastForecaster(new BlendedLoadForecaster()),
        ["learned"] = (origin, zone) => new LearnedLoadForecaster(new FastTreeLoadModelTrainer(), origin, zone),
        ["mean7"] = (_, _) => new RecentDaysMeanForecaster(7),
        ["persistence"] = (_, _) => new PersistenceForecaster(),
        ["weekday"] = (_, _) => new WeekdayAverageForecaster(),
    };

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var history = new Option<string>("--history") { Description = "History CSV: slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh[,pv_forecast_kwh]. Required unless --fleet." };
        var site = new Option<string>("--site") { Description = "SITE.json: battery (socKwh = start state), grid, immersions with daily local windows, timezone. Required unless --fleet." };
        var output = new Option<string?>("--out") { Description = "Write REPORT.json here (default: stdout); with --fleet, the folder for each home's <home_id>.report.json." };
        var fleet = new Option<string?>("--fleet") { Description = "MANIFEST.csv (home_id,history,site[,tariff[,region]]): backtest each home of the shard into --out DIR; 'backtest merge' sums them." };
        var prices = new Option<string?>("--prices") { Description = "With --fleet and a tariff column: read the tariffs' rates from Octopus-shaped files in this directory (as tariffs compare's --prices) instead of the Octopus API." };
        var region = new Option<string>("--region") { Description = "With --fleet and a tariff column: the GSP region letter of homes whose region field is empty.", DefaultValueFactory = _ => "C" };
        var baseUrl = new Option<string>("--base-url") { Description = "With --fleet and a tariff column, without --prices: the Octopus API root.", DefaultValueFactory = _ => new Adapters.Http.Octopus.OctopusOptions().BaseUrl };
        var shard = new Option<string>("--shard") { Description = "With --fleet: shard I/N, every N-th manifest row from the I-th (I from 0, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX).", DefaultValueFactory = _ => "0/1" };
        var trace = new Option<string?>("--trace") { Description = "Write the optimiser strategy's TRACE.csv here." };
        var chart = new Option<string?>("--chart") { Description = "Write an SVG chart of one week (plan vs actual, prices, state of charge) here." };
        var chartFrom = new Option<DateOnly?>("--chart-from") { Description = "First day (UTC date) of the charted week; default: the history's first full week." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only replay slots from this UTC time." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only replay slots before this UTC time." };
        var mipSolver = new Option<string>("--mip-solver")
        {
            Description = "Backend after the branch and bound for the mixed-integer stage: SCIP or CBC (OR-Tools, within --mip-time-limit), or none: the branch and bound's best plan stands, so the report is the same on any machine under any load. The live service, with minutes per replan, uses SCIP.",
            DefaultValueFactory = _ => OptimiserOptions.NoMipBackend,
        };
        mipSolver.AcceptOnlyFromAmong("SCIP", "CBC", OptimiserOptions.NoMipBackend);
        var bbNodes = new Option<int>("--bb-nodes")
        {
            Description = "Nodes our GLOP branch and bound may open before the mixed-integer backend takes over (0: straight to the backend).",
            DefaultValueFactory = _ => OptimiserOptions.ReplayBranchAndBoundNodes,
        };
        bbNodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 100_000)
            {
                r.AddError("--bb-nodes must be between 0 and 100000");
            }
        });
        var mipLimit = new Option<double>("--mip-time-limit")
        {
            Description = "Seconds the optimiser strategy's mixed-integer backend may take per replan, with --mip-solver SCIP or CBC (perfect foresight keeps 10 s).",
            DefaultValueFactory = _ => 0.5,
        };
        mipLimit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 60))
            {
                r.AddError("--mip-time-limit must be between 0 and 60 seconds");
            }
        });
        var terminal = new Option<string>("--terminal")
        {
            Description = "Value of energy left at the horizon's end: late (cheapest price of the horizon's last 8 h × discharge efficiency), median, learned (from the price history: the lower of next day's refill cost and use value), learned-low (refill × discharge efficiency), or fixed:N (p/kWh).",
            DefaultValueFactory = _ => "learned",
        };
        var estimate = new Option<string>("--estimate-prices")
        {
            Description = "on: before 16:00 UK plan on to 23:00 tomorrow with prices estimated from history; off: published prices only.",
            DefaultValueFactory = _ => "on",
        };
        estimate.AcceptOnlyFromAmong("on", "off");
        var loadForecast = new Option<string>("--load-forecast")
        {
            Description = "The optimiser strategy's load forecast: blended (the product's), learned (the blend corrected by a FastTree model retrained weekly on the history before each moment, used only while it wins its walk-forward validation), blended-nowcast (the blend corrected by the last half hour's error, fading over 2 h), mean7 (same slot, mean of the last 7 days: the naive baseline), persistence (same slot yesterday) or weekday (same weekday, last 4 weeks).",
            DefaultValueFactory = _ => "blended",
        };
        loadForecast.AcceptOnlyFromAmong([.. s_loadForecasters.Keys]);
        var oracle = new Option<string>("--oracle")
        {
            Description = "Diagnostics: plan with the actual future load, solar or both instead of forecasts (not achievable; measures what each forecast costs).",
            DefaultValueFactory = _ => "none",
        };
        oracle.AcceptOnlyFromAmong("none", "load", "pv", "load+pv");
        var scenarios = new Option<int>("--scenarios")
        {
            Description = "Scenarios of load and solar each plan allows for, drawn from the last 14 days' forecast errors (0: plan on the point forecast alone, as before issue 15).",
            DefaultValueFactory = _ => new ScenarioOptions().Count,
        };
        scenarios.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 50 or 1)
            {
                r.AddError("--scenarios must be 0 (off) or between 2 and 50");
            }
        });
        var sharedSlots = new Option<int>("--shared-slots")
        {
            Description = "Half hours at the start of each plan whose decisions all scenarios share (2: the next hour).",
            DefaultValueFactory = _ => new ScenarioOptions().SharedSlots,
        };
        sharedSlots.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 96)
            {
                r.AddError("--shared-slots must be between 1 and 96");
            }
        });
        var threads = new Option<int>("--threads")
        {
            Description = "Threads to use; the results do not depend on it (1: every strategy and every replan on one thread).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 256)
            {
                r.AddError("--threads must be between 1 and 256");
            }
        });
        var attribution = new Option<bool>("--attribution")
        {
            Description = "Also split the optimiser's gap to perfect foresight by cause (load forecast, solar forecast, prices, horizon, execution) into REPORT.json's attribution: three more replays, about four times the time.",
        };
        var scheduledLoad = new Option<string>("--scheduled-load")
        {
            Description = "auto (as live Control:ScheduledLoad): a recurring big load learned from the history (a car on a charging timer) is taken out of the house load the load forecast learns from and its expected energy added back; off: the load as it is.",
            DefaultValueFactory = _ => new ControlOptions().ScheduledLoad,
        };
        scheduledLoad.AcceptOnlyFromAmong(ControlOptions.ScheduledLoadAuto, ControlOptions.ScheduledLoadOff);
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar or summary on stderr." };
        var command = new Command("backtest", "Replays a history of prices, load and solar against four strategies (none, rules, optimiser, perfect) and reports the bills.");
        foreach (var o in new Option[] { history, site, output, trace, chart, chartFrom, from, to, mipSolver, mipLimit, bbNodes, terminal, estimate, loadForecast, scheduledLoad, oracle, scenarios, sharedSlots, attribution, threads, quiet, fleet, shard, prices, region, baseUrl })
        {
            command.Options.Add(o);
        }

        command.Subcommands.Add(FleetBacktest.CreateMerge());
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(fleet) is { } manifest)
            {
                return Task.FromResult(FleetBacktest.Run(manifest, parse.GetValue(shard)!, parse.GetValue(output), parse.GetValue(history), parse.GetValue(site),
                    parse.GetValue(trace) ?? parse.GetValue(chart), new TariffRatesSource(parse.GetValue(prices), parse.GetValue(region)!, parse.GetValue(baseUrl)!),
                    (homeHistory, homeSite, reportPath, reprice) => RunHome(parse, homeHistory, homeSite, reportPath, quietRun: true, reprice, ct), ct));
            }

            if (parse.GetValue(history) is null || parse.GetValue(site) is null)
            {
                Console.Error.WriteLine("edgeenergy backtest: --history and --site are required (or --fleet MANIFEST.csv --out DIR)");
                return Task.FromResult(ExitCodes.BadInput);
            }

            return Task.FromResult(RunHome(parse, parse.GetValue(history)!, parse.GetValue(site)!, parse.GetValue(output), parse.GetValue(quiet), reprice: null, ct));
        });
        return command;

        int RunHome(ParseResult parse, string historyPath, string sitePath, string? outPath, bool quietRun, Func<BacktestHistory, BacktestHistory>? reprice, CancellationToken ct) => Run(
            historyPath, sitePath, outPath, parse.GetValue(trace), parse.GetValue(chart),
            parse.GetValue(chartFrom), parse.GetValue(from), parse.GetValue(to), quietRun,
            new OptimiserOptions
            {
                MipSolver = parse.GetValue(mipSolver)!,
                MipTimeLimit = TimeSpan.FromSeconds(parse.GetValue(mipLimit)),
                BranchAndBoundNodes = parse.GetValue(bbNodes),
            },
            parse.GetValue(terminal)!, parse.GetValue(estimate) == "on",
            s_loadForecasters[parse.GetValue(loadForecast)!], parse.GetValue(scheduledLoad) == ControlOptions.ScheduledLoadAuto, parse.GetValue(threads),
            parse.GetValue(oracle) switch { "load" => ForecastOracle.Load, "pv" => ForecastOracle.Pv, "load+pv" => ForecastOracle.Load | ForecastOracle.Pv, _ => ForecastOracle.None },
            new ScenarioOptions { Count = parse.GetValue(scenarios), SharedSlots = parse.GetValue(sharedSlots) }, parse.GetValue(attribution),
            reprice, ct);
    }

    /// <summary>The mixed-integer time limit of the perfect-foresight bound's windows (see its use).</summary>
    internal static readonly TimeSpan PerfectForesightTimeLimit = TimeSpan.FromSeconds(120);

    private static int Run(
        string historyPath, string sitePath, string? outPath, string? tracePath, string? chartPath, DateOnly? chartFrom,
        DateTimeOffset? from, DateTimeOffset? to, bool quiet, OptimiserOptions solver,
        string terminal, bool estimatePrices, Func<DateTimeOffset, TimeZoneInfo, ISlotForecaster> createLoadForecaster, bool scheduledLoad, int threads, ForecastOracle oracle,
        ScenarioOptions scenarios, bool attribution, Func<BacktestHistory, BacktestHistory>? reprice, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!TryParseTerminal(terminal, out var terminalMode, out var fixedPence))
        {
            Console.Error.WriteLine($"edgeenergy backtest: --terminal '{terminal}' is not late, median, learned, learned-low or fixed:N with N a number of p/kWh ≥ 0");
            return ExitCodes.BadInput;
        }

        BacktestHistory history;
        BacktestSite site;
        try
        {
            site = SiteJson.Parse(File.ReadAllText(sitePath), sitePath);
            using (var reader = new StreamReader(historyPath))
            {
                history = HistoryCsv.Read(reader, historyPath);
            }

            var slots = history.Slots.Where(s => (from is null || s.Start >= from) && (to is null || s.Start < to)).ToArray();
            if (slots.Length == 0)
            {
                throw new BacktestInputException($"{historyPath}: no slots between --from and --to");
            }

            history = new BacktestHistory(slots);
            if (reprice is not null)
            {
                // A fleet home on another tariff: its history's price columns replaced by that tariff's published rates.
                history = reprice(history);
            }
        }
        catch (Exception e) when (e is BacktestInputException or Domain.Prices.TariffNotFoundException)
        {
            Console.Error.WriteLine($"edgeenergy backtest: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Domain.Prices.PriceSourceException e)
        {
            Console.Error.WriteLine($"edgeenergy backtest: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"edgeenergy backtest: cannot read input: {e.Message}");
            return ExitCodes.BadInput;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var loadForecaster = createLoadForecaster(history.Slots[0].Start, zone);
        if (scheduledLoad)
        {
            // As live: the house forecaster sees the history with the scheduled load taken out.
            loadForecaster = new ScheduledLoadForecaster(loadForecaster, new SlotCalendar(history.Slots[0].Start, zone));
        }

        using var bar = quiet ? null : new ProgressBar(Console.Error, history.Slots.Count);
        var engine = new BacktestEngine(
            new OrToolsScheduleOptimiser(solver),
            new BacktestOptions
            {
                Terminal = new TerminalValueRule(terminalMode, fixedPence), EstimatePrices = estimatePrices, LoadForecaster = loadForecaster,
                Threads = threads, Oracle = oracle, Scenarios = scenarios, Attribution = attribution,
            },
            // Perfect foresight is the bound the capture is measured against: the exact backend, with time to finish. At
            // the service's 10 s some 240-slot windows stopped early on a loaded machine (six 2022 homes' first-quarter
            // bounds moved by up to 7p between two runs on the busy shared machine: docs/fleet.md), so a bound depended on
            // the load; on an idle machine the 2022 bounds came out the same to the penny run after run.
            perfectOptimiser: new OrToolsScheduleOptimiser(new OptimiserOptions
            {
                MipSolver = solver.MipSolver == OptimiserOptions.NoMipBackend ? new OptimiserOptions().MipSolver : solver.MipSolver,
                MipTimeLimit = PerfectForesightTimeLimit,
            }));
        var result = engine.Run(history, site, bar, cancellationToken);
        bar?.Dispose();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

        var json = BacktestReport.ToJson(result, elapsed);
        try
        {
            if (outPath is null)
            {
                Console.Out.Write(json);
            }
            else
            {
                WriteAtomically(outPath, w => w.Write(json));
            }

            if (tracePath is not null)
            {
                WriteAtomically(tracePath, w => BacktestReport.WriteTrace(w, history, result.Strategies[StrategyNames.Optimiser]));
            }

            if (chartPath is not null)
            {
                WriteAtomically(chartPath, w => w.Write(WeekChart.Render(result, chartFrom)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"edgeenergy backtest: cannot write output: {e.Message}");
            return ExitCodes.Failure;
        }

        if (!quiet)
        {
            Console.Error.Write(Summary(result, elapsed));
        }

        return ExitCodes.Success;
    }

    /// <summary>Writes to a temporary file next to the target, then renames it: never a half-written report.</summary>
    internal static void WriteAtomically(string path, Action<TextWriter> write)
    {
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp))
        {
            write(writer);
        }

        File.Move(temp, path, overwrite: true);
    }

    internal static string Summary(BacktestResult result, double elapsedSeconds)
    {
        var none = result.Strategies[StrategyNames.None].TotalBillPence;
        var w = new StringWriter(s_inv);
        var slots = result.History.Slots;
        w.WriteLine($"backtest {slots[0].Start:yyyy-MM-dd} → {slots[^1].Start.AddMinutes(30):yyyy-MM-dd}, {slots.Count} slots, {elapsedSeconds:0.0} s (optimiser {result.OptimiserSeconds:0.0} s in {result.OptimiserSegments} segments, {result.CatchUpSlots} catch-up replans; {result.FallbackPlans} fallback plans)");
        w.WriteLine("  strategy     bill £   saved £  capture   import kWh  export kWh  battery kWh");
        foreach (var name in new[] { StrategyNames.None, StrategyNames.Rules, StrategyNames.Optimiser, StrategyNames.Perfect })
        {
            var r = result.Strategies[name];
            w.WriteLine(string.Format(s_inv, "  {0,-10} {1,8:0.00} {2,9:0.00} {3,7:0.0}% {4,12:0} {5,11:0} {6,12:0}",
                name, r.TotalBillPence / 100, (none - r.TotalBillPence) / 100, result.Capture(name), r.ImportKwh, r.ExportKwh, r.BatteryThroughputKwh));
        }

        if (result.History.HasEv)
        {
            // The car's share: its draw at each slot's import price (docs/backtest.md, "A car").
            w.WriteLine($"  car: {string.Join("; ", new[] { StrategyNames.None, StrategyNames.Rules, StrategyNames.Optimiser, StrategyNames.Perfect }.Select(name => result.Strategies[name]).Select(r => string.Create(s_inv, $"{r.Name} {r.EvKwh:0} kWh £{r.EvCostPence(result.History) / 100:0.00} short {r.EvShortKwh:0.0} kWh")))}");
        }

        w.WriteLine($"  savings capture {result.SavingsCapturePercent:0.0}% of perfect foresight; {result.SavingsRatioVsRules:0.00}× the rules strategy's savings");
        w.WriteLine($"  load forecast (day-ahead MAE, kWh/slot): {string.Join("; ", result.LoadForecastScores.Select(s => $"{s.Forecaster} {s.MaeKwh:0.000}"))}");
        w.WriteLine($"  solar forecast: {result.PvForecastSource}");
        foreach (var (what, skills) in new[] { ("solar", result.PvForecastSkill), ("load", result.LoadForecastSkill) })
        {
            foreach (var s in skills)
            {
                w.WriteLine(string.Create(s_inv, $"  {what} forecast MAE by lead (kWh/slot, {string.Join(" ", s.ByLead.Select(b => $"{b.FromHours:0}-{b.ToHours:0}h"))}): {string.Join(" ", s.ByLead.Select(b => $"{b.MaeKwh:0.000}"))}  {s.Forecaster}"));
            }
        }
        return w.ToString();
    }

    /// <summary>A one-line progress bar on stderr, redrawn at most ten times a second.</summary>
    private sealed class ProgressBar(TextWriter writer, int total) : IProgress<int>, IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _lastDraw;
        private bool _done;

        public void Report(int value)
        {
            var now = Stopwatch.GetTimestamp();
            if (value < total && Stopwatch.GetElapsedTime(_lastDraw, now).TotalMilliseconds < 100)
            {
                return;
            }

            _lastDraw = now;
            const int width = 30;
            var filled = (int)((long)value * width / Math.Max(1, total));
            var seconds = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
            writer.Write(string.Create(s_inv, $"\r  optimiser [{new string('#', filled)}{new string('.', width - filled)}] {value * 100.0 / Math.Max(1, total),5:0.0}% {value}/{total} slots {seconds:0.0} s"));
            writer.Flush();
        }

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                writer.WriteLine();
            }
        }
    }

    private static bool TryParseTerminal(string text, out TerminalMode mode, out double fixedPence)
    {
        fixedPence = 0;
        mode = text switch
        {
            "late" => TerminalMode.LateCheapest,
            "median" => TerminalMode.Median,
            "learned" => TerminalMode.Learned,
            "learned-low" => TerminalMode.LearnedConservative,
            _ => TerminalMode.Fixed,
        };
        return mode != TerminalMode.Fixed
            || (text.StartsWith("fixed:", StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(6), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out fixedPence)
                && double.IsFinite(fixedPence) && fixedPence >= 0);
    }
}
