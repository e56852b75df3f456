namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Wakes at each UK midnight (on the injected <see cref="TimeProvider"/>) and has the <see cref="ControlModeService"/>
/// put the A/B schedule's mode for the new day in force (<c>Control:AbSchedule</c>, issue 16 §4). Nothing to do with
/// the schedule off. First, after a start on a B day, the hand-back that day's midnight would have made
/// (<see cref="ControlModeService.HandBackIfStartedOnBDayAsync"/>): here rather than in the mode service's start, so a slow
/// or absent inverter does not hold up the host's start. A failed switch is logged and tried again a minute later. It
/// reads the clock at least once a minute while it waits (<see cref="WaitUntilAsync"/>).
/// </summary>
internal sealed class AbScheduleService(ControlModeService mode, TimeProvider time, ILogger<AbScheduleService> logger) : BackgroundService
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    /// <summary>The longest single wait: the clock is read again at least this often.</summary>
    public static readonly TimeSpan ClockCheck = TimeSpan.FromMinutes(1);

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
            var due = retry ? now + RetryAfter : mode.Schedule.NextSwitchUtc(now);
            try
            {
                await WaitUntilAsync(due, stoppingToken);
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

    /// <summary>
    /// Waits until the clock reads <paramref name="due"/>, in steps of at most <see cref="ClockCheck"/>, reading the clock
    /// again after each. One long delay counts elapsed time, not the wall clock: when NTP sets the clock of a Pi that
    /// booted without one, or the clock is stepped, the switch would come hours from UK midnight; and a delay measured
    /// from a clock read a moment before it is set up ends that moment late.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        while (time.GetUtcNow() is var now && now < due)
        {
            var left = due - now;
            await Task.Delay(left < ClockCheck ? left : ClockCheck, time, stoppingToken);
        }
    }
}
