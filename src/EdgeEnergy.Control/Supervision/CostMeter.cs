using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.Units;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Today's bill from measured grid power and the stored prices, beside what the same day would have cost with no
/// battery (grid power plus battery power: what the battery supplied would have been imported, what it stored
/// would have been exported). Resets at UK midnight; intervals longer than two and a half polls are not guessed at.
/// </summary>
public sealed class CostMeter(IRateStore rates, ControlOptions options)
{
    private (DateTimeOffset At, InverterTelemetry Telemetry)? _lastReading;

    public CostToday? Today { get; private set; }

    public async Task AddAsync(DateTimeOffset now, InverterTelemetry t, RateSeries import, CancellationToken cancellationToken)
    {
        var dayStart = UkTime.ToUtc(DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime), TimeOnly.MinValue);
        if (Today is null || Today.SinceUtc != dayStart)
        {
            Today = new CostToday { SinceUtc = dayStart, CostPence = 0, NoBatteryCostPence = 0 };
        }

        if (_lastReading is { } last && now > last.At && now - last.At <= TimeSpan.FromSeconds(options.PollSeconds * 2.5)
            && last.Telemetry.GridPowerW is { } gridW && import.TryGetAt(last.At, out var importRate))
        {
            var export = await rates.GetAsync(RateKind.Export, new TimeRange(last.At.AddMinutes(-30), last.At.AddMinutes(1)), cancellationToken);
            var exportPence = new RateSeries(export).TryGetAt(last.At, out var e) ? e.Pence : 0;
            var hours = (now - last.At).TotalHours;
            double Cost(double w) => Energy.Kwh(w, hours) * (w >= 0 ? importRate.Pence : exportPence);
            Today = Today with
            {
                CostPence = Today.CostPence + Cost(gridW),
                NoBatteryCostPence = Today.NoBatteryCostPence + Cost(gridW + (last.Telemetry.BatteryPowerW ?? 0)),
            };
        }

        _lastReading = (now, t);
    }
}
