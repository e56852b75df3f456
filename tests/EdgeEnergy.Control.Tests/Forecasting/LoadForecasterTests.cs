using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Forecasting;

namespace EdgeEnergy.Control.Tests.Forecasting;

public class LoadForecasterTests
{
    private static double[] RealLoad()
    {
        using var reader = new StreamReader(Testing.BacktestFixtures.History);
        return [.. HistoryCsv.Read(reader, "fixture").Slots.Select(s => s.LoadKwh)];
    }

    [Fact]
    public void The_blend_beats_persistence_and_the_weekday_average_on_a_real_home()
    {
        var load = RealLoad();
        var blended = ForecastEvaluation.Score(new BlendedLoadForecaster(), load, warmupDays: 3);
        var persistence = ForecastEvaluation.Score(new PersistenceForecaster(), load, warmupDays: 3);
        var weekday = ForecastEvaluation.Score(new WeekdayAverageForecaster(), load, warmupDays: 3);
        Assert.True(blended.MaeKwh < persistence.MaeKwh, $"blended {blended.MaeKwh} vs persistence {persistence.MaeKwh}");
        Assert.True(blended.MaeKwh <= weekday.MaeKwh, $"blended {blended.MaeKwh} vs weekday {weekday.MaeKwh}");
        Assert.True(blended.ErrorP10Kwh < 0 && blended.ErrorP90Kwh > 0);
    }

    [Fact]
    public void Persistence_repeats_the_latest_known_day_even_two_days_ahead()
    {
        var known = Enumerable.Range(0, 96).Select(i => (double)i).ToArray();
        var forecast = new double[96];
        new PersistenceForecaster().Forecast(known, 96, forecast);
        Assert.Equal(48, forecast[0]);     // slot 96 ← slot 48 (yesterday)
        Assert.Equal(95, forecast[47]);
        Assert.Equal(48, forecast[48]);    // slot 144: yesterday (96) is not known yet, so slot 48
    }

    [Fact]
    public void The_seven_day_mean_averages_the_same_slot_of_the_last_known_days_only()
    {
        // Day d holds the value d in every slot: 10 known days (0..9), so tomorrow is the mean of days 3..9 = 6, and
        // the day after, whose "yesterday" is not known yet, is still the mean of days 3..9, never of unknown days.
        var known = Enumerable.Range(0, 10 * 48).Select(i => (double)(i / 48)).ToArray();
        var forecast = new double[96];
        new RecentDaysMeanForecaster(7).Forecast(known, known.Length, forecast);
        Assert.All(forecast, f => Assert.Equal(6, f, 9));

        // With only two known days the mean is of those two.
        var shortForecast = new double[48];
        new RecentDaysMeanForecaster(7).Forecast(known.AsSpan(0, 96), 96, shortForecast);
        Assert.All(shortForecast, f => Assert.Equal(0.5, f, 9));
    }

    [Fact]
    public void An_anomalous_day_is_left_out()
    {
        // Four weeks of 0.5 kWh every slot, then a day away (0.01): tomorrow's forecast ignores the empty day.
        var known = Enumerable.Repeat(0.5, 28 * 48).Concat(Enumerable.Repeat(0.01, 48)).ToArray();
        var forecast = new double[48];
        new BlendedLoadForecaster().Forecast(known, known.Length, forecast);
        Assert.All(forecast, f => Assert.Equal(0.5, f, 9));
    }
}
