using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Options;
using Quartz;

namespace EdgeEnergy.Host.Scheduling;

/// <summary>
/// Every <c>Scheduling:ForecastSkillMinutes</c> (and a few minutes after start), off the planning path: scores the load
/// and solar forecasts the stored plans stood on against the measured half hours of the last
/// <c>Scheduling:ForecastSkillDays</c> (<see cref="ForecastEvaluation.SkillOfPlanned"/>, the backtest's lead bands),
/// and puts the result in the status (<see cref="ApplianceSnapshot.ForecastSkill"/>), from which the API, the dashboard
/// and the metrics read it. One SQLite read of the plans' forecasts and of the telemetry; no solve.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ForecastSkillJob(
    IPlannedForecastHistory plans, ITelemetryStore telemetry, IApplianceStatusPublisher status, IOptions<JobScheduleOptions> options,
    TimeProvider time, ILogger<ForecastSkillJob> logger) : IJob
{
    public static readonly JobKey Key = new("forecast-skill", "data");

    /// <summary>The first run after a start: late enough not to compete with the first planning cycle for the store.</summary>
    public static readonly TimeSpan AfterStart = TimeSpan.FromMinutes(3);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, () => RunAsync(cancellationToken));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var days = options.Value.ForecastSkillDays;
        // Whole half hours only: the one in progress has no measurement yet.
        var to = PlanProblemBuilder.Floor(now);
        var from = to.AddDays(-days);
        // A day more of measurements than scored: persistence's "same slot yesterday" for the first day, and the plans
        // made that day, whose forecasts reach up to 24 h into the window.
        var measuredFrom = from.AddDays(-1);
        var forecasts = await plans.GetPlannedForecastsAsync(measuredFrom, to, cancellationToken);
        var (loadKwh, pvKwh) = await MeasuredHistory.SlotsAsync(telemetry, to, days + 1, cancellationToken);
        var skills = ForecastEvaluation.SkillOfPlanned(forecasts, measuredFrom, loadKwh, pvKwh);
        var report = ForecastSkillSummary.Of(skills, now, from, to);
        status.Update(s => s with { ForecastSkill = report });
        var nearest = report.Bands.Where(b => b.FromHours == 0).ToDictionary(b => b.Quantity, StringComparer.Ordinal);
        logger.ForecastSkillScored(from, to, report.Slots,
            nearest.GetValueOrDefault("load")?.MaeKwh, nearest.GetValueOrDefault("load")?.PersistenceMaeKwh,
            nearest.GetValueOrDefault("solar")?.MaeKwh, nearest.GetValueOrDefault("solar")?.PersistenceMaeKwh);
    }
}
