using EdgeEnergy.Control.Fallback;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>
/// Keeps the inverter's own charge period for the day this controller stops (<see cref="NativeFallbackPlanner"/>):
/// written once a day and when it changes, never in shadow mode, and again after a spell in shadow.
/// </summary>
public sealed class NativeScheduleKeeper(INativeScheduleWriter writer, SiteOptions site, string target, IAuditLog audit, ILogger logger)
{
    private DateOnly? _day;
    private string? _written;

    /// <summary>In shadow nothing is written, and what was written before no longer counts as in force.</summary>
    public void Forget() => _written = null;

    public async Task KeepAsync(DateTimeOffset now, RateSeries import, CancellationToken cancellationToken)
    {
        var schedule = NativeFallbackPlanner.Plan(now, import, site);
        if (schedule is null)
        {
            return;
        }

        var key = $"{schedule.Period.Start}-{schedule.Period.End}-{schedule.MinSocPercent}";
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime);
        if (key == _written && _day == today)
        {
            return;
        }

        try
        {
            var outcome = await writer.WriteAsync(schedule.Period, schedule.MinSocPercent, cancellationToken);
            if (outcome == NativeScheduleOutcome.InForce)
            {
                (_written, _day) = (key, today);
                logger.NativeFallbackWritten(schedule.Reason);
                await audit.RecordAsync(new AuditEntry(now, target, $"charge-period {schedule.Period.Start:HH\\:mm}-{schedule.Period.End:HH\\:mm} min-soc-on-grid={schedule.MinSocPercent:0}%", "ok", schedule.Reason), cancellationToken);
            }
            else
            {
                (_written, _day) = (outcome == NativeScheduleOutcome.NotSupported ? key : null, today);
                logger.NativeFallbackFailed(outcome == NativeScheduleOutcome.NotSupported ? "this inverter family has no charge periods" : "the daily budget of persistent writes is used up");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.NativeFallbackFailed(e.Message);
        }
    }
}
