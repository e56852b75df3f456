using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Backtest;

/// <summary>One half hour of history (docs/contracts.md section 3): prices in pence/kWh, energies in kWh in the slot.</summary>
public sealed record HistorySlot(
    DateTimeOffset Start, double ImportPence, double ExportPence, double LoadKwh, double PvKwh, double? PvForecastKwh)
{
    /// <summary>What grid flows cost in this slot, pence: import at the import price less export at the export price.</summary>
    public double BillPence(SiteFlows flows) => flows.ImportKwh * ImportPence - flows.ExportKwh * ExportPence;

    /// <summary>The car in this slot (the optional EV columns); null when the history has none.</summary>
    public HistoryEv? Ev { get; init; }
}

/// <summary>
/// The EV columns of one slot: whether the car is plugged in and, while it is, its session's need (kWh into the car's
/// battery, after the charger's efficiency) and deadline; every slot of a session states the same need and deadline.
/// </summary>
public sealed record HistoryEv(bool Plugged, double NeedKwh, DateTimeOffset DeadlineUtc)
{
    public static readonly HistoryEv Unplugged = new(false, 0, default);
}

/// <summary>The history: contiguous 30-minute slots in time order.</summary>
public sealed record BacktestHistory(IReadOnlyList<HistorySlot> Slots)
{
    public const int SlotMinutes = 30;
    public const double SlotHours = SlotMinutes / 60.0;

    public bool HasPvForecast => Slots.Count > 0 && Slots.All(s => s.PvForecastKwh is not null);

    /// <summary>Whether the history has the EV columns (<c>ev_plugged</c>, <c>ev_need_kwh</c>, <c>ev_deadline_utc</c>).</summary>
    public bool HasEv => Slots.Count > 0 && Slots[0].Ev is not null;

    /// <summary>How the import column's prices became known (what a replan at each moment may see): Agile's rule unless the compare put another tariff's prices in.</summary>
    public TariffKnowledge ImportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>How the export column's prices became known.</summary>
    public TariffKnowledge ExportTariff { get; init; } = TariffKnowledge.Agile;

    /// <summary>
    /// Index of the first slot starting at or after <paramref name="utc"/>, counted from the first slot on the 30-minute
    /// grid (not clamped: before the history it is ≤ 0, after it ≥ the slot count).
    /// </summary>
    public int SlotAtOrAfter(DateTimeOffset utc) =>
        (int)Math.Ceiling((utc - Slots[0].Start).TotalMinutes / SlotMinutes - 1e-9);
}

/// <summary>
/// The site of a backtest (SITE.json): the battery (its <c>socKwh</c> is the state at the first slot), grid limits,
/// immersion heaters with daily windows in local time, and the time zone those windows and Agile's publication
/// time are read in.
/// </summary>
public sealed record BacktestSite
{
    public required BatterySpec Battery { get; init; }
    public GridSpec Grid { get; init; } = new();
    public IReadOnlyList<ImmersionHeater> Immersions { get; init; } = [];
    public string TimeZone { get; init; } = "Europe/London";

    /// <summary>The car's charger (SITE.json's <c>ev</c>: minKw, maxKw, efficiency; no needs — those come from the history's EV columns).</summary>
    public EvSpec? Ev { get; init; }
}

/// <summary>Bad history or site input: the message names the file, the line or field, and what is wrong.</summary>
public sealed class BacktestInputException(string message) : Exception(message);
