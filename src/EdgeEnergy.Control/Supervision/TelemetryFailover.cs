using EdgeEnergy.Domain.Inverter;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Control.Supervision;

/// <summary>One poll's reading: the telemetry (null when no path answered), the path it came through and what failed.</summary>
public sealed record TelemetryReading(InverterTelemetry? Telemetry, BatteryPath Path, string? Problem);

/// <summary>
/// Reads the inverter each poll: Modbus first; after <see cref="ControlOptions.HomeAssistantAfterFailedPolls"/> failed
/// polls in a row, Home Assistant (when configured) until Modbus answers again.
/// </summary>
public sealed class TelemetryFailover(BatteryPath primary, BatteryPath? homeAssistant, ControlOptions options, ILogger logger)
{
    private int _failedPolls;

    public BatteryPath Primary => primary;

    public BatteryPath? HomeAssistant => homeAssistant;

    public async Task<TelemetryReading> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var telemetry = await primary.Telemetry.ReadTelemetryAsync(cancellationToken);
            _failedPolls = 0;
            return new TelemetryReading(telemetry, primary, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failedPolls++;
            var problem = $"{primary.Name}: {e.Message}";
            logger.TelemetryFailed(_failedPolls, e.Message);
            if (homeAssistant is null || _failedPolls < options.HomeAssistantAfterFailedPolls)
            {
                return new TelemetryReading(null, primary, problem);
            }

            try
            {
                return new TelemetryReading(await homeAssistant.Telemetry.ReadTelemetryAsync(cancellationToken), homeAssistant, problem);
            }
            catch (Exception ha) when (ha is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new TelemetryReading(null, homeAssistant, $"{problem}; {homeAssistant.Name}: {ha.Message}");
            }
        }
    }
}
