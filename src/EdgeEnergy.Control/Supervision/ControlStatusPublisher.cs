using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;

namespace EdgeEnergy.Control.Supervision;

/// <summary>What one poll found and did, as the status read model shows it.</summary>
public sealed record PollReport(
    DateTimeOffset Now, TelemetryReading Reading, ControlDecision Decision, InverterCommand Command, string? Problem,
    FallbackState Fallback, CostToday? CostToday, Override? Override, long WritesApplied, long WritesFailed);

/// <summary>
/// Projects each poll onto the status read model the API, the dashboard and Home Assistant show: the inverter's and
/// the planner's health, the inverter's freshness, the live telemetry, the recommendation, today's cost, the fallback,
/// the override and the immersion relays.
/// </summary>
public sealed class ControlStatusPublisher(IApplianceStatusPublisher publisher, BatteryPath primary, ControlOptions options, ImmersionSwitcher? immersions)
{
    /// <summary>
    /// The component and the data source every poll reports the inverter under, healthy, degraded or unhealthy: until
    /// it is there, the control loop has not finished a poll (/healthz says "starting").
    /// </summary>
    public const string Inverter = "inverter";

    public void Publish(PollReport r)
    {
        var (now, t, path, problem, decision) = (r.Now, r.Reading.Telemetry, r.Reading.Path, r.Problem, r.Decision);
        var inverterHealth = t is not null && path == primary
            ? new ComponentHealth(Inverter, HealthState.Healthy, $"{primary.Name}: telemetry read", now)
            : t is not null
                ? new ComponentHealth(Inverter, HealthState.Degraded, $"Modbus down, carrying on through {path.Name}: {problem}", now)
                : new ComponentHealth(Inverter, HealthState.Unhealthy, problem ?? "no telemetry", now);
        var controlHealth = decision.FallbackCause is { } cause
            ? new ComponentHealth("planner", HealthState.Degraded, $"fallback rules in charge: {cause}", now)
            : new ComponentHealth("planner", HealthState.Healthy, $"following the {decision.Source.ToString().ToLowerInvariant()}", now);
        publisher.Update(s => s.WithComponent(inverterHealth).WithComponent(controlHealth) with
        {
            Sources =
            [
                .. s.Sources.Where(f => f.Source != Inverter),
                new SourceFreshness
                {
                    Source = Inverter,
                    LastSuccessUtc = t is not null ? now : s.Sources.FirstOrDefault(f => f.Source == Inverter)?.LastSuccessUtc,
                    LastAttemptUtc = now,
                    LastError = t is null ? problem : null,
                    MaxAge = TimeSpan.FromSeconds(options.PollSeconds * 3),
                },
            ],
            Telemetry = t is null ? s.Telemetry : new LiveTelemetry
            {
                MeasuredAtUtc = now,
                BatterySocPercent = t.BatterySocPercent ?? s.Telemetry?.BatterySocPercent ?? 0,
                SocMeasuredAtUtc = t.BatterySocPercent is not null ? now : s.Telemetry?.SocMeasuredAtUtc,
                BatteryPowerW = t.BatteryPowerW ?? 0,
                PvPowerW = t.PvPowerW ?? 0,
                GridPowerW = t.GridPowerW ?? 0,
                LoadPowerW = t.LoadPowerW ?? 0,
                GridImportEnergyKwh = t.GridImportEnergyTotalKwh ?? s.Telemetry?.GridImportEnergyKwh,
                GridExportEnergyKwh = t.GridExportEnergyTotalKwh ?? s.Telemetry?.GridExportEnergyKwh,
            },
            Recommendation = new Recommendation
            {
                Mode = decision.Mode,
                PowerW = r.Command.PowerW ?? 0,
                Reason = decision.Reason,
                ValidUntilUtc = decision.ValidUntilUtc,
                Source = decision.Source,
            },
            CostToday = r.CostToday ?? s.CostToday,
            Fallback = r.Fallback,
            Override = r.Override is { } o
                ? new OverrideState(true, decision.Mode, r.Command.PowerW, decision.Reason, o.ExpiresUtc)
                : OverrideState.None,
            UserOverride = r.Override,
            InverterWrites = r.WritesApplied,
            InverterWriteFailures = r.WritesFailed,
            Immersions = immersions is null ? s.Immersions : [.. s.Immersions.Select(i => i with { Heating = immersions.IsOn(i.Id), BoostUntilUtc = immersions.BoostUntil(i.Id) })],
        });
    }
}
