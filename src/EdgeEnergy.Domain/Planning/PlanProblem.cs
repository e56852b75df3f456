namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// One planning problem (docs/contracts.md section 2): everything the optimiser needs, as a value that can be logged,
/// stored and replayed. Energy is in kWh per slot, power in kW, money in pence, times in UTC.
/// </summary>
public sealed record PlanProblem
{
    /// <summary>Start of slot 0 (UTC).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Length of every slot in minutes.</summary>
    public int SlotMinutes { get; init; } = 30;

    public required BatterySpec Battery { get; init; }

    /// <summary>Grid connection limits; absent means the reference model's 1000 kW (effectively unlimited).</summary>
    public GridSpec Grid { get; init; } = new();

    /// <summary>Value (pence) of each kWh left stored at the end of the horizon.</summary>
    public double TerminalValuePencePerKwh { get; init; }

    public IReadOnlyList<ImmersionSpec> Immersions { get; init; } = [];

    /// <summary>
    /// The electric car (docs/contracts.md section 8), or null when there is none. Left out of the JSON when null, so a
    /// problem without a car reads and writes exactly as before the car existed.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public EvSpec? Ev { get; init; }

    /// <summary>
    /// The Saving Sessions the account joined that fall in the horizon (docs/contracts.md section 2, "Saving Sessions"),
    /// or null when there are none. Left out of the JSON when null, so problems without sessions are unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SavingSessionSpec>? SavingSessions { get; init; }

    public required IReadOnlyList<SlotInput> Slots { get; init; }

    /// <summary>The session covering <paramref name="slot"/>, or null (sessions never overlap: the validator checks).</summary>
    public SavingSessionSpec? SessionAt(int slot)
    {
        foreach (var session in SavingSessions ?? [])
        {
            if (session.FromSlot <= slot && slot < session.ToSlot)
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>
    /// The session reward (pence) a slot earns importing <paramref name="importKwh"/>: reward · max(0, baseline − import)
    /// in a session slot, 0 elsewhere. Export earns nothing here: only import below the baseline counts.
    /// </summary>
    public double SessionRewardPence(int slot, double importKwh) => SessionAt(slot) is { } session
        ? session.RewardPencePerKwh * Math.Max(0, session.BaselineAt(slot) - importKwh)
        : 0;

    /// <summary>Slot length in hours (derived, so not part of the JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double SlotHours => SlotMinutes / 60.0;

    public DateTimeOffset SlotStart(int slot) => Start.AddMinutes((double)slot * SlotMinutes);
}

/// <summary>The battery: capacities and state in kWh, power limits in kW, efficiencies in (0,1].</summary>
public sealed record BatterySpec
{
    public required double CapacityKwh { get; init; }
    /// <summary>Stored energy at the start of slot 0.</summary>
    public required double SocKwh { get; init; }
    public required double MinSocKwh { get; init; }
    public required double MaxSocKwh { get; init; }
    public required double MaxChargeKw { get; init; }
    public required double MaxDischargeKw { get; init; }
    public required double ChargeEfficiency { get; init; }
    public required double DischargeEfficiency { get; init; }
    /// <summary>Wear cost per kWh discharged.</summary>
    public double CycleCostPencePerKwh { get; init; }
}

/// <summary>Grid limits in kW. Export limit is the G98/G99 agreement.</summary>
public sealed record GridSpec
{
    public const double UnlimitedKw = 1000.0;
    public double MaxImportKw { get; init; } = UnlimitedKw;
    public double MaxExportKw { get; init; } = UnlimitedKw;
}

/// <summary>An immersion heater: element power in kW and what a kWh of hot water is worth (pence).</summary>
public sealed record ImmersionSpec
{
    public required string Id { get; init; }
    public required double PowerKw { get; init; }
    public double ValuePencePerKwh { get; init; }
    public IReadOnlyList<ImmersionWindow> Windows { get; init; } = [];
}

/// <summary>Energy the heater must (min) and may (max) deliver in slots [FromSlot, ToSlot).</summary>
public sealed record ImmersionWindow
{
    public required int FromSlot { get; init; }
    public required int ToSlot { get; init; }
    public double MinKwh { get; init; }
    /// <summary>Null means no upper bound beyond the element's power.</summary>
    public double? MaxKwh { get; init; }
}

/// <summary>
/// The electric car's charger (docs/contracts.md section 8): in every slot it draws nothing or between
/// <see cref="MinKw"/>·h and <see cref="MaxKw"/>·h (a charger cannot run below its minimum current);
/// <see cref="Efficiency"/> (in (0,1]) is the share of the drawn energy that reaches the car's battery.
/// </summary>
public sealed record EvSpec
{
    public required string Id { get; init; }
    public required double MinKw { get; init; }
    public required double MaxKw { get; init; }
    public required double Efficiency { get; init; }
    public IReadOnlyList<EvNeed> Needs { get; init; } = [];

    /// <summary>
    /// Whether the car may draw in <paramref name="slot"/>: only inside a need's window. A need is the car plugged in
    /// from <c>fromSlot</c> until it leaves at <c>toSlot</c>; outside every need it is away (or has nothing to ask for),
    /// and a plan that "charged" it there would count on a load that never happens.
    /// </summary>
    public bool Plugged(int slot)
    {
        foreach (var need in Needs)
        {
            if (need.FromSlot <= slot && slot < need.ToSlot)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Energy (kWh, in the car's battery: after the charger's efficiency) the car needs within slots [FromSlot, ToSlot).</summary>
public sealed record EvNeed
{
    public required int FromSlot { get; init; }
    public required int ToSlot { get; init; }
    public required double Kwh { get; init; }
}

/// <summary>
/// A Saving Session in the plan's slots [<see cref="FromSlot"/>, <see cref="ToSlot"/>): each slot t earns
/// <see cref="RewardPencePerKwh"/> · max(0, baseline − import[t]), where the baseline is
/// <see cref="BaselineKwhPerSlot"/>[t − fromSlot] (kWh, Octopus's mean of the same half hours on earlier days).
/// </summary>
public sealed record SavingSessionSpec
{
    /// <summary>The session's name (Octopus's event id), for reasons.</summary>
    public string Id { get; init; } = string.Empty;
    public required int FromSlot { get; init; }
    public required int ToSlot { get; init; }
    public required double RewardPencePerKwh { get; init; }
    /// <summary>One baseline per slot of the session, kWh, ≥ 0.</summary>
    public required IReadOnlyList<double> BaselineKwhPerSlot { get; init; }

    /// <summary>The baseline of plan slot <paramref name="slot"/> (inside the session).</summary>
    public double BaselineAt(int slot) => BaselineKwhPerSlot[slot - FromSlot];

    /// <summary>The part of the session before slot <paramref name="end"/>, or null when it starts there or later.</summary>
    public SavingSessionSpec? Before(int end) => FromSlot >= end
        ? null
        : ToSlot <= end ? this : this with { ToSlot = end, BaselineKwhPerSlot = [.. BaselineKwhPerSlot.Take(end - FromSlot)] };
}

/// <summary>One slot's prices (pence/kWh, may be negative) and forecasts (kWh in the slot, ≥ 0).</summary>
public sealed record SlotInput
{
    public required double ImportPence { get; init; }
    public required double ExportPence { get; init; }
    public required double LoadKwh { get; init; }
    public double PvKwh { get; init; }
    /// <summary>True when the prices are our estimate rather than published rates (issue 10).</summary>
    public bool PricesEstimated { get; init; }
}
