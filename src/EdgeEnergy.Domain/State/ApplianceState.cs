using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Domain.State;

/// <summary>
/// One consistent snapshot of what the appliance knows and does, for Home Assistant (MQTT), the REST API and the
/// dashboard. Filled by the control loop; readers never see half an update because the record is replaced whole.
/// Null means "not known (yet)". Sign convention for every power: battery + = discharging (− = charging),
/// grid + = importing (− = exporting); PV and load are ≥ 0. Powers in W, energies in kWh, SoC in %, prices in pence
/// per kWh, money in pence, times UTC.
/// </summary>
public sealed record ApplianceState
{
    public double? BatterySocPercent { get; init; }
    /// <summary>W, + = discharging, − = charging.</summary>
    public double? BatteryPowerW { get; init; }
    /// <summary>W, ≥ 0.</summary>
    public double? PvPowerW { get; init; }
    /// <summary>W, + = importing, − = exporting.</summary>
    public double? GridPowerW { get; init; }
    /// <summary>W, ≥ 0 (house load).</summary>
    public double? LoadPowerW { get; init; }

    /// <summary>Grid import energy since installation, kWh, never decreasing.</summary>
    public double? GridImportEnergyKwh { get; init; }
    /// <summary>Grid export energy since installation, kWh, never decreasing.</summary>
    public double? GridExportEnergyKwh { get; init; }

    /// <summary>Import price of the current slot, pence per kWh (may be negative on Agile).</summary>
    public double? ImportPricePencePerKwh { get; init; }
    public double? NextImportPricePencePerKwh { get; init; }
    public double? ExportPricePencePerKwh { get; init; }
    public double? NextExportPricePencePerKwh { get; init; }

    /// <summary>Status of the plan in force; null before the first plan.</summary>
    public PlanStatus? PlanStatus { get; init; }
    /// <summary>What the inverter is doing now (an override wins over the plan).</summary>
    public SlotMode? CurrentAction { get; init; }
    public string? CurrentActionReason { get; init; }
    public SlotMode? NextAction { get; init; }
    /// <summary>When <see cref="NextAction"/> starts (UTC).</summary>
    public DateTimeOffset? NextActionStartUtc { get; init; }

    /// <summary>Expected bill for today (UK day) with the plan: actuals so far plus the plan for the rest, pence.</summary>
    public double? ExpectedCostTodayPence { get; init; }
    /// <summary>The same day's bill had there been no battery, pence.</summary>
    public double? ExpectedCostTodayWithoutBatteryPence { get; init; }

    /// <summary>When prices, the PV forecast and inverter telemetry were last refreshed (UTC).</summary>
    public DateTimeOffset? PricesUpdatedUtc { get; init; }
    public DateTimeOffset? ForecastUpdatedUtc { get; init; }
    public DateTimeOffset? TelemetryUpdatedUtc { get; init; }

    /// <summary>Inverter register writes since start: accepted and failed.</summary>
    public long InverterWrites { get; init; }
    public long InverterWriteFailures { get; init; }

    /// <summary>True while the fallback supervisor (not the plan) drives the inverter.</summary>
    public bool FallbackActive { get; init; }
    /// <summary>Why the fallback is active (e.g. "no prices for the next slot"); null when inactive.</summary>
    public string? FallbackCause { get; init; }

    /// <summary>The reserve SoC in force, %.</summary>
    public double? ReserveSocPercent { get; init; }

    /// <summary>The immersion heaters, by id (as in the plan problem).</summary>
    public IReadOnlyList<ImmersionState> Immersions { get; init; } = [];

    /// <summary>The override in force, if any (it may have expired since the snapshot; check with the clock).</summary>
    public Override? Override { get; init; }
    /// <summary>How long the next override lasts, minutes (the duration control).</summary>
    public int OverrideDurationMinutes { get; init; } = 60;

    /// <summary>A snapshot with nothing known yet.</summary>
    public static ApplianceState Empty { get; } = new();
}

/// <summary>One immersion heater.</summary>
/// <param name="Id">As in the plan problem, [a-z0-9_]+.</param>
/// <param name="Name">For people.</param>
/// <param name="Enabled">The user lets the planner heat it (the switch).</param>
/// <param name="Heating">The relay is on now.</param>
/// <param name="BoostUntilUtc">End of a manual boost, or null.</param>
public sealed record ImmersionState(string Id, string Name, bool Enabled, bool Heating, DateTimeOffset? BoostUntilUtc = null);
