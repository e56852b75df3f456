using System.Diagnostics.Metrics;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Domain.Diagnostics;

/// <summary>
/// The appliance's measurements, recorded with <see cref="System.Diagnostics.Metrics"/> on the meter
/// <see cref="MeterName"/> and exported by the host as Prometheus metrics. Instrument names are already the
/// Prometheus names (<see cref="Definitions"/>); gauges of the live state are read from <see cref="IApplianceStatus"/>
/// when scraped. Every Record method is thread-safe and cheap.
/// </summary>
public sealed class EdgeEnergyMetrics
{
    public const string MeterName = "EdgeEnergy";

    private static readonly string[] s_none = [];
    private static readonly double[] s_solveBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] s_modbusBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly string[] s_forecastLabels = ["quantity", "lead"];

    public static readonly MetricDefinition PlanSolveDuration = new("edgeenergy_plan_solve_duration_seconds", MetricKind.Histogram, "Time the optimiser took to solve a plan.", ["status"], s_solveBuckets);
    public static readonly MetricDefinition PlanSolves = new("edgeenergy_plan_solves_total", MetricKind.Counter, "Plans solved, by plan status (optimal, feasible, fallback, infeasible).", ["status"]);
    public static readonly MetricDefinition PlanObjective = new("edgeenergy_plan_objective_pence", MetricKind.Gauge, "Objective of the plan being followed (pence; lower is better).", s_none);
    public static readonly MetricDefinition PlanAge = new("edgeenergy_plan_age_seconds", MetricKind.Gauge, "Time since the plan being followed was made.", s_none);
    public static readonly MetricDefinition ModbusRequests = new("edgeenergy_modbus_requests_total", MetricKind.Counter, "Modbus requests sent that got a reply (normal, exception or broken) or timed out, by function code.", ["function"]);
    public static readonly MetricDefinition ModbusRequestDuration = new("edgeenergy_modbus_request_duration_seconds", MetricKind.Histogram, "Modbus request round-trip time, by function code.", ["function"], s_modbusBuckets);
    public static readonly MetricDefinition ModbusTimeouts = new("edgeenergy_modbus_timeouts_total", MetricKind.Counter, "Modbus requests that got no reply in time, by function code.", ["function"]);
    public static readonly MetricDefinition ModbusExceptions = new("edgeenergy_modbus_exceptions_total", MetricKind.Counter, "Modbus exception replies, by function code and exception code.", ["function", "code"]);
    public static readonly MetricDefinition ModbusFrameErrors = new("edgeenergy_modbus_frame_errors_total", MetricKind.Counter, "Modbus replies that broke the protocol, by function code and kind (crc: an RTU reply whose CRC did not match; framing: a bad length, header, byte count or echo).", ["function", "kind"]);
    public static readonly MetricDefinition InverterWrites = new("edgeenergy_inverter_writes_total", MetricKind.Counter, "Register writes to the inverter, by class: volatile (remote control, no wear), persistent (settings kept in flash); persistent-unchanged and persistent-refused count settings not written (already held; the daily budget used up).", ["class"]);
    public static readonly MetricDefinition SourceFetches = new("edgeenergy_source_fetches_total", MetricKind.Counter, "Data source fetches, by source and outcome (success, failure).", ["source", "outcome"]);
    public static readonly MetricDefinition SourceLastSuccess = new("edgeenergy_source_last_success_timestamp_seconds", MetricKind.Gauge, "Unix time of each source's last successful fetch.", ["source"]);
    public static readonly MetricDefinition DataAge = new("edgeenergy_data_age_seconds", MetricKind.Gauge, "Age of each source's data at scrape time.", ["source"]);
    public static readonly MetricDefinition DataStale = new("edgeenergy_data_stale", MetricKind.Gauge, "1 when a source's data is older than its limit (or missing), else 0.", ["source"]);
    public static readonly MetricDefinition FallbackActive = new("edgeenergy_fallback_active", MetricKind.Gauge, "1 while the fallback rules are in charge, else 0.", s_none);
    public static readonly MetricDefinition OverrideActive = new("edgeenergy_override_active", MetricKind.Gauge, "1 while a manual override is in force, else 0.", s_none);
    public static readonly MetricDefinition OverrideRemaining = new("edgeenergy_override_remaining_seconds", MetricKind.Gauge, "Time left on the manual override (0 when none).", s_none);
    public static readonly MetricDefinition ComponentUp = new("edgeenergy_component_up", MetricKind.Gauge, "1 when a component is healthy, 0.5 degraded, 0 unhealthy.", ["component"]);
    public static readonly MetricDefinition BatterySoc = new("edgeenergy_battery_soc_ratio", MetricKind.Gauge, "Battery state of charge (0 to 1).", s_none);
    public static readonly MetricDefinition BatteryPower = new("edgeenergy_battery_power_watts", MetricKind.Gauge, "Battery power; positive discharging, negative charging.", s_none);
    public static readonly MetricDefinition PvPower = new("edgeenergy_pv_power_watts", MetricKind.Gauge, "Solar generation.", s_none);
    public static readonly MetricDefinition GridPower = new("edgeenergy_grid_power_watts", MetricKind.Gauge, "Grid power; positive importing, negative exporting.", s_none);
    public static readonly MetricDefinition LoadPower = new("edgeenergy_load_power_watts", MetricKind.Gauge, "House load.", s_none);
    public static readonly MetricDefinition TelemetryAge = new("edgeenergy_telemetry_age_seconds", MetricKind.Gauge, "Age of the latest inverter reading.", s_none);
    public static readonly MetricDefinition CostToday = new("edgeenergy_cost_today_pence", MetricKind.Gauge, "Today's electricity bill so far (basis=actual) and without a battery (basis=no_battery).", ["basis"]);
    public static readonly MetricDefinition SavingsGained = new("edgeenergy_savings_gained_pence_total", MetricKind.Counter, "Sum of settled slots' savings against no battery, over slots where the battery saved money.", s_none);
    public static readonly MetricDefinition SavingsLost = new("edgeenergy_savings_lost_pence_total", MetricKind.Counter, "Sum of settled slots' extra cost against no battery, over slots where the battery cost money (net savings = gained - lost).", s_none);
    public static readonly MetricDefinition ControlModeInForce = new("edgeenergy_control_mode", MetricKind.Gauge, "1 for the control mode in force, 0 for the other (mode: active, shadow; in shadow nothing is written to the inverter or relays).", ["mode"]);
    public static readonly MetricDefinition ForecastMae = new("edgeenergy_forecast_mae_kwh", MetricKind.Gauge, "Mean absolute error of the forecasts planned on, kWh per half hour, by quantity (load, solar) and lead band (e.g. 0-2h), over the forecast-skill window; absent while a band has too few slots.", s_forecastLabels);
    public static readonly MetricDefinition ForecastBias = new("edgeenergy_forecast_bias_kwh", MetricKind.Gauge, "Mean of actual minus forecast of the forecasts planned on, kWh per half hour (positive: the forecast ran low), by quantity and lead band.", s_forecastLabels);
    public static readonly MetricDefinition ForecastPersistenceMae = new("edgeenergy_forecast_persistence_mae_kwh", MetricKind.Gauge, "Mean absolute error of persistence (the same half hour a day earlier) on the same slots as edgeenergy_forecast_mae_kwh, by quantity and lead band.", s_forecastLabels);
    public static readonly MetricDefinition ForecastScoredSlots = new("edgeenergy_forecast_scored_slots", MetricKind.Gauge, "Slot forecasts scored in the forecast-skill window, by quantity and lead band.", s_forecastLabels);
    public static readonly MetricDefinition RecommendationPower = new("edgeenergy_recommendation_power_watts", MetricKind.Gauge, "Battery power the current recommendation asks for; positive discharging.", s_none);

    /// <summary>Every metric this class exports, in a stable order.</summary>
    public static IReadOnlyList<MetricDefinition> Definitions { get; } =
    [
        PlanSolveDuration, PlanSolves, PlanObjective, PlanAge, ModbusRequests, ModbusRequestDuration, ModbusTimeouts, ModbusExceptions, ModbusFrameErrors,
        InverterWrites, SourceFetches, SourceLastSuccess, DataAge, DataStale, FallbackActive, OverrideActive, OverrideRemaining,
        ComponentUp, BatterySoc, BatteryPower, PvPower, GridPower, LoadPower, TelemetryAge, CostToday, SavingsGained, SavingsLost,
        RecommendationPower, ControlModeInForce, ForecastMae, ForecastBias, ForecastPersistenceMae, ForecastScoredSlots,
    ];

    private readonly IApplianceStatus _status;
    private readonly TimeProvider _timeProvider;
    private readonly Histogram<double> _planSolveDuration;
    private readonly Counter<long> _planSolves;
    private readonly Counter<long> _modbusRequests;
    private readonly Histogram<double> _modbusRequestDuration;
    private readonly Counter<long> _modbusTimeouts;
    private readonly Counter<long> _modbusExceptions;
    private readonly Counter<long> _modbusFrameErrors;
    private readonly Counter<long> _inverterWrites;
    private readonly Counter<long> _sourceFetches;
    private readonly Counter<double> _savingsGained;
    private readonly Counter<double> _savingsLost;

    public EdgeEnergyMetrics(IMeterFactory meterFactory, IApplianceStatus status, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _status = status ?? throw new ArgumentNullException(nameof(status));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        Meter = meterFactory.Create(MeterName);

        _planSolveDuration = Meter.CreateHistogram<double>(PlanSolveDuration.Name, "s", PlanSolveDuration.Help);
        _planSolves = Meter.CreateCounter<long>(PlanSolves.Name, null, PlanSolves.Help);
        _modbusRequests = Meter.CreateCounter<long>(ModbusRequests.Name, null, ModbusRequests.Help);
        _modbusRequestDuration = Meter.CreateHistogram<double>(ModbusRequestDuration.Name, "s", ModbusRequestDuration.Help);
        _modbusTimeouts = Meter.CreateCounter<long>(ModbusTimeouts.Name, null, ModbusTimeouts.Help);
        _modbusExceptions = Meter.CreateCounter<long>(ModbusExceptions.Name, null, ModbusExceptions.Help);
        _modbusFrameErrors = Meter.CreateCounter<long>(ModbusFrameErrors.Name, null, ModbusFrameErrors.Help);
        _inverterWrites = Meter.CreateCounter<long>(InverterWrites.Name, null, InverterWrites.Help);
        _sourceFetches = Meter.CreateCounter<long>(SourceFetches.Name, null, SourceFetches.Help);
        _savingsGained = Meter.CreateCounter<double>(SavingsGained.Name, "pence", SavingsGained.Help);
        _savingsLost = Meter.CreateCounter<double>(SavingsLost.Name, "pence", SavingsLost.Help);

        Observe(PlanObjective, s => s.Plan is { } p ? One(p.Plan.ObjectivePence) : []);
        Observe(PlanAge, s => s.Plan is { } p ? One(Seconds(Now - p.CreatedUtc)) : []);
        Observe(SourceLastSuccess, s => s.Sources
            .Where(f => f.LastSuccessUtc is not null)
            .Select(f => Labelled(f.LastSuccessUtc!.Value.ToUnixTimeMilliseconds() / 1000.0, "source", f.Source)));
        Observe(DataAge, s => s.Sources
            .Where(f => f.LastSuccessUtc is not null)
            .Select(f => Labelled(Seconds(f.Age(Now)!.Value), "source", f.Source)));
        Observe(DataStale, s => s.Sources.Select(f => Labelled(f.IsStale(Now) ? 1 : 0, "source", f.Source)));
        Observe(FallbackActive, s => One(s.Fallback.Active ? 1 : 0));
        Observe(OverrideActive, s => One(s.Override.Active && s.Override.Remaining(Now) > TimeSpan.Zero ? 1 : 0));
        Observe(OverrideRemaining, s => One(Seconds(s.Override.Remaining(Now))));
        Observe(ComponentUp, s => s.Components.Select(c => Labelled(HealthValue(c.State), "component", c.Component)));
        Observe(BatterySoc, s => s.Telemetry is { } t ? One(t.BatterySocPercent / 100.0) : []);
        Observe(BatteryPower, s => s.Telemetry is { } t ? One(t.BatteryPowerW) : []);
        Observe(PvPower, s => s.Telemetry is { } t ? One(t.PvPowerW) : []);
        Observe(GridPower, s => s.Telemetry is { } t ? One(t.GridPowerW) : []);
        Observe(LoadPower, s => s.Telemetry is { } t ? One(t.LoadPowerW) : []);
        Observe(TelemetryAge, s => s.Telemetry is { } t ? One(Seconds(Now - t.MeasuredAtUtc)) : []);
        Observe(CostToday, s => s.CostToday is { } c
            ? [Labelled(c.CostPence, "basis", "actual"), Labelled(c.NoBatteryCostPence, "basis", "no_battery")]
            : []);
        Observe(ForecastMae, s => ForecastBands(s, b => b.MaeKwh));
        Observe(ForecastBias, s => ForecastBands(s, b => b.BiasKwh));
        Observe(ForecastPersistenceMae, s => ForecastBands(s, b => b.PersistenceMaeKwh));
        Observe(ForecastScoredSlots, s => ForecastBands(s, b => b.Slots));
        Observe(RecommendationPower, s => s.Recommendation is { } r ? One(r.PowerW) : []);
        Observe(ControlModeInForce, s =>
        [
            Labelled(s.Mode == Control.ControlMode.Active ? 1 : 0, "mode", Control.ControlModes.Active),
            Labelled(s.Mode == Control.ControlMode.Shadow ? 1 : 0, "mode", Control.ControlModes.Shadow),
        ]);
    }

    /// <summary>The meter every instrument lives on (one per DI container, from the meter factory).</summary>
    public Meter Meter { get; }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    /// <summary>Records one optimiser run: its wall time and the status of the plan it gave.</summary>
    public void RecordPlanSolved(TimeSpan duration, Planning.PlanStatus status)
    {
        var tag = new KeyValuePair<string, object?>("status", StatusLabel(status));
        _planSolveDuration.Record(duration.TotalSeconds, tag);
        _planSolves.Add(1, tag);
    }

    /// <summary>Records one Modbus request that got a reply (normal or exception) after <paramref name="duration"/>.</summary>
    /// <param name="functionCode">The request's function code (3, 4, 6, 16, ...).</param>
    /// <param name="duration">From sending the request to the end of the reply.</param>
    /// <param name="exceptionCode">The Modbus exception code of an exception reply; null for a normal reply.</param>
    public void RecordModbusReply(byte functionCode, TimeSpan duration, byte? exceptionCode = null)
    {
        var function = FunctionLabel(functionCode);
        _modbusRequests.Add(1, new KeyValuePair<string, object?>("function", function));
        _modbusRequestDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("function", function));
        if (exceptionCode is { } code)
        {
            _modbusExceptions.Add(1, new KeyValuePair<string, object?>("function", function), new KeyValuePair<string, object?>("code", CodeLabel(code)));
        }
    }

    /// <summary>Records one Modbus request that got no reply before its timeout.</summary>
    public void RecordModbusTimeout(byte functionCode)
    {
        var function = new KeyValuePair<string, object?>("function", FunctionLabel(functionCode));
        _modbusRequests.Add(1, function);
        _modbusTimeouts.Add(1, function);
    }

    /// <summary>Records one Modbus reply that broke the protocol; <paramref name="kind"/> is <c>crc</c> or <c>framing</c>
    /// (the reply itself, with its round-trip time, is recorded by <see cref="RecordModbusReply"/> when it arrived whole).</summary>
    public void RecordModbusFrameError(byte functionCode, string kind) =>
        _modbusFrameErrors.Add(1, new KeyValuePair<string, object?>("function", FunctionLabel(functionCode)), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Records one register write; <paramref name="writeClass"/> is a short fixed name (e.g. <c>remote-control</c>).</summary>
    public void RecordInverterWrite(string writeClass) =>
        _inverterWrites.Add(1, new KeyValuePair<string, object?>("class", writeClass));

    /// <summary>Records one fetch of a data source (the source's freshness itself lives in the snapshot).</summary>
    public void RecordSourceFetch(string source, bool succeeded) =>
        _sourceFetches.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure"));

    /// <summary>Records one settled slot's money: what it cost and what it would have cost with no battery (pence).</summary>
    public void RecordSettledSlot(double costPence, double noBatteryCostPence)
    {
        var saved = noBatteryCostPence - costPence;
        if (saved >= 0)
        {
            _savingsGained.Add(saved);
        }
        else
        {
            _savingsLost.Add(-saved);
        }
    }

    private void Observe(MetricDefinition definition, Func<ApplianceSnapshot, IEnumerable<Measurement<double>>> read) =>
        Meter.CreateObservableGauge(definition.Name, () => read(_status.Current), null, definition.Help);

    /// <summary>One sample per band that has the figure: a band without enough history has no series, not a 0.</summary>
    private static IEnumerable<Measurement<double>> ForecastBands(ApplianceSnapshot s, Func<ForecastSkillBand, double?> figure) =>
        (s.ForecastSkill?.Bands ?? []).Where(b => figure(b) is not null).Select(b => new Measurement<double>(
            figure(b)!.Value, new KeyValuePair<string, object?>("quantity", b.Quantity), new KeyValuePair<string, object?>("lead", b.Lead)));

    private static Measurement<double>[] One(double value) => [new Measurement<double>(value)];

    private static Measurement<double> Labelled(double value, string label, string labelValue) =>
        new(value, new KeyValuePair<string, object?>(label, labelValue));

    private static double Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds);

    private static double HealthValue(HealthState state) => state switch
    {
        HealthState.Healthy => 1,
        HealthState.Degraded => 0.5,
        _ => 0,
    };

    private static readonly string[] s_functionLabels = Enumerable.Range(0, 256).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string FunctionLabel(byte functionCode) => s_functionLabels[functionCode];

    private static string CodeLabel(byte code) => s_functionLabels[code];

    private static string StatusLabel(Planning.PlanStatus status) => status switch
    {
        Planning.PlanStatus.Optimal => "optimal",
        Planning.PlanStatus.Feasible => "feasible",
        Planning.PlanStatus.Fallback => "fallback",
        _ => "infeasible",
    };
}
