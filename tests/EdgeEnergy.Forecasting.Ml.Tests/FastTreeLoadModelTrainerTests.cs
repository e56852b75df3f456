using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Testing.Forecasting;

namespace EdgeEnergy.Forecasting.Ml.Tests;

public class FastTreeLoadModelTrainerTests
{
    /// <summary>Weekends and bank holidays at home: the blend, mostly an average of recent days, expects a working day on
    /// a Saturday and on Easter Monday; a model that sees the calendar need not.</summary>
    private static double[] Load(int days) =>
        SyntheticLoad.Generate(days, d => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || UkBankHolidays.IsHoliday(d));

    private static LearnedLoadForecaster Learned() => new(new FastTreeLoadModelTrainer(), SyntheticLoad.Origin, SyntheticLoad.London);

    private static double DayAheadMae(ISlotForecaster forecaster, double[] load, int fromDay)
    {
        double sum = 0;
        var count = 0;
        var forecast = new double[48];
        for (var t = fromDay * 48; t + 48 <= load.Length; t += 12)
        {
            forecaster.Forecast(load.AsSpan(0, t), t, forecast);
            for (var k = 0; k < 48; k++)
            {
                sum += Math.Abs(load[t + k] - forecast[k]);
                count++;
            }
        }

        return sum / count;
    }

    [Fact]
    public void On_a_learnable_weekly_and_holiday_pattern_the_model_is_chosen_and_beats_the_blend()
    {
        var load = Load(130); // to 10 May 2022: Easter and the early May holiday inside
        var learned = Learned();
        var model = DayAheadMae(learned, load, fromDay: 50);
        var blended = DayAheadMae(new BlendedLoadForecaster(), load, fromDay: 50);
        Assert.True(model < 0.8 * blended, $"model {model:0.0000} vs blended {blended:0.0000} kWh/slot");
        var choice = learned.ChoiceFor(load);
        Assert.True(choice.UseModel, choice.Reason);
        Assert.Equal(0, learned.RejectedForecasts);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var load = Load(70);
        var calendar = new SlotCalendar(SyntheticLoad.Origin, SyntheticLoad.London);
        var rows = LoadModel.TrainingSet(load, calendar, new BlendedLoadForecaster(), new LoadModelOptions());
        var first = new FastTreeLoadModelTrainer().Train(rows);
        var second = new FastTreeLoadModelTrainer().Train(rows);
        Assert.Equal(first.TreeCount, second.TreeCount);
        Assert.True(first.TreeCount > 1);
        var count = rows.FeatureCount;
        for (var i = 0; i < rows.Rows; i += 37)
        {
            var row = rows.Features.Span.Slice(i * count, count);
            Assert.Equal(first.Evaluate(row), second.Evaluate(row));
        }
    }

    [Fact]
    public void Forecasts_do_not_depend_on_the_order_they_are_asked_in()
    {
        // What a replay cut into segments does: two forecasters asked for the same moments in opposite orders.
        var load = Load(80);
        int[] moments = [40 * 48 + 5, 57 * 48 + 30, 71 * 48 + 1];
        double[] At(LearnedLoadForecaster f, int t)
        {
            var forecast = new double[96];
            f.Forecast(load.AsSpan(0, t), t, forecast);
            return forecast;
        }

        var forward = Learned();
        var backward = Learned();
        var a = moments.Select(t => At(forward, t)).ToList();
        var b = moments.Reverse().Select(t => At(backward, t)).Reverse().ToList();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Too_few_rows_throw_rather_than_fit_nothing()
    {
        var rows = new LoadTrainingSet(new float[10 * LoadFeatures.Count], new float[10], LoadFeatures.Count);
        Assert.Throws<ArgumentException>(() => new FastTreeLoadModelTrainer().Train(rows));
    }
}
