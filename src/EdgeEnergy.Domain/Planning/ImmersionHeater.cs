namespace EdgeEnergy.Domain.Planning;

/// <summary>
/// An immersion heater and its daily windows: the one model of a heater. The service builds it from
/// <c>Site:Immersions</c> (a <c>ReadyBy</c> time is one window ending there), the backtest from SITE.json; both lay it
/// onto a plan's horizon with <see cref="HeatWindows.Lay"/>.
/// </summary>
public sealed record ImmersionHeater
{
    public required string Id { get; init; }

    /// <summary>Element power, kW.</summary>
    public required double PowerKw { get; init; }

    /// <summary>What a kWh of hot water is worth (the gas it saves), pence.</summary>
    public double ValuePencePerKwh { get; init; }

    public IReadOnlyList<DailyImmersionWindow> Windows { get; init; } = [];
}

/// <summary>
/// Every day, between <see cref="FromLocal"/> and <see cref="ToLocal"/> (local time; a window ending at or before its
/// start ends the next day, so equal times are a 24-hour window) the heater must deliver at least
/// <see cref="MinKwh"/> and at most <see cref="MaxKwh"/> (null: no cap beyond the element's power).
/// </summary>
public sealed record DailyImmersionWindow
{
    public required TimeOnly FromLocal { get; init; }
    public required TimeOnly ToLocal { get; init; }
    public double MinKwh { get; init; }
    public double? MaxKwh { get; init; }

    /// <summary>The window's length on a day without a clock change, hours (equal times: 24).</summary>
    public double NominalHours => (ToLocal > FromLocal ? ToLocal - FromLocal : ToLocal - FromLocal + TimeSpan.FromDays(1)).TotalHours;
}

/// <summary>
/// One day's occurrence of a heater's window: the heater, the window's index in <see cref="ImmersionHeater.Windows"/>,
/// and the local date it opens on. What a window has delivered is recorded under this key, by the service (from its
/// relays, in the store) and by the backtest (from its simulation).
/// </summary>
public readonly record struct HeatWindowKey(string HeaterId, int Window, DateOnly OpensOn);

/// <summary>
/// One occurrence of a daily window placed on a slot grid: slots [<see cref="FromSlot"/>, <see cref="ToSlot"/>) counted
/// from the grid's origin (either may lie outside the horizon asked for), and the minimum the whole occurrence owes,
/// already capped by what the element can deliver in it (a window on a clock-change day may be an hour short).
/// </summary>
public sealed record PlacedHeatWindow(HeatWindowKey Key, int FromSlot, int ToSlot, double MinKwh, double? MaxKwh);
