using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Domain.Forecasts;

namespace EdgeEnergy.Control.Tests.Forecasting;

public class SolarForecasterTests
{
    /// <summary>A clear-sky day: a sine from 06:00 to 18:00 UTC peaking at <paramref name="peakKwh"/> a slot.</summary>
    private static double ClearSky(int slotOfDay, double peakKwh = 1.5) =>
        slotOfDay is > 12 and < 36 ? peakKwh * Math.Sin(Math.PI * (slotOfDay - 12) / 24.0) : 0;

    private static double[] Days(params double[] indexPerDay) =>
        [.. indexPerDay.SelectMany(index => Enumerable.Range(0, 48).Select(s => index * ClearSky(s)))];

    private static double[] RealSolar()
    {
        using var reader = new StreamReader(Testing.BacktestFixtures.SolarHistory);
        return [.. HistoryCsv.Read(reader, "fixture").Slots.Select(s => s.PvKwh)];
    }

    [Fact]
    public void After_a_clear_spell_tomorrow_is_the_clear_sky_day()
    {
        var known = Days([.. Enumerable.Repeat(1.0, 14)]);
        var forecast = new double[48];
        new SolarForecaster().Forecast(known, known.Length, forecast);
        for (var s = 0; s < 48; s++)
        {
            Assert.Equal(ClearSky(s), forecast[s], 9);
        }
    }

    [Fact]
    public void The_day_ahead_level_is_the_recent_days_share_of_clear_sky_and_never_more_than_the_envelope()
    {
        // One clear day sets the envelope; the last ten days gave 40 % of it.
        var known = Days([1.0, .. Enumerable.Repeat(0.4, 10)]);
        var forecast = new double[96];
        new SolarForecaster().Forecast(known, known.Length + 48, forecast); // the day after tomorrow
        Assert.Equal(0.4 * ClearSky(24), forecast[24], 6);
        Assert.All(forecast, (f, i) => Assert.InRange(f, 0, ClearSky(i % 48) + 1e-12));
    }

    [Fact]
    public void A_dull_last_hour_pulls_the_next_hours_down_and_fades_into_the_day_ahead_level()
    {
        // Clear for two weeks; today clear until 10:00, then the last hour at 20 % of clear sky.
        var known = Days([.. Enumerable.Repeat(1.0, 14)]).ToList();
        known.AddRange(Enumerable.Range(0, 20).Select(s => s >= 18 ? 0.2 * ClearSky(s) : ClearSky(s)));
        var forecast = new double[28];
        new SolarForecaster().Forecast([.. known], known.Count, forecast);

        Assert.InRange(forecast[0] / ClearSky(20), 0.2, 0.35);   // 10:00: close to the last hour's 20 %
        Assert.InRange(forecast[6] / ClearSky(26), 0.35, 0.75);  // 13:00: on its way back
        Assert.True(forecast[6] / ClearSky(26) > forecast[0] / ClearSky(20));
    }

    [Fact]
    public void Slots_not_measured_are_skipped_not_read_as_darkness()
    {
        var known = Days([.. Enumerable.Repeat(0.8, 14)]);
        for (var i = 48 * 5; i < 48 * 7; i++)
        {
            known[i] = double.NaN; // the Pi was off for two days
        }

        var forecast = new double[48];
        new SolarForecaster(new SolarForecasterOptions { EnvelopeDays = 14 }).Forecast(known, known.Length, forecast);
        Assert.All(forecast, f => Assert.True(double.IsFinite(f)));
        Assert.Equal(0.8 * ClearSky(24), forecast[24], 6);
    }

    [Fact]
    public void Less_than_a_day_measured_forecasts_nothing()
    {
        var forecast = Enumerable.Repeat(9.0, 48).ToArray();
        new SolarForecaster().Forecast(Days(1.0).AsSpan(0, 40), 40, forecast);
        Assert.All(forecast, f => Assert.Equal(0, f));
    }

    [Fact]
    public void On_a_real_roof_it_beats_persistence_and_the_5_day_mean_most_of_all_in_the_next_two_hours()
    {
        var solar = RealSolar();
        var own = ForecastEvaluation.SkillByLead(new SolarForecaster(), solar, warmupDays: 21);
        var persistence = ForecastEvaluation.SkillByLead(new PersistenceForecaster(), solar, warmupDays: 21);
        var mean5 = ForecastEvaluation.SkillByLead(new RecentDaysMeanForecaster(5), solar, warmupDays: 21);
        Assert.True(own.MaeKwh < persistence.MaeKwh && own.MaeKwh < mean5.MaeKwh, $"own {own.MaeKwh}, persistence {persistence.MaeKwh}, 5-day mean {mean5.MaeKwh}");
        Assert.True(own.ByLead[0].MaeKwh < 0.8 * mean5.ByLead[0].MaeKwh, $"next 2 h: own {own.ByLead[0].MaeKwh}, 5-day mean {mean5.ByLead[0].MaeKwh}");
    }
}

public class SolarCalibrationTests
{
    [Fact]
    public void A_service_that_runs_twice_high_is_brought_down_to_what_the_roof_gives()
    {
        var actual = Enumerable.Range(0, 48 * 30).Select(t => t % 48 is > 14 and < 34 ? 1.0 : 0).ToArray();
        var forecast = actual.Select(a => 2 * a).ToArray();
        var factors = SolarCalibration.Factors(forecast, actual, actual.Length);
        Assert.InRange(factors[24], 0.5, 0.52); // 30 days of 2 kWh forecast, 1 kWh given, each hour: 60 vs 120 kWh, plus the prior
        Assert.Equal(1, factors[2]);            // night: nothing forecast, nothing to correct
    }

    [Fact]
    public void With_little_sun_to_judge_by_the_factor_stays_near_one_and_within_bounds()
    {
        double[] forecast = [.. Enumerable.Repeat(0.0, 47), 0.2];
        double[] actual = [.. Enumerable.Repeat(0.0, 47), 0.0];
        var factors = SolarCalibration.Factors(forecast, actual, 48);
        Assert.InRange(factors[47], 0.8, 1.0);

        var wild = SolarCalibration.Factors(Enumerable.Repeat(0.01, 48 * 30).ToArray(), Enumerable.Repeat(5.0, 48 * 30).ToArray(), 48 * 30);
        Assert.All(wild, f => Assert.Equal(3, f));
    }

    [Fact]
    public void Only_what_came_before_now_is_learned_from()
    {
        var actual = Enumerable.Repeat(1.0, 48 * 40).ToArray();
        var forecast = Enumerable.Repeat(1.0, 48 * 40).ToArray();
        for (var t = 48 * 35; t < forecast.Length; t++)
        {
            forecast[t] = 100; // the future: must not be read
        }

        Assert.All(SolarCalibration.Factors(forecast, actual, 48 * 35), f => Assert.Equal(1, f, 9));
    }

    [Fact]
    public void The_backtest_plans_on_the_calibrated_column_when_the_history_has_one()
    {
        // The real solar home with a pv_forecast_kwh column running 2× high: after a month, the replay plans on ≈ the truth.
        using var reader = new StreamReader(Testing.BacktestFixtures.SolarHistory);
        var real = HistoryCsv.Read(reader, "fixture");
        var history = new BacktestHistory([.. real.Slots.Select(s => s with { PvForecastKwh = 2 * s.PvKwh })]);
        var site = new BacktestSite { Battery = new Domain.Planning.BatterySpec { CapacityKwh = 9.5, SocKwh = 5, MaxSocKwh = 9.5, MinSocKwh = 1, MaxChargeKw = 3, MaxDischargeKw = 3, ChargeEfficiency = 0.95, DischargeEfficiency = 0.95 } };
        var result = new BacktestEngine(new Optimiser.OrToolsScheduleOptimiser(), new BacktestOptions { Threads = 1 }).Run(history, site);

        var lastWeek = Enumerable.Range(history.Slots.Count - 7 * 48, 7 * 48).Where(t => history.Slots[t].PvKwh > 0.3).ToList();
        var planned = lastWeek.Sum(t => result.Decisions[t].ForecastPvKwh);
        var given = lastWeek.Sum(t => history.Slots[t].PvForecastKwh!.Value);
        var actual = lastWeek.Sum(t => history.Slots[t].PvKwh);
        Assert.InRange(planned / actual, 0.85, 1.15);
        Assert.Equal(2, given / actual, 6);
        Assert.Contains("calibrated", result.PvForecastSource, StringComparison.Ordinal);
        Assert.Contains(result.PvForecastSkill, s => s.Forecaster.Contains("calibrated", StringComparison.Ordinal));
    }
}

public class NowcastForecasterTests
{
    [Fact]
    public void The_last_half_hours_surprise_carries_into_the_next_hours_and_fades()
    {
        // 14 days of a flat 0.2 kWh, then the last half hour at 0.7: someone came home.
        var known = Enumerable.Repeat(0.2, 48 * 14).Append(0.7).ToArray();
        var forecast = new double[48];
        new NowcastForecaster(new RecentDaysMeanForecaster(7)).Forecast(known, known.Length, forecast);
        Assert.Equal(0.2 + 0.5 * Math.Exp(-0.25), forecast[0], 9); // 30 minutes ahead, fade 2 h
        Assert.True(forecast[4] < forecast[0] && forecast[4] > 0.2);
        var inner = new double[48];
        new RecentDaysMeanForecaster(7).Forecast(known, known.Length, inner);
        Assert.Equal(inner[40], forecast[40], 4); // 20 h ahead the inner forecast stands
    }

    [Fact]
    public void A_surprise_below_the_forecast_never_makes_the_load_negative()
    {
        var known = Enumerable.Repeat(0.2, 48 * 14).Append(0.0).ToArray();
        var forecast = new double[4];
        new NowcastForecaster(new RecentDaysMeanForecaster(7), fadeHours: 100).Forecast(known, known.Length, forecast);
        Assert.All(forecast, f => Assert.True(f >= 0));
    }
}

public class PlanningSolarForecastTests
{
    private static readonly DateTimeOffset s_start = new(2024, 6, 10, 0, 0, 0, TimeSpan.Zero);

    private static double[] Measured(int days) =>
        [.. Enumerable.Range(0, days * 48).Select(t => t % 48 is > 12 and < 36 ? 1.2 * Math.Sin(Math.PI * (t % 48 - 12) / 24.0) : 0)];

    private static PvForecastPoint[] Service(params double[] p50) =>
        [.. p50.Select((kwh, i) => new PvForecastPoint(s_start.AddMinutes(30 * i), s_start.AddMinutes(30 * (i + 1)), kwh, kwh, kwh))];

    [Fact]
    public void A_usable_service_forecast_is_planned_on()
    {
        var choice = PlanningSolarForecast.Choose(s_start, 4, Service(0, 0.5, 1, 0.5), Measured(3));
        Assert.Equal(0.5, choice.Points[1].P50Kwh);
        Assert.StartsWith("forecast service", choice.Source, StringComparison.Ordinal);
        Assert.Equal(SolarForecastOrigin.Service, choice.Origin);
        Assert.Null(choice.Problem);
    }

    [Theory]
    [InlineData(double.NaN, "is not a number")]
    [InlineData(-0.1, "is negative")]
    [InlineData(9.0, "is absurd (above 6 kWh a half hour)")] // five times the 1.2 kWh this roof has given at most
    public void A_service_forecast_with_garbage_is_set_aside_for_the_own_estimate_and_the_slot_is_named(double bad, string why)
    {
        var choice = PlanningSolarForecast.Choose(s_start, 48, Service(0, 0.5, bad, 0.5), Measured(3));
        Assert.Equal("own estimate from measured solar", choice.Source);
        Assert.Equal(SolarForecastOrigin.OwnEstimate, choice.Origin);
        Assert.Contains("2024-06-10 01:00 UTC", choice.Problem, StringComparison.Ordinal);
        Assert.Contains(why, choice.Problem, StringComparison.Ordinal);
        Assert.Equal(48, choice.Points.Count);
        Assert.All(choice.Points, p => Assert.True(double.IsFinite(p.P50Kwh) && p.P50Kwh >= 0));
        Assert.Equal(1.2, choice.Points[24].P50Kwh, 6);
    }

    [Fact]
    public void Without_a_service_or_a_day_of_measurements_no_solar_is_assumed_and_it_says_why()
    {
        var choice = PlanningSolarForecast.Choose(s_start, 48, Service(double.NaN), Measured(3).AsSpan(0, 30));
        Assert.Empty(choice.Points);
        Assert.Equal(SolarForecastOrigin.None, choice.Origin);
        Assert.Contains("only 30 half hours of measured solar", choice.Source, StringComparison.Ordinal);
        Assert.Contains("is not a number", choice.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_service_the_own_estimate_is_used()
    {
        var choice = PlanningSolarForecast.Choose(s_start, 48, [], Measured(5));
        Assert.Equal("own estimate from measured solar", choice.Source);
        Assert.Null(choice.Problem);
        Assert.Equal(s_start.AddHours(12), choice.Points[24].StartUtc);
    }
}

public class PlanningSolarCalibrationTests
{
    [Fact]
    public void A_service_that_has_run_twice_high_for_a_week_is_planned_on_at_the_roofs_level()
    {
        var start = new DateTimeOffset(2024, 6, 10, 0, 0, 0, TimeSpan.Zero);
        double Sun(int slotOfDay) => slotOfDay is > 12 and < 36 ? Math.Sin(Math.PI * (slotOfDay - 12) / 24.0) : 0;
        var measured = Enumerable.Range(0, 7 * 48).Select(t => Sun(t % 48)).ToArray();
        var pastService = measured.Select(m => 2 * m).ToArray();
        PvForecastPoint[] service = [.. Enumerable.Range(0, 48).Select(i => new PvForecastPoint(start.AddMinutes(30 * i), start.AddMinutes(30 * (i + 1)), Sun(i), 2 * Sun(i), 3 * Sun(i)))];

        var choice = PlanningSolarForecast.Choose(start, 48, service, measured, pastService);

        Assert.StartsWith("forecast service (p50), calibrated to 336 measured half hours", choice.Source, StringComparison.Ordinal);
        Assert.InRange(choice.Points[24].P50Kwh / Sun(24), 1.0, 1.06); // 2× high, brought to the measured level (the prior keeps it a little above)
        Assert.True(choice.Points[24].P10Kwh <= choice.Points[24].P50Kwh && choice.Points[24].P50Kwh <= choice.Points[24].P90Kwh);
        Assert.Null(choice.Problem);

        // Less than a day of past forecasts: the service's own numbers.
        var young = PlanningSolarForecast.Choose(start, 48, service, measured, [.. pastService.Select((v, i) => i < 7 * 48 - 40 ? double.NaN : v)]);
        Assert.Equal("forecast service (p50)", young.Source);
        Assert.Equal(2 * Sun(24), young.Points[24].P50Kwh, 9);
    }
}
