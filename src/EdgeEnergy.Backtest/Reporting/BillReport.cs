using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>
/// What <c>edgeenergy report</c> reads from the store (docs/contracts.md section 5), as values: telemetry minutes (our
/// signs, <see cref="TelemetrySample"/>), the billed rates and the stored plans, for the local days
/// <see cref="From"/>..<see cref="To"/> and a margin after (the end-of-day state, tomorrow's stored value of energy).
/// </summary>
public sealed record BillReportInput
{
    public required DateOnly From { get; init; }
    public required DateOnly To { get; init; }

    /// <summary>Who was in charge (on days without a <see cref="DayModes"/> record): in active mode EdgeEnergy's bill is the metered one.</summary>
    public required ControlMode Mode { get; init; }

    /// <summary>The mode each UK day ran in, as recorded by the service (<c>active</c>, <c>shadow</c> or <c>mixed</c>,
    /// <see cref="Domain.Control.DayModes"/>); a day not here ran in <see cref="Mode"/>.</summary>
    public IReadOnlyDictionary<DateOnly, string> DayModes { get; init; } = new Dictionary<DateOnly, string>();

    /// <summary>The A/B schedule (<c>Control:AbSchedule</c>): when on, the report compares A and B days (<see cref="AbComparison"/>).</summary>
    public AbSchedule AbSchedule { get; init; } = AbSchedule.None;

    /// <summary>The configured battery (its state of charge is ignored) and grid limits; calibration refines them.</summary>
    public required BatterySpec Battery { get; init; }

    public GridSpec Grid { get; init; } = new();
    public TimeZoneInfo Zone { get; init; } = UkTime.Zone;
    public required IReadOnlyList<TelemetrySample> Telemetry { get; init; }
    public required IReadOnlyList<Rate> ImportRates { get; init; }
    public required IReadOnlyList<Rate> ExportRates { get; init; }

    /// <summary>Stored plans, oldest first.</summary>
    public required IReadOnlyList<PlanRecord> Plans { get; init; }

    /// <summary>A plan older than this at the half hour it would govern is not in force (Control:PlanMaxAgeMinutes).</summary>
    public TimeSpan PlanMaxAge { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Anti-flapping as live (Control:MinimumDwellSeconds, Control:PowerHysteresisW).</summary>
    public TimeSpan MinimumDwell { get; init; } = TimeSpan.FromMinutes(2);

    public double PowerHysteresisW { get; init; } = 100;

    /// <summary>The supplier's half-hourly readings (Octopus consumption) when its meters are configured; null otherwise.</summary>
    public BilledMeters? Billed { get; init; }

    /// <summary>The first and the end (exclusive) instant of the report's days.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Span => (DayStart(From), DayStart(To.AddDays(1)));

    public DateTimeOffset DayStart(DateOnly date) => UkTime.ToUtc(date, TimeOnly.MinValue, Zone);

    /// <summary>The mode <paramref name="date"/> ran in: its record, else <see cref="Mode"/>.</summary>
    public string ModeOn(DateOnly date) => DayModes.TryGetValue(date, out var mode) ? mode : Mode.ToWire();
}

/// <summary>
/// One day of the report in pence (import cost − export income). Null <see cref="Reason"/>: complete, every figure set;
/// otherwise the figures are null and the reason says what data is missing.
/// </summary>
public sealed record BillReportDay(DateOnly Date, string? Reason)
{
    public bool Complete => Reason is null;

    /// <summary>The mode the day ran in: <c>active</c> (EdgeEnergy's bill is the metered one), <c>shadow</c> or
    /// <c>mixed</c> (EdgeEnergy's bill is the replay of its stored plans).</summary>
    public string Mode { get; init; } = ControlModes.Shadow;
    public double? ActualBillPence { get; init; }
    public double? NoBatteryBillPence { get; init; }
    public double? EdgeEnergyBillPence { get; init; }
    public double? EdgeEnergyErrorBarPence { get; init; }
    public double? PerfectBillPence { get; init; }

    /// <summary>edgeEnergy − perfect by cause (load forecast, PV forecast, prices, horizon, execution).</summary>
    public Attribution? Causes { get; init; }

    /// <summary>The day as billed beside the inverter's meter (<see cref="BilledComparison"/>), whether or not the day
    /// itself is complete; null when no supplier meter is configured.</summary>
    public BilledDay? Billed { get; init; }

    /// <summary>Diagnostics (not in the JSON): the incumbent's replay bill through the plant model, unadjusted.</summary>
    public double? IncumbentReplayBillPence { get; init; }
}

/// <summary>The report: the mode, the days, and the plant model every counterfactual went through.</summary>
public sealed record BillReport(ControlMode Mode, DateOnly From, DateOnly To, IReadOnlyList<BillReportDay> Days, CalibratedPlant Plant)
{
    /// <summary>The A/B comparison when <c>Control:AbSchedule</c> is on; null otherwise.</summary>
    public AbComparison? Ab { get; init; }

    public IEnumerable<BillReportDay> CompleteDays => Days.Where(d => d.Complete);
}
