using System.Globalization;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Publishing;

/// <summary>
/// Turns an <see cref="ApplianceSnapshot"/> (with the clock) into the payloads of the state and attribute topics, by the value and
/// attribute names the entity definitions use. Unknown values are published as <c>None</c>, which Home Assistant shows
/// as "unknown". Prices and money go out in GBP (the energy dashboard wants currency/kWh); powers keep our signs.
/// </summary>
internal static class StateProjection
{
    /// <summary>What Home Assistant reads as an unknown value.</summary>
    public const string Unknown = "None";

    /// <summary>Longest state Home Assistant stores (longer states are rejected).</summary>
    public const int MaxStateLength = 255;

    /// <summary>What one entity reads: the snapshot, the clock, the plan slot in force and the entity's heater.</summary>
    private readonly record struct View(ApplianceSnapshot S, DateTimeOffset Now, int Slot, ImmersionState? Immersion)
    {
        public SlotInput? Input(int slot) => S.Plan?.InputAt(slot);

        public PlanSlot? NextChange => S.Plan?.NextChangeAfter(Slot);

        public string? Reason => S.Recommendation?.Reason;

        public double? CostPence => S.CostToday?.CostPence;

        public double? NoBatteryCostPence => S.CostToday?.NoBatteryCostPence;
    }

    private delegate string ValueOf(View v);

    private delegate JsonObject AttributesOf(View v);

    private static readonly Dictionary<string, ValueOf> s_values = new(StringComparer.Ordinal)
    {
        ["batterySocPercent"] = v => Number(v.S.Telemetry?.BatterySocPercent, 1),
        ["batteryPowerW"] = v => Number(v.S.Telemetry?.BatteryPowerW, 0),
        ["pvPowerW"] = v => Number(v.S.Telemetry?.PvPowerW, 0),
        ["gridPowerW"] = v => Number(v.S.Telemetry?.GridPowerW, 0),
        ["loadPowerW"] = v => Number(v.S.Telemetry?.LoadPowerW, 0),
        ["gridImportEnergyKwh"] = v => Number(v.S.Telemetry?.GridImportEnergyKwh, 3),
        ["gridExportEnergyKwh"] = v => Number(v.S.Telemetry?.GridExportEnergyKwh, 3),
        ["importPriceNow"] = v => Pounds(v.Input(v.Slot)?.ImportPence, 5),
        ["importPriceNext"] = v => Pounds(v.Input(v.Slot + 1)?.ImportPence, 5),
        ["exportPriceNow"] = v => Pounds(v.Input(v.Slot)?.ExportPence, 5),
        ["exportPriceNext"] = v => Pounds(v.Input(v.Slot + 1)?.ExportPence, 5),
        ["planStatus"] = v => v.S.Plan is { } p ? PlanStatusName(p.Plan.Status) : Unknown,
        ["currentAction"] = v => v.S.Recommendation is { } r ? ActionName(r.Mode) : Unknown,
        ["currentActionReason"] = v => Text(v.Reason),
        ["nextAction"] = v => v.NextChange is { } n ? ActionName(n.Mode) : Unknown,
        ["nextActionStart"] = v => Timestamp(v.NextChange?.Start),
        ["costToday"] = v => Pounds(v.CostPence, 2),
        // Saving Sessions: the plan's expected reward, 0 when it has no session (unknown without a plan).
        ["savingSessionReward"] = v => Pounds(v.S.Plan is { } p ? p.Plan.ExpectedSessionRewardPence ?? 0 : null, 2),
        ["costTodayWithoutBattery"] = v => Pounds(v.NoBatteryCostPence, 2),
        ["yesterdayActualBill"] = v => Pounds(v.S.Bills?.YesterdayBills?.ActualPence, 2),
        ["yesterdayEdgeEnergyBill"] = v => Pounds(v.S.Bills?.YesterdayBills?.EdgeEnergyPence, 2),
        ["yesterdayNoBatteryBill"] = v => Pounds(v.S.Bills?.YesterdayBills?.NoBatteryPence, 2),
        ["weekActualBill"] = v => Pounds(v.S.Bills?.WeekBills?.ActualPence, 2),
        ["weekEdgeEnergyBill"] = v => Pounds(v.S.Bills?.WeekBills?.EdgeEnergyPence, 2),
        ["weekNoBatteryBill"] = v => Pounds(v.S.Bills?.WeekBills?.NoBatteryPence, 2),
        ["pricesUpdated"] = v => Timestamp(v.S.LastSuccess("octopus") ?? v.S.Plan?.CreatedUtc),
        ["forecastUpdated"] = v => Timestamp(v.S.LastSuccess("solcast")),
        ["telemetryUpdated"] = v => Timestamp(v.S.Telemetry?.MeasuredAtUtc),
        ["pricesPublishedUntil"] = v => Timestamp(v.S.Plan?.PricesPublishedUntil),
        ["inverterWrites"] = v => v.S.InverterWrites.ToString(CultureInfo.InvariantCulture),
        ["inverterWriteFailures"] = v => v.S.InverterWriteFailures.ToString(CultureInfo.InvariantCulture),
        ["fallbackActive"] = v => OnOff(v.S.Fallback.Active),
        ["overrideMode"] = v => (ActiveOverride(v.S, v.Now)?.Mode ?? OverrideMode.Auto).ToWire(),
        ["overrideDurationMinutes"] = v => v.S.OverrideDurationMinutes.ToString(CultureInfo.InvariantCulture),
        ["overrideRemainingMinutes"] = v => RemainingMinutes(v.S, v.Now).ToString(CultureInfo.InvariantCulture),
        ["reserveSocPercent"] = v => Number(v.S.ReserveSocPercent, 1),
        ["controlMode"] = v => v.S.Mode.ToWire(),
        ["immersionEnabled"] = v => v.Immersion is { } i ? OnOff(i.Enabled) : Unknown,
        ["immersionHeating"] = v => v.Immersion is { } i ? OnOff(i.Heating) : Unknown,
        ["evDepartureLocal"] = v => v.S.Ev?.DepartureLocal is { } t ? t.ToString(@"hh\:mm", CultureInfo.InvariantCulture) : Unknown,
        ["evTargetSocPercent"] = v => Number(v.S.Ev?.TargetSocPercent, 0),
        ["evChargeNow"] = v => v.S.Ev is { } e ? OnOff(e.ChargeNow) : Unknown,
        ["evPlannedKwh"] = v => Number(EvPlannedKwh(v.S.Plan, v.Slot), 2),
        ["nextDispatchStart"] = v => Timestamp(v.S.Dispatches?.Upcoming(v.Now) is [var next, ..] ? next.StartUtc : null),
        ["dispatchesPlanned"] = v => v.S.Dispatches is { } d ? d.Upcoming(v.Now).Count.ToString(CultureInfo.InvariantCulture) : Unknown,
        ["evShortKwh"] = v => Number(v.S.Plan is { } p ? PlanChecker.EvShortfalls(p.Problem, p.Plan.Slots).Sum() : null, 2),
    };

    private static readonly Dictionary<string, AttributesOf> s_attributes = new(StringComparer.Ordinal)
    {
        ["currentAction"] = v => new JsonObject { ["reason"] = v.Reason },
        ["nextAction"] = v => new JsonObject { ["start"] = Iso(v.NextChange?.Start) },
        ["dispatches"] = v => new JsonObject
        {
            ["dispatches"] = new JsonArray([.. (v.S.Dispatches?.Upcoming(v.Now) ?? []).Select(d => (JsonNode)new JsonObject
            {
                ["start"] = Iso(d.StartUtc), ["end"] = Iso(d.EndUtc), ["kind"] = d.Kind.ToString().ToLowerInvariant(),
            })]),
        },
        ["fallback"] = v => new JsonObject { ["cause"] = v.S.Fallback.Active ? v.S.Fallback.Cause : null },
        ["costToday"] = v => new JsonObject
        {
            ["without_battery_gbp"] = ToPounds(v.NoBatteryCostPence),
            ["saving_gbp"] = v.CostPence is { } with && v.NoBatteryCostPence is { } without
                ? Math.Round((without - with) / 100, 2) : null,
        },
        ["reportedDay"] = v => new JsonObject
        {
            ["date"] = v.S.Bills?.Yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["complete"] = v.S.Bills is { } b ? b.YesterdayBills is not null : null,
            ["computed"] = Iso(v.S.Bills?.ComputedUtc),
        },
        ["reportedWeek"] = v => new JsonObject
        {
            ["from"] = v.S.Bills?.Yesterday.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = v.S.Bills?.Yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["complete_days"] = v.S.Bills?.WeekCompleteDays,
            ["computed"] = Iso(v.S.Bills?.ComputedUtc),
        },
        ["override"] = v => ActiveOverride(v.S, v.Now) is { } o
            ? new JsonObject
            {
                ["mode"] = o.Mode.ToWire(),
                ["power_w"] = o.PowerW,
                ["reserve_soc_percent"] = o.ReserveSocPercent,
                ["start"] = Iso(o.StartUtc),
                ["expires"] = Iso(o.ExpiresUtc),
                ["source"] = o.Source,
            }
            : new JsonObject { ["mode"] = "auto" },
        ["priceNow"] = v => PriceOrigin(v, v.Slot),
        ["priceNext"] = v => PriceOrigin(v, v.Slot < 0 ? -1 : v.Slot + 1),
        ["priceEstimates"] = v => new JsonObject
        {
            ["estimated_slots"] = v.S.Plan?.EstimatedPriceSlots,
            ["estimated_from"] = Iso(v.S.Plan?.EstimatedPricesFrom),
            ["plan_end"] = Iso(v.S.Plan?.End),
        },
        ["immersion"] = v => new JsonObject
        {
            ["boost_until"] = Iso(v.Immersion?.BoostUntilUtc),
        },
    };

    public static IReadOnlySet<string> ValueNames { get; } = s_values.Keys.ToHashSet(StringComparer.Ordinal);

    public static IReadOnlySet<string> AttributeNames { get; } = s_attributes.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>The override in force at <paramref name="now"/> (an expired one counts as none).</summary>
    public static Override? ActiveOverride(ApplianceSnapshot state, DateTimeOffset now) =>
        state.UserOverride is { } o && o.IsActiveAt(now) ? o : null;

    /// <summary>Whole minutes left, rounded up (30 s left shows 1); 0 without an override.</summary>
    public static int RemainingMinutes(ApplianceSnapshot state, DateTimeOffset now) =>
        ActiveOverride(state, now) is { } o ? (int)Math.Ceiling(o.RemainingAt(now).TotalMinutes) : 0;

    /// <summary>The state and attribute messages of <paramref name="instances"/>.</summary>
    public static IEnumerable<OutboundMessage> Project(IEnumerable<EntityInstance> instances, DiscoveryBuilder discovery, ApplianceSnapshot state, DateTimeOffset now)
    {
        var slot = state.Plan?.SlotAt(now) ?? -1;
        foreach (var instance in instances)
        {
            var d = instance.Definition;
            var immersion = instance.ImmersionId is { } id ? state.Immersions.FirstOrDefault(i => i.Id == id) : null;
            var view = new View(state, now, slot, immersion);
            if (d.Value is not null && discovery.StateTopic(instance) is { } stateTopic)
            {
                yield return new OutboundMessage(stateTopic, s_values[d.Value](view), d.Qos, Retain: true);
            }

            if (d.Attributes is not null && discovery.AttributesTopic(instance) is { } attributesTopic)
            {
                yield return new OutboundMessage(attributesTopic, s_attributes[d.Attributes](view).ToJsonString(), d.Qos, Retain: true);
            }
        }
    }

    /// <summary>
    /// kWh the plan puts into the car's battery (after the charger's losses) from the current slot on; 0 with a plan
    /// without a car, unknown without a plan.
    /// </summary>
    private static double? EvPlannedKwh(ActivePlan? plan, int slot)
    {
        if (plan is null)
        {
            return null;
        }

        var efficiency = plan.Problem.Ev?.Efficiency ?? 1;
        return plan.Plan.Slots.Skip(Math.Max(0, slot)).Sum(s => s.EvKwh ?? 0) * efficiency;
    }

    public static string PlanStatusName(PlanStatus status) => status switch
    {
        PlanStatus.Optimal => "optimal",
        PlanStatus.Feasible => "feasible",
        PlanStatus.Fallback => "fallback",
        _ => "infeasible",
    };

    public static string ActionName(SlotMode mode) => mode switch
    {
        SlotMode.Charge => "charge",
        SlotMode.Discharge => "discharge",
        SlotMode.Hold => "hold",
        SlotMode.SelfUse => "self-use",
        _ => "export",
    };

    /// <summary>Whether the price of <paramref name="slot"/> is Octopus's published one or our estimate (issue 10).</summary>
    private static JsonObject PriceOrigin(View v, int slot)
    {
        var input = v.Input(slot);
        return new JsonObject
        {
            ["estimated"] = input?.PricesEstimated,
            ["price_source"] = input is null ? null : input.PricesEstimated ? "estimated" : "published",
            ["slot_start"] = input is null ? null : Iso(v.S.Plan!.Problem.SlotStart(slot)),
        };
    }

    private static string? Iso(DateTimeOffset? value) => value?.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);

    private static string OnOff(bool on) => on ? "ON" : "OFF";

    private static string Number(double? value, int decimals) =>
        value is { } v && double.IsFinite(v) ? Math.Round(v, decimals).ToString(CultureInfo.InvariantCulture) : Unknown;

    private static double? ToPounds(double? pence) => pence is { } p && double.IsFinite(p) ? Math.Round(p / 100, 5) : null;

    private static string Pounds(double? pence, int decimals) => Number(pence / 100, decimals);

    private static string Timestamp(DateTimeOffset? value) =>
        value is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) : Unknown;

    private static string Text(string? value) => value switch
    {
        null or "" => Unknown,
        { Length: > MaxStateLength } => string.Concat(value.AsSpan(0, MaxStateLength - 1), "…"),
        _ => value,
    };
}
