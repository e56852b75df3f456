using EdgeEnergy.Control.Ev;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Drives the car's loadpoint from the plan in force every control poll (<c>Control:PollSeconds</c>), apart from the
/// battery's control loop so a slow or absent evcc never delays a battery command. On stop the loadpoint is left in
/// <c>pv</c> with the deadline plan set in evcc. Idle when <c>Ev:EvccUrl</c> is empty. While Octopus dispatches the car
/// (Intelligent Octopus Go, issue 19 §2) nothing is sent to evcc: Octopus drives the car then, and the house is planned
/// around the dispatch; the log and the audit log say so once per dispatch. evcc is still read every poll then, so the
/// car's power stays out of the house load and an unplugged car is seen at once (replan, "charge now" ended).
/// </summary>
internal sealed partial class EvChargingService(
    EvCharging charging, PlanInForce plan, IOptions<ControlOptions> options, TimeProvider time, ILogger<EvChargingService> logger,
    IPlannedDispatches? dispatches = null, IAuditLog? audit = null) : BackgroundService
{
    private PlannedDispatch? _yielding;

    /// <summary>One poll: during a dispatch Octopus lists now, only a look at the car; else the car's step from the plan in force.</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (dispatches?.Current?.At(now) is { } dispatch)
        {
            if (dispatch != _yielding)
            {
                _yielding = dispatch;
                var why = $"Octopus dispatches the car {dispatch.StartUtc:HH:mm}–{dispatch.EndUtc:HH:mm} UTC ({dispatch.Kind.ToString().ToLowerInvariant()}): EdgeEnergy sends evcc nothing until it ends";
                LogYielding(logger, why);
                if (audit is not null)
                {
                    await audit.RecordAsync(new AuditEntry(now, "evcc", "none (Octopus dispatch)", "skipped", why), cancellationToken);
                }
            }

            await charging.ObserveAsync(cancellationToken);
            return;
        }

        _yielding = null;
        await charging.StepAsync(plan.Current, cancellationToken);
    }

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
                await StepAsync(stoppingToken);
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

    [LoggerMessage(5102, LogLevel.Information, "{Why}")]
    private static partial void LogYielding(ILogger logger, string why);
}
