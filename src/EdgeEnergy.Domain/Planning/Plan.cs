using System.Text.Json.Serialization;

namespace EdgeEnergy.Domain.Planning;

/// <summary>How a plan was obtained.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PlanStatus>))]
public enum PlanStatus
{
    /// <summary>Proven optimum of the model.</summary>
    [JsonStringEnumMemberName("optimal")] Optimal,
    /// <summary>A feasible plan from the solver that was not proven optimal (time limit).</summary>
    [JsonStringEnumMemberName("feasible")] Feasible,
    /// <summary>The solver failed; a feasible heuristic plan instead.</summary>
    [JsonStringEnumMemberName("fallback")] Fallback,
    /// <summary>No plan can satisfy the constraints; see the plan's reason.</summary>
    [JsonStringEnumMemberName("infeasible")] Infeasible,
}

/// <summary>What the inverter should do in a slot.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SlotMode>))]
public enum SlotMode
{
    /// <summary>Force charge at the slot's charge power (from the grid, or capped below the solar surplus).</summary>
    [JsonStringEnumMemberName("charge")] Charge,
    /// <summary>Force discharge at a set power below what self-use would give (energy kept for later).</summary>
    [JsonStringEnumMemberName("discharge")] Discharge,
    /// <summary>Battery idle although self-use would move it.</summary>
    [JsonStringEnumMemberName("hold")] Hold,
    /// <summary>The inverter's own self-use: the battery covers the deficit and absorbs the surplus.</summary>
    [JsonStringEnumMemberName("self-use")] SelfUse,
    /// <summary>Force discharge into the grid.</summary>
    [JsonStringEnumMemberName("export")] Export,
}

/// <summary>A plan (docs/contracts.md section 2). Energies in kWh per slot, money in pence.</summary>
public sealed record Plan
{
    public required PlanStatus Status { get; init; }
    /// <summary>The model's objective evaluated on <see cref="Slots"/>.</summary>
    public required double ObjectivePence { get; init; }
    public required double SolveMilliseconds { get; init; }
    /// <summary>Why the plan has this status (always set for fallback and infeasible).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
    /// <summary>
    /// The Saving Session reward the plan expects, pence: Σ reward · max(0, baseline − import) over the session slots
    /// (already taken off <see cref="ObjectivePence"/>). Null, and left out of the JSON, when the problem has no session.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ExpectedSessionRewardPence { get; init; }
    public required IReadOnlyList<PlanSlot> Slots { get; init; }
}

public sealed record PlanSlot
{
    public required DateTimeOffset Start { get; init; }
    public required double ImportKwh { get; init; }
    public required double ExportKwh { get; init; }
    public required double ChargeKwh { get; init; }
    public required double DischargeKwh { get; init; }
    public required double PvUsedKwh { get; init; }
    /// <summary>Stored energy at the end of the slot.</summary>
    public required double SocKwh { get; init; }
    public required IReadOnlyDictionary<string, double> ImmersionKwh { get; init; }
    /// <summary>
    /// The car charger's draw in the slot (kWh from the house's supply, before its efficiency); null, and left out of
    /// the JSON, when the problem has no car, so plans without one are unchanged.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EvKwh { get; init; }
    /// <summary>
    /// The Saving Session reward this slot is planned to earn (pence; reward · max(0, baseline − import)); null, and
    /// left out of the JSON, outside a session.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SessionRewardPence { get; init; }
    public required SlotMode Mode { get; init; }
    public required string Reason { get; init; }
    /// <summary>Marginal value (pence) of one more kWh stored at the end of this slot, from the LP duals.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StoredValuePencePerKwh { get; init; }
    /// <summary>True when this slot's prices are estimates, not published rates.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PricesEstimated { get; init; }
}
