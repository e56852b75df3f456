using EdgeEnergy.Control.Supervision;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Runs the control loop every poll and feeds the systemd watchdog only while the loop is healthy (telemetry read
/// and command accepted), so a hung or failing loop gets the service restarted while the inverter's own remote-control
/// timeout keeps the battery safe.
/// </summary>
internal sealed partial class ControlLoopService(
    ControlLoop loop, IOptions<ControlOptions> options, TimeProvider time,
    ILogger<ControlLoopService> logger, ISystemdNotifier? notifier = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var result = await loop.RunOnceAsync(stoppingToken);
            if (result.Healthy)
            {
                notifier?.Notify(new ServiceState("WATCHDOG=1"));
            }
            else
            {
                LogUnhealthy(logger, result.Problem ?? "no command could be sent");
            }

            try
            {
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(5100, LogLevel.Warning, "Control loop unhealthy, watchdog not fed: {Problem}")]
    private static partial void LogUnhealthy(ILogger logger, string problem);
}
