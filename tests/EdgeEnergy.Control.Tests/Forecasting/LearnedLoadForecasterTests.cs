using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Testing.Forecasting;

namespace EdgeEnergy.Control.Tests.Forecasting;

/// <summary>The learned forecaster's choices and fallbacks, with trainers whose models are known in advance.</summary>
public class LearnedLoadForecasterTests
{
    private static readonly LoadModelOptions s_options = new();

    private static double[] Weekly(int days) => SyntheticLoad.Generate(days, d => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>A load rising by 0.3 % a day: the blend, an average of past days, always runs low.</summary>
    private static double[] Rising(int days) => [.. Weekly(days).Select((v, t) => v * (1 + 0.003 * t / 48.0))];

    private static double[] Forecast(ISlotForecaster forecaster, double[] load, int at)
    {
        var forecast = new double[96];
        forecaster.Forecast(load.AsSpan(0, at), at, forecast);
        return forecast;
    }

    private static LearnedLoadForecaster Learned(ILoadModelTrainer trainer) =>
        new(trainer, SyntheticLoad.Origin, SyntheticLoad.London, s_options);

    [Fact]
    public void With_too_little_history_it_is_the_blend_and_trains_nothing()
    {
        var load = Weekly(30);
        var trainer = new ConstantLoadModelTrainer(0.1);
        var learned = Learned(trainer);
        var at = (s_options.MinimumHistoryDays - 1) * 48 + 17;
        Assert.Equal(Forecast(new BlendedLoadForecaster(), load, at), Forecast(learned, load, at));
        var choice = learned.ChoiceFor(load.AsSpan(0, at));
        Assert.False(choice.UseModel);
        Assert.False(choice.Failed);
        Assert.Contains("needs 21", choice.Reason, StringComparison.Ordinal);
        Assert.Equal(0, trainer.Calls);
    }

    [Fact]
    public void A_training_that_throws_leaves_the_blend_and_says_why()
    {
        var load = Weekly(60);
        var learned = Learned(new ThrowingLoadModelTrainer());
        var at = 50 * 48 + 5;
        Assert.Equal(Forecast(new BlendedLoadForecaster(), load, at), Forecast(learned, load, at));
        var choice = learned.ChoiceFor(load.AsSpan(0, at));
        Assert.True(choice.Failed);
        Assert.False(choice.UseModel);
        Assert.Contains("ran out of memory", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-5.0)]
    public void A_model_whose_validation_forecasts_are_NaN_or_negative_is_not_used(double kwh)
    {
        var load = Weekly(60);
        var learned = Learned(new ConstantLoadModelTrainer(kwh));
        var at = 50 * 48;
        Assert.Equal(Forecast(new BlendedLoadForecaster(), load, at), Forecast(learned, load, at));
        var choice = learned.ChoiceFor(load.AsSpan(0, at));
        Assert.True(choice.Failed);
        Assert.False(choice.UseModel);
        Assert.Contains("walk-forward validation", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_that_learns_the_blends_bias_wins_its_validation_and_is_used()
    {
        var load = Rising(80);
        var learned = Learned(new MeanLabelLoadModelTrainer());
        var at = 70 * 48;
        var choice = learned.ChoiceFor(load.AsSpan(0, at));
        Assert.True(choice.UseModel, choice.Reason);
        Assert.True(choice.ModelMaeKwh < choice.BlendedMaeKwh);
        Assert.StartsWith("learned:", choice.Reason, StringComparison.Ordinal);

        // Its forecast is the blend corrected by the model.
        var blended = Forecast(new BlendedLoadForecaster(), load, at);
        var forecast = Forecast(learned, load, at);
        var offset = choice.Model!.Ensemble.Evaluate(new float[LoadFeatures.Count]);
        Assert.NotEqual(0, offset);
        Assert.Equal(blended.Select(b => Math.Max(0, b + offset)), forecast, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void A_model_that_loses_its_validation_leaves_the_blend()
    {
        var load = Weekly(80);
        var learned = Learned(new ConstantLoadModelTrainer(0.2)); // always 0.2 kWh too high: worse than the blend
        var at = 70 * 48;
        var choice = learned.ChoiceFor(load.AsSpan(0, at));
        Assert.False(choice.UseModel);
        Assert.False(choice.Failed);
        Assert.True(choice.ModelMaeKwh > choice.BlendedMaeKwh);
        Assert.StartsWith("blended:", choice.Reason, StringComparison.Ordinal);
        Assert.Equal(Forecast(new BlendedLoadForecaster(), load, at), Forecast(learned, load, at));
    }

    [Fact]
    public void The_first_period_after_the_minimum_has_no_record_and_keeps_the_blend()
    {
        var load = Rising(40);
        var learned = Learned(new MeanLabelLoadModelTrainer());
        var choice = learned.ChoiceFor(load.AsSpan(0, 21 * 48 + 3));
        Assert.NotNull(choice.Model);
        Assert.False(choice.UseModel);
        Assert.Contains("no walk-forward record", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forecast_depends_only_on_the_history_before_it_whatever_was_asked_before()
    {
        // Two instances asked in opposite orders, as two replay segments would: the same forecasts, bit for bit.
        var load = Rising(90);
        var forward = Learned(new MeanLabelLoadModelTrainer());
        var backward = Learned(new MeanLabelLoadModelTrainer());
        int[] moments = [30 * 48 + 7, 45 * 48, 60 * 48 + 31, 84 * 48 + 2];
        var a = moments.Select(t => Forecast(forward, load, t)).ToList();
        var b = moments.Reverse().Select(t => Forecast(backward, load, t)).Reverse().ToList();
        Assert.Equal(a, b);

        // And a later future does not change them.
        var changed = (double[])load.Clone();
        for (var t = moments[^1]; t < changed.Length; t++)
        {
            changed[t] = 3;
        }

        Assert.Equal(a[^1], Forecast(Learned(new MeanLabelLoadModelTrainer()), changed, moments[^1]));
    }
}
