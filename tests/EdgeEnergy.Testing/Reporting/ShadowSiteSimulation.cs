using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Testing.Reporting;

/// <summary>
/// A site in shadow mode, simulated minute by minute with its own battery physics (not the product's plant model):
/// a scripted incumbent (night charge 00:30–04:30 at 3 kW, otherwise self-use to the 10 % reserve, an immersion timer
/// 02:00–03:00 at 3 kW inside the load) runs the battery, while EdgeEnergy plans every half hour from the measured
/// state, as the shadow service does. December days in Europe/London (= UTC). Deterministic for a seed. On the days
/// <c>edgeEnergyInControl</c> names (by index from the first day; an A/B schedule's A days) EdgeEnergy runs the battery
/// instead: each half hour the first slot of the plan it has just made (charge and discharge at the planned power, hold,
/// self-use), as the active service does.
/// Signs as <see cref="TelemetrySample"/>: battery + = discharging, grid + = importing.
/// </summary>
public sealed class ShadowSiteSimulation
{
    public const double CapacityKwh = 10;
    public const double ReserveKwh = 1;
    public const double MaxBatteryKw = 3;
    public const double MaxExportKw = 3.68;
    public const double TerminalValuePence = 10;
    public const double MinuteHours = 1 / 60.0;

    /// <summary>What the inverter is doing in a minute: forced charge or discharge at a power (kW), self-use with a
    /// discharge cap (kW), or idle.</summary>
    public enum Action { SelfUse, ForceCharge, ForceDischarge, Hold }

    public ShadowSiteSimulation(DateOnly firstDay, int days, IScheduleOptimiser optimiser, int seed = 16,
        double chargeEfficiency = 0.94, double dischargeEfficiency = 0.96, double standbyKw = 0.03, int horizonSlots = 32,
        Func<int, bool>? edgeEnergyInControl = null)
    {
        ArgumentNullException.ThrowIfNull(optimiser);
        (ChargeEfficiency, DischargeEfficiency, StandbyKw) = (chargeEfficiency, dischargeEfficiency, standbyKw);
        var random = new Random(seed);
        Start = new DateTimeOffset(firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var minutes = days * 1440;
        var slots = days * 48;
        LoadKw = new double[minutes];
        PvKw = new double[minutes];
        ImportPence = new double[slots];
        ExportPence = new double[slots];
        for (var d = 0; d < days; d++)
        {
            var dayOffset = random.NextDouble() * 8 - 4;
            var sun = 0.3 + random.NextDouble() * 1.7;
            for (var k = 0; k < 48; k++)
            {
                var hour = k / 2.0;
                var basePrice = hour < 5 ? 9 : hour < 16 ? 21 : hour < 19 ? 36 : 22;
                ImportPence[d * 48 + k] = Math.Round(basePrice + dayOffset + random.NextDouble() * 6 - 3, 2);
                ExportPence[d * 48 + k] = Math.Round(ImportPence[d * 48 + k] * 0.5 + 3, 2);
            }

            for (var m = 0; m < 1440; m++)
            {
                var hour = m / 60.0;
                var load = 0.35 + (hour is >= 7 and < 8.5 ? 1.2 : 0) + (hour is >= 17 and < 20 ? 2.0 : 0) + random.NextDouble() * 0.6 - 0.3;
                load += random.NextDouble() < 0.01 ? 2.5 : 0; // a kettle
                load += hour is >= 2 and < 3 ? 3.0 : 0; // the immersion timer
                LoadKw[d * 1440 + m] = Math.Max(0.05, load);
                PvKw[d * 1440 + m] = hour is > 9 and < 15 ? sun * Math.Sin(Math.PI * (hour - 9) / 6) * (0.8 + random.NextDouble() * 0.4) : 0;
            }
        }

        var soc = 5.0;
        var telemetry = new List<TelemetrySample>(minutes);
        var plans = new List<PlanRecord>(slots);
        for (var m = 0; m < minutes; m++)
        {
            var now = Start.AddMinutes(m);
            var measuredSoc = Math.Round(soc / CapacityKwh * 100); // the inverter reports whole percent
            if (m % 30 == 0)
            {
                plans.Add(Plan(optimiser, plans.Count + 1, now, m / 30, measuredSoc / 100 * CapacityKwh, horizonSlots));
            }

            var hour = m % 1440 / 60.0;
            var (action, kw) = edgeEnergyInControl?.Invoke(m / 1440) == true ? Follow(plans[^1].Plan)
                : hour is >= 0.5 and < 4.5 ? (Action.ForceCharge, MaxBatteryKw) : (Action.SelfUse, double.PositiveInfinity);
            var f = Step(ref soc, action, kw, LoadKw[m], PvKw[m]);
            telemetry.Add(new TelemetrySample(now, measuredSoc, (f.DischargeKwh - f.ChargeKwh) / MinuteHours * 1000,
                (f.ImportKwh - f.ExportKwh) / MinuteHours * 1000, LoadKw[m] * 1000, f.PvUsedKw * 1000));
            ActualBillPence += f.ImportKwh * ImportPence[m / 30] - f.ExportKwh * ExportPence[m / 30];
        }

        // The minute after the last day, so its end-of-day state of charge is measured.
        telemetry.Add(new TelemetrySample(Start.AddMinutes(minutes), Math.Round(soc / CapacityKwh * 100), 0, 0, 0, 0));
        Telemetry = telemetry;
        Plans = plans;
    }

    public DateTimeOffset Start { get; }
    public double ChargeEfficiency { get; }
    public double DischargeEfficiency { get; }
    public double StandbyKw { get; }
    public double[] LoadKw { get; }
    public double[] PvKw { get; }
    public double[] ImportPence { get; }
    public double[] ExportPence { get; }
    public IReadOnlyList<TelemetrySample> Telemetry { get; }
    public IReadOnlyList<PlanRecord> Plans { get; }

    /// <summary>The incumbent's bill over the whole simulation, minute by minute (pence).</summary>
    public double ActualBillPence { get; }

    public IReadOnlyList<Rate> Rates(double[] pence) =>
        [.. pence.Select((p, k) => new Rate(Start.AddMinutes(30 * k), Start.AddMinutes(30 * (k + 1)), p))];

    /// <summary>The battery as configured: the efficiencies are the datasheet's, not the true ones.</summary>
    public static BatterySpec ConfiguredBattery(double socKwh) => new()
    {
        CapacityKwh = CapacityKwh, SocKwh = socKwh, MinSocKwh = ReserveKwh, MaxSocKwh = CapacityKwh,
        MaxChargeKw = MaxBatteryKw, MaxDischargeKw = MaxBatteryKw, ChargeEfficiency = 0.95, DischargeEfficiency = 0.95,
    };

    public static GridSpec Grid { get; } = new() { MaxImportKw = 15, MaxExportKw = MaxExportKw };

    /// <summary>One minute of the true plant (energies in kWh over the minute; <paramref name="kw"/> is the forced power or the self-use discharge cap).</summary>
    public MinuteFlows Step(ref double soc, Action action, double kw, double loadKw, double pvKw)
    {
        var h = MinuteHours;
        var room = Math.Max(0, CapacityKwh - soc) / ChargeEfficiency;
        var available = Math.Max(0, soc - ReserveKwh) * DischargeEfficiency;
        double charge = 0, discharge = 0;
        switch (action)
        {
            case Action.ForceCharge:
                charge = Math.Min(Math.Min(kw, MaxBatteryKw) * h, room);
                break;
            case Action.ForceDischarge:
                discharge = Math.Min(Math.Min(Math.Min(kw, MaxBatteryKw) * h, available), Math.Max(0, loadKw - pvKw) * h + MaxExportKw * h);
                break;
            case Action.SelfUse when pvKw >= loadKw:
                charge = Math.Min(Math.Min((pvKw - loadKw) * h, MaxBatteryKw * h), room);
                break;
            case Action.SelfUse:
                discharge = Math.Min(Math.Min((loadKw - pvKw) * h, Math.Min(kw, MaxBatteryKw) * h), available);
                break;
            default:
                break;
        }

        var net = (loadKw - pvKw) * h + charge - discharge;
        var export = Math.Min(Math.Max(0, -net), MaxExportKw * h);
        var curtailed = Math.Max(0, -net) - export;
        soc += ChargeEfficiency * charge - discharge / DischargeEfficiency - StandbyKw * h;
        return new MinuteFlows(Math.Max(0, net), export, charge, discharge, pvKw - curtailed / h);
    }

    /// <summary>What the active service makes of a plan's first slot: forced charge or discharge at the planned power (kW), hold, or self-use.</summary>
    private static (Action Action, double Kw) Follow(Plan plan)
    {
        if (plan.Slots.Count == 0)
        {
            return (Action.SelfUse, double.PositiveInfinity);
        }

        var slot = plan.Slots[0];
        return slot.Mode switch
        {
            SlotMode.Charge => (Action.ForceCharge, slot.ChargeKwh / 0.5),
            SlotMode.Discharge or SlotMode.Export => (Action.ForceDischarge, slot.DischargeKwh / 0.5),
            SlotMode.Hold => (Action.Hold, 0),
            _ => (Action.SelfUse, double.PositiveInfinity),
        };
    }

    /// <summary>The energy (kWh) of a per-minute power series <paramref name="kw"/> over half hour <paramref name="slot"/>.</summary>
    public static double SlotKwh(double[] kw, int slot) => kw.AsSpan(slot * 30, 30).ToArray().Sum() * MinuteHours;

    /// <summary>EdgeEnergy's plan at half hour <paramref name="slot"/>: from the measured state, load and solar forecast as
    /// the same half hour a day earlier (persistence; a flat 0.3 kWh and no solar on the first day), the published
    /// prices, the configured battery.</summary>
    private PlanRecord Plan(IScheduleOptimiser optimiser, long id, DateTimeOffset now, int slot, double socKwh, int horizonSlots)
    {
        var count = Math.Min(horizonSlots, ImportPence.Length - slot);
        var problem = new PlanProblem
        {
            Start = now,
            SlotMinutes = 30,
            Battery = ConfiguredBattery(socKwh),
            Grid = Grid,
            TerminalValuePencePerKwh = TerminalValuePence,
            Slots = [.. Enumerable.Range(slot, count).Select(k => new SlotInput
            {
                ImportPence = ImportPence[k], ExportPence = ExportPence[k],
                LoadKwh = k >= 48 ? SlotKwh(LoadKw, k - 48) : 0.3, PvKwh = k >= 48 ? SlotKwh(PvKw, k - 48) : 0,
            })],
        };
        return new PlanRecord(id, now, PlanningTrigger.Scheduled, problem, optimiser.Solve(problem));
    }

    public readonly record struct MinuteFlows(double ImportKwh, double ExportKwh, double ChargeKwh, double DischargeKwh, double PvUsedKw);
}
