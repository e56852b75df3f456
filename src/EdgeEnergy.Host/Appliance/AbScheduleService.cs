namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Wakes at each UK midnight (on the injected <see cref="TimeProvider"/>) and has the <see cref="ControlModeService"/>
/// put the A/B schedule's mode for the new day in force (<c>Control:AbSchedule</c>, issue 16 §4). Nothing to do with
/// the schedule off. First, after a start on a B day, the hand-back that day's midnight would have made
/// (<see cref="ControlModeService.HandBackIfStartedOnBDayAsync"/>): here rather than in the mode service's start, so a slow
/// or absent inverter does not hold up the host's start. A failed switch is logged and tried again a minute later.
/// </summary>
internal sealed class AbScheduleService(ControlModeService mode, TimeProvider time, ILogger<AbScheduleService> logger) : BackgroundService
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!mode.Schedule.Enabled)
        {
            return;
        }

        var retry = false;
        try
        {
            await mode.HandBackIfStartedOnBDayAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.AbScheduleStartHandBackFailed(e);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var wait = retry ? RetryAfter : mode.Schedule.NextSwitchUtc(now) - now;
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken);
                await mode.ApplyScheduleAsync(stoppingToken);
                retry = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.AbScheduleSwitchFailed(e);
                retry = true;
            }
        }
    }
}
