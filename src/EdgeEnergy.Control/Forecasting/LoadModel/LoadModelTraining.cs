using System.Diagnostics;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>The load model in force: the choice of the last training, when it was made, and the first slot it learned from.</summary>
public sealed record LoadModelStatus(LoadModelChoice Choice, DateTimeOffset TrainedAtUtc, double TrainingSeconds);

/// <summary>
/// Retrains the learned load model on the home's measured load (the last <see cref="HistoryDays"/> days of stored
/// telemetry) and decides, by the same walk-forward validation as the backtest (<see cref="LearnedLoadForecaster"/>),
/// whether planning corrects the blended forecast with it. Run on a schedule (daily) when
/// <see cref="ControlOptions.LoadForecast"/> is <c>learned</c>; the planning cycle reads <see cref="Current"/>.
/// Any failure leaves the blended forecast in charge, and says so in the log and in /healthz's forecast component.
/// </summary>
public sealed class LoadModelTraining(
    ITelemetryStore telemetry, ILoadModelTrainer trainer, IOptions<ControlOptions> control, TimeProvider time, ILogger<LoadModelTraining> logger)
{
    /// <summary>Days of measured history a training reads: the training window, two validation periods and the blend's look-back.</summary>
    public const int HistoryDays = 98;

    private volatile LoadModelStatus? _current;

    /// <summary>The last training's outcome; null before the first (then the blended forecast is planned with).</summary>
    public LoadModelStatus? Current => _current;

    /// <summary>Whether planning should use the load model at all (the <c>Control:LoadForecast</c> setting).</summary>
    public bool Enabled => control.Value.LoadForecast == ControlOptions.LearnedLoadForecast;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        var end = PlanProblemBuilder.Floor(now);
        var (measured, _) = await MeasuredHistory.SlotsAsync(telemetry, end, HistoryDays, cancellationToken);
        // The history starts at the first measured slot; gaps after it take the same slot of the day before (or 0).
        var first = Array.FindIndex(measured, double.IsFinite);
        var history = first < 0 ? [] : measured[first..];
        for (var t = 0; t < history.Length; t++)
        {
            if (!double.IsFinite(history[t]))
            {
                history[t] = t >= SlotGrid.SlotsPerDay ? history[t - SlotGrid.SlotsPerDay] : 0;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var origin = end.AddMinutes(-30.0 * history.Length);
        if (control.Value.ScheduledLoadEnabled)
        {
            // Planning corrects the house load with the scheduled load taken out, so the model learns the house alone.
            history = new ScheduledLoadForecaster(new BlendedLoadForecaster(), new SlotCalendar(origin, UkTime.Zone)).Split(history, history).House ?? history;
        }

        var choice = new LearnedLoadForecaster(trainer, origin, UkTime.Zone).ChooseAtEnd(history);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _current = new LoadModelStatus(choice, now, seconds);
        if (choice.Failed)
        {
            logger.LoadForecastDegraded(choice.Reason);
        }
        else
        {
            logger.LoadModelChosen(choice.Reason, seconds);
        }
    }
}
