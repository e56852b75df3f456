using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Forecasting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Forecasting;

/// <summary>The live training: what it reads, what it keeps, what it says when the model cannot be had.</summary>
public class LoadModelTrainingTests
{
    /// <summary>Half-hourly telemetry rows (one sample per slot) of <see cref="SyntheticLoad"/> up to <c>end</c>.</summary>
    private sealed class Telemetry(int days, DateTimeOffset end) : ITelemetryStore
    {
        private readonly double[] _load = SyntheticLoad.Generate(days, d => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);

        public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
        {
            var first = end.AddMinutes(-30.0 * _load.Length);
            IReadOnlyList<TelemetrySample> samples =
            [
                .. _load.Select((kwh, t) => new TelemetrySample(first.AddMinutes(30.0 * t), 50, 0, 0, kwh * 2000, 0))
                    .Where(s => s.TimestampUtc >= fromUtc && s.TimestampUtc < toUtc),
            ];
            return Task.FromResult(samples);
        }
    }

    private static readonly DateTimeOffset s_now = new(2022, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static (LoadModelTraining Training, CapturingLoggerFactory Logs) Create(int days, ILoadModelTrainer trainer, string loadForecast = ControlOptions.LearnedLoadForecast)
    {
        var logs = new CapturingLoggerFactory();
        var training = new LoadModelTraining(
            new Telemetry(days, s_now), trainer, Options.Create(new ControlOptions { LoadForecast = loadForecast }), new FakeTimeProvider(s_now),
            logs.For<LoadModelTraining>());
        return (training, logs);
    }

    [Fact]
    public async Task With_the_blended_setting_nothing_is_trained()
    {
        var trainer = new ConstantLoadModelTrainer(0);
        var (training, _) = Create(60, trainer, ControlOptions.BlendedLoadForecast);
        Assert.False(training.Enabled);
        await training.RunAsync(CancellationToken.None);
        Assert.Null(training.Current);
        Assert.Equal(0, trainer.Calls);
    }

    [Fact]
    public async Task Too_little_measured_load_keeps_the_blend_without_a_fault()
    {
        var (training, logs) = Create(10, new ConstantLoadModelTrainer(0));
        await training.RunAsync(CancellationToken.None);
        Assert.NotNull(training.Current);
        Assert.False(training.Current.Choice.UseModel);
        Assert.False(training.Current.Choice.Failed);
        Assert.Contains("10 days of history", logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_training_that_throws_keeps_the_blend_and_warns()
    {
        var (training, logs) = Create(60, new ThrowingLoadModelTrainer());
        await training.RunAsync(CancellationToken.None);
        Assert.True(training.Current!.Choice.Failed);
        Assert.False(training.Current.Choice.UseModel);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("ran out of memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_is_trained_on_the_measured_history_and_its_choice_logged()
    {
        var (training, logs) = Create(98, new MeanLabelLoadModelTrainer());
        await training.RunAsync(CancellationToken.None);
        Assert.NotNull(training.Current!.Choice.Model);
        Assert.Contains("Load model retrained", logs.All, StringComparison.Ordinal);
        Assert.Equal(s_now, training.Current.TrainedAtUtc);
    }
}
