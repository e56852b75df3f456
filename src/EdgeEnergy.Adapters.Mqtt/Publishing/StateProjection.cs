using System.Globalization;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Mqtt.Discovery;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.State;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Adapters.Mqtt.Publishing;

/// <summary>
/// Turns an <see cref="ApplianceState"/> into the payloads of the state and attribute topics, by the value and
/// attribute names the entity definitions use. Unknown values are published as <c>None</c>, which Home Assistant shows
/// as "unknown". Prices and money go out in GBP (the energy dashboard wants currency/kWh); powers keep our signs.
/// </summary>
internal static class StateProjection
{
    /// <summary>What Home Assistant reads as an unknown value.</summary>
    public const string Unknown = "None";

    /// <summary>Longest state Home Assistant stores (longer states are rejected).</summary>
    public const int MaxStateLength = 255;

    private delegate string ValueOf(ApplianceState state, DateTimeOffset now, ImmersionState? immersion);

    private delegate JsonObject AttributesOf(ApplianceState state, DateTimeOffset now, ImmersionState? immersion);

    private static readonly Dictionary<string, ValueOf> s_values = new(StringComparer.Ordinal)
    {
        ["batterySocPercent"] = (s, _, _) => Number(s.BatterySocPercent, 1),
        ["batteryPowerW"] = (s, _, _) => Number(s.BatteryPowerW, 0),
        ["pvPowerW"] = (s, _, _) => Number(s.PvPowerW, 0),
        ["gridPowerW"] = (s, _, _) => Number(s.GridPowerW, 0),
        ["loadPowerW"] = (s, _, _) => Number(s.LoadPowerW, 0),
        ["gridImportEnergyKwh"] = (s, _, _) => Number(s.GridImportEnergyKwh, 3),
        ["gridExportEnergyKwh"] = (s, _, _) => Number(s.GridExportEnergyKwh, 3),
        ["importPriceNow"] = (s, _, _) => Pounds(s.ImportPricePencePerKwh, 5),
        ["importPriceNext"] = (s, _, _) => Pounds(s.NextImportPricePencePerKwh, 5),
        ["exportPriceNow"] = (s, _, _) => Pounds(s.ExportPricePencePerKwh, 5),
        ["exportPriceNext"] = (s, _, _) => Pounds(s.NextExportPricePencePerKwh, 5),
        ["planStatus"] = (s, _, _) => s.PlanStatus is { } p ? PlanStatusName(p) : Unknown,
        ["currentAction"] = (s, _, _) => s.CurrentAction is { } a ? ActionName(a) : Unknown,
        ["currentActionReason"] = (s, _, _) => Text(s.CurrentActionReason),
        ["nextAction"] = (s, _, _) => s.NextAction is { } a ? ActionName(a) : Unknown,
        ["nextActionStart"] = (s, _, _) => Timestamp(s.NextActionStartUtc),
        ["costToday"] = (s, _, _) => Pounds(s.ExpectedCostTodayPence, 2),
        ["costTodayWithoutBattery"] = (s, _, _) => Pounds(s.ExpectedCostTodayWithoutBatteryPence, 2),
        ["pricesUpdated"] = (s, _, _) => Timestamp(s.PricesUpdatedUtc),
        ["forecastUpdated"] = (s, _, _) => Timestamp(s.ForecastUpdatedUtc),
        ["telemetryUpdated"] = (s, _, _) => Timestamp(s.TelemetryUpdatedUtc),
        ["inverterWrites"] = (s, _, _) => s.InverterWrites.ToString(CultureInfo.InvariantCulture),
        ["inverterWriteFailures"] = (s, _, _) => s.InverterWriteFailures.ToString(CultureInfo.InvariantCulture),
        ["fallbackActive"] = (s, _, _) => OnOff(s.FallbackActive),
        ["overrideMode"] = (s, now, _) => (ActiveOverride(s, now)?.Mode ?? OverrideMode.Auto).ToWire(),
        ["overrideDurationMinutes"] = (s, _, _) => s.OverrideDurationMinutes.ToString(CultureInfo.InvariantCulture),
        ["overrideRemainingMinutes"] = (s, now, _) => RemainingMinutes(s, now).ToString(CultureInfo.InvariantCulture),
        ["reserveSocPercent"] = (s, _, _) => Number(s.ReserveSocPercent, 1),
        ["immersionEnabled"] = (_, _, i) => i is null ? Unknown : OnOff(i.Enabled),
        ["immersionHeating"] = (_, _, i) => i is null ? Unknown : OnOff(i.Heating),
    };

    private static readonly Dictionary<string, AttributesOf> s_attributes = new(StringComparer.Ordinal)
    {
        ["currentAction"] = (s, _, _) => new JsonObject { ["reason"] = s.CurrentActionReason },
        ["nextAction"] = (s, _, _) => new JsonObject { ["start"] = s.NextActionStartUtc?.UtcDateTime.ToString("o", CultureInfo.InvariantCulture) },
        ["fallback"] = (s, _, _) => new JsonObject { ["cause"] = s.FallbackActive ? s.FallbackCause : null },
        ["costToday"] = (s, _, _) => new JsonObject
        {
            ["without_battery_gbp"] = ToPounds(s.ExpectedCostTodayWithoutBatteryPence),
            ["saving_gbp"] = s.ExpectedCostTodayPence is { } with && s.ExpectedCostTodayWithoutBatteryPence is { } without
                ? Math.Round((without - with) / 100, 2) : null,
        },
        ["override"] = (s, now, _) => ActiveOverride(s, now) is { } o
            ? new JsonObject
            {
                ["mode"] = o.Mode.ToWire(),
                ["power_w"] = o.PowerW,
                ["reserve_soc_percent"] = o.ReserveSocPercent,
                ["start"] = o.StartUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                ["expires"] = o.ExpiresUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                ["source"] = o.Source,
            }
            : new JsonObject { ["mode"] = "auto" },
        ["immersion"] = (_, _, i) => new JsonObject
        {
            ["boost_until"] = i?.BoostUntilUtc?.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
        },
    };

    public static IReadOnlySet<string> ValueNames { get; } = s_values.Keys.ToHashSet(StringComparer.Ordinal);

    public static IReadOnlySet<string> AttributeNames { get; } = s_attributes.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>The override in force at <paramref name="now"/> (an expired one counts as none).</summary>
    public static Override? ActiveOverride(ApplianceState state, DateTimeOffset now) =>
        state.Override is { } o && o.IsActiveAt(now) ? o : null;

    /// <summary>Whole minutes left, rounded up (30 s left shows 1); 0 without an override.</summary>
    public static int RemainingMinutes(ApplianceState state, DateTimeOffset now) =>
        ActiveOverride(state, now) is { } o ? (int)Math.Ceiling(o.RemainingAt(now).TotalMinutes) : 0;

    /// <summary>The state and attribute messages of <paramref name="instances"/>.</summary>
    public static IEnumerable<OutboundMessage> Project(IEnumerable<EntityInstance> instances, DiscoveryBuilder discovery, ApplianceState state, DateTimeOffset now)
    {
        foreach (var instance in instances)
        {
            var d = instance.Definition;
            var immersion = instance.ImmersionId is { } id ? state.Immersions.FirstOrDefault(i => i.Id == id) : null;
            if (d.Value is not null && discovery.StateTopic(instance) is { } stateTopic)
            {
                yield return new OutboundMessage(stateTopic, s_values[d.Value](state, now, immersion), d.Qos, Retain: true);
            }

            if (d.Attributes is not null && discovery.AttributesTopic(instance) is { } attributesTopic)
            {
                yield return new OutboundMessage(attributesTopic, s_attributes[d.Attributes](state, now, immersion).ToJsonString(), d.Qos, Retain: true);
            }
        }
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
