using EdgeEnergy.Control.Forecasting;

namespace EdgeEnergy.Control.Tests.Forecasting;

public class ForecastScenarioTests
{
    private const int Day = 48;

    /// <summary>Forecasts a constant and remembers how much of the past it was shown.</summary>
    private sealed class ConstantForecaster(double kwh) : ISlotForecaster
    {
        public List<(int Known, int FirstTarget)> Calls { get; } = [];

        public string Name => "constant";

        public void Forecast(ReadOnlySpan<double> known, int firstTarget, Span<double> forecastKwh)
        {
            Calls.Add((known.Length, firstTarget));
            forecastKwh.Fill(kwh);
        }
    }

    [Fact]
    public void A_days_error_is_measured_against_a_forecast_made_before_it_began()
    {
        var load = Enumerable.Range(0, 3 * Day).Select(i => 0.1 + (i % Day) * 0.01).ToArray();
        var pv = Enumerable.Range(0, 3 * Day).Select(i => i % Day is >= 16 and < 32 ? 0.5 : 0).ToArray();
        var loadForecaster = new ConstantForecaster(0.3);
        var pvForecaster = new ConstantForecaster(0.1);

        var error = ForecastScenarios.DayAhead(load, pv, 2 * Day, loadForecaster, pvForecaster)!;

        Assert.Equal([(2 * Day, 2 * Day)], loadForecaster.Calls); // saw only the two days before
        Assert.Equal([(2 * Day, 2 * Day)], pvForecaster.Calls);
        Assert.Equal(load[2 * Day + 5] - 0.3, error.LoadErrorKwh[5], 12);
        Assert.Equal(0.5 - 0.1, error.PvErrorKwh[20], 12);
        Assert.Equal(-0.1, error.PvErrorKwh[2], 12);
    }

    [Fact]
    public void A_day_not_wholly_measured_gives_no_error()
    {
        var load = Enumerable.Repeat(0.2, 3 * Day).ToArray();
        var pv = new double[3 * Day];
        load[2 * Day + 30] = double.NaN; // the Pi was off for half an hour

        Assert.Null(ForecastScenarios.DayAhead(load, pv, 2 * Day, new ConstantForecaster(0.2), new ConstantForecaster(0)));
        Assert.NotNull(ForecastScenarios.DayAhead(load, pv, Day, new ConstantForecaster(0.2), new ConstantForecaster(0)));
        Assert.Null(ForecastScenarios.DayAhead(load, pv, 0, new ConstantForecaster(0.2), new ConstantForecaster(0))); // nothing before it
    }

    [Fact]
    public void Too_few_days_of_errors_and_the_plan_stands_on_the_forecast_alone()
    {
        var days = Enumerable.Range(0, 3).Select(_ => new DayAheadError(new double[Day], new double[Day])).ToList();

        var set = ForecastScenarios.Build(new double[96], new double[96], 0, days, new ScenarioOptions { Count = 5 }, out var whyNot);

        Assert.Null(set);
        Assert.Equal("only 3 complete past days of forecast errors (5 needed)", whyNot);
        Assert.Null(ForecastScenarios.Build(new double[96], new double[96], 0, days, new ScenarioOptions { Count = 0 }, out whyNot));
        Assert.Equal("scenarios off", whyNot);
    }

    [Fact]
    public void Each_scenario_lays_one_past_days_errors_on_the_forecast_by_time_of_day()
    {
        // Day j's load error is j+1 kWh in every slot (newest last), its solar error -(j+1)/10 kWh.
        var days = Enumerable.Range(0, 7).Select(j => new DayAheadError(
            Enumerable.Repeat(j + 1.0, Day).ToArray(), Enumerable.Repeat(-(j + 1) / 10.0, Day).ToArray())).ToList();
        var load = Enumerable.Repeat(0.5, 96).ToArray();
        var pv = Enumerable.Repeat(1.0, 96).ToArray();
        const int slotOfDay = 40; // 20:00 UTC: 8 slots of today, then tomorrow
        var options = new ScenarioOptions { Count = 5 };

        var set = ForecastScenarios.Build(load, pv, slotOfDay, days, options, out var whyNot)!;

        Assert.Null(whyNot);
        Assert.Equal(5, set.Scenarios.Count);
        Assert.Equal(options.SharedSlots, set.SharedSlots);
        // Scenario k takes the k-th newest day for today…
        Assert.Equal([7.5, 6.5, 5.5, 4.5, 3.5], set.Scenarios.Select(s => s.LoadKwh[0]));
        // …and another past day for tomorrow (from slot 8 on), never the same one twice.
        Assert.All(set.Scenarios, s => Assert.NotEqual(s.LoadKwh[0], s.LoadKwh[8]));
        Assert.All(set.Scenarios, s => Assert.Equal(s.LoadKwh[8], s.LoadKwh[8 + 47]));
        // The solar's error grows in with the lead time (the next hour's forecast already sees the sky)…
        var newest = set.Scenarios[0].PvKwh;
        Assert.True(1 - newest[0] < 0.05, $"{newest[0]}");
        Assert.True(1 - newest[55] > 0.9 * 0.4, $"{newest[55]}"); // tomorrow, a day ahead: nearly the whole error
        Assert.True(newest.Zip(newest.Skip(1)).Take(7).All(p => p.Second <= p.First));
        // …and nothing goes below zero however large the error.
        var big = days.Select(d => new DayAheadError(Enumerable.Repeat(-9.0, Day).ToArray(), Enumerable.Repeat(-9.0, Day).ToArray())).ToList();
        Assert.All(ForecastScenarios.Build(load, pv, slotOfDay, big, options, out _)!.Scenarios, s => Assert.All(s.LoadKwh.Concat(s.PvKwh), v => Assert.True(v >= 0)));
    }
}
