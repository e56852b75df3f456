using EdgeEnergy.Control.Ev;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Drives the car's loadpoint from the plan in force every control poll (<c>Control:PollSeconds</c>), apart from the
/// battery's control loop so a slow or absent evcc never delays a battery command. On stop the loadpoint is left in
/// <c>pv</c> with the deadline plan set in evcc. Idle when <c>Ev:EvccUrl</c> is empty.
/// </summary>
internal sealed partial class EvChargingService(
    EvCharging charging, PlanInForce plan, IOptions<ControlOptions> options, TimeProvider time, ILogger<EvChargingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!charging.Enabled)
        {
            return;
        }

        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await charging.StepAsync(plan.Current, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStepFailed(logger, e);
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await charging.StopAsync(cancellationToken);
    }

    [LoggerMessage(5101, LogLevel.Error, "Car charging step failed; the loop goes on")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);
}
