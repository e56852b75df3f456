using EdgeEnergy.Backtest;
using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Tests.Forecasting;

public class ScheduledLoadTests
{
    // Monday 3 January 2022, 00:00 UTC: winter, so UK clock time is UTC and slot of day = index mod 48.
    private static readonly DateTimeOffset Origin = new(2022, 1, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly SlotCalendar Calendar = new(Origin, UkTime.Zone);

    /// <summary>
    /// A house (a night base, a morning and an evening peak with noise) plus a 7 kW car that starts at 00:30 on 3 or 4
    /// random weekday mornings a week and charges 8–20 kWh. Returns the total load and the car's own part.
    /// </summary>
    private static (double[] Load, double[] Car) HouseWithCar(int days, int seed, bool car = true)
    {
        var random = new Random(seed);
        var load = new double[days * 48];
        var carKwh = new double[days * 48];
        for (var t = 0; t < load.Length; t++)
        {
            var slot = t % 48;
            var level = slot is >= 34 and < 42 ? 0.55 : slot is >= 14 and < 18 ? 0.35 : 0.15;
            load[t] = level * (0.7 + 0.6 * random.NextDouble());
        }

        if (!car)
        {
            return (load, carKwh);
        }

        for (var week = 0; week * 7 < days; week++)
        {
            var nights = Enumerable.Range(0, 5).OrderBy(_ => random.Next()).Take(3 + random.Next(2)).ToArray();
            foreach (var weekday in nights)
            {
                var day = week * 7 + weekday; // day 0 is a Monday
                if (day >= days)
                {
                    continue;
                }

                var left = 8 + 12 * random.NextDouble();
                for (var t = day * 48 + 1; left > 1e-9 && t < load.Length; t++)
                {
                    var kwh = Math.Min(left, 3.5);
                    carKwh[t] = kwh;
                    load[t] += kwh;
                    left -= kwh;
                }
            }
        }

        return (load, carKwh);
    }

    private static double[] RealLoad(string path)
    {
        using var reader = new StreamReader(path);
        return [.. HistoryCsv.Read(reader, "fixture").Slots.Select(s => s.LoadKwh)];
    }

    private static DateTimeOffset FirstSlot(string path)
    {
        using var reader = new StreamReader(path);
        return HistoryCsv.Read(reader, "fixture").Slots[0].Start;
    }

    [Fact]
    public void A_car_on_random_weeknights_is_learned_with_its_slots_power_and_nights()
    {
        var (load, _) = HouseWithCar(28, seed: 7);

        var learned = ScheduledLoad.Learn(load, Calendar);

        Assert.True(learned.Found, learned.Reason);
        // 00:30, 01:00 and 01:30 are on every charging night (8 kWh at 7 kW is 2.3 half hours); 18:00 is the evening peak.
        Assert.True(learned.InBlock(1) && learned.InBlock(2) && learned.InBlock(3));
        Assert.False(learned.InBlock(0));
        Assert.False(learned.InBlock(36));
        Assert.InRange(learned.PowerKwh(1), 3.3, 3.7);
        Assert.InRange(learned.PowerKwh(2), 3.3, 3.7);
        // Weekday mornings only: told apart from off days, on 3–4 of 5.
        Assert.True(learned.SplitByKindOfDay);
        Assert.InRange(learned.Share(1, offDay: false), 0.55, 0.85);
        Assert.Equal(0, learned.Share(1, offDay: true));
        Assert.Matches(@"^scheduled load 00:30–0[2-4]:[03]0, (6\.[5-9]|7\.[0-2]) kW on [34] nights in 7, on working days only, taken out of the house load$", learned.Reason);
    }

    [Fact]
    public void The_cars_energy_is_taken_out_of_the_house_history()
    {
        var (load, car) = HouseWithCar(42, seed: 11);
        var house = load.Zip(car, (l, c) => l - c).ToArray();

        var learned = ScheduledLoad.Learn(load, Calendar);
        var takenOut = learned.TakeOut(load, Calendar);

        Assert.True(learned.Found, learned.Reason);
        // Over the six weeks (two of them before the window learned from) nearly all the car's energy is gone: what is
        // left is the part-filled last half hours below the 1 kWh threshold.
        var left = takenOut.Sum() - house.Sum();
        Assert.InRange(left, -0.02 * car.Sum(), 0.05 * car.Sum());
        // …and the house is left at its own level: no slot of the night is pushed below what the house used there.
        for (var t = 0; t < load.Length; t++)
        {
            Assert.True(takenOut[t] >= house[t] - 0.35, $"slot {t}: {takenOut[t]} against the house's {house[t]}");
        }

        // The evening peak is not touched.
        Assert.Equal(load.Where((_, t) => t % 48 == 36), takenOut.Where((_, t) => t % 48 == 36));
    }

    [Fact]
    public void The_forecast_adds_the_cars_expected_energy_back_and_follows_a_charge_already_started()
    {
        var (load, _) = HouseWithCar(36, seed: 3);
        var forecaster = new ScheduledLoadForecaster(new BlendedLoadForecaster(), Calendar);
        var learned = ScheduledLoad.Learn(load.AsSpan(0, 35 * 48), Calendar);
        // Day 35 is a Monday. At midnight: the car is expected at its share of nights.
        var atMidnight = new double[4];
        forecaster.Forecast(load.AsSpan(0, 35 * 48), 35 * 48, atMidnight);
        Assert.InRange(atMidnight[1], 0.1 + learned.Share(1, false) * learned.PowerKwh(1) - 0.1, 0.25 + learned.Share(1, false) * learned.PowerKwh(1) + 0.1);

        // At 01:00, with 00:30 measured at 3.6 kWh, the charge has started: 01:00 is expected at nearly full power.
        var known = load.AsSpan(0, 35 * 48 + 2).ToArray(); // to the end of 00:30–01:00
        known[^1] = 3.65;
        var started = new double[2];
        forecaster.Forecast(known, known.Length, started);
        Assert.True(started[0] > 3.3, $"01:00 after a start: {started[0]}");

        // With 00:30 measured quiet, the timer did not start tonight: 01:00 is the house alone.
        known[^1] = 0.15;
        var quiet = new double[2];
        forecaster.Forecast(known, known.Length, quiet);
        Assert.True(quiet[0] < 0.5, $"01:00 with no start: {quiet[0]}");
    }

    [Theory]
    [InlineData("history-2022-04-solar-42d.csv")]
    [InlineData("history-2022-05-08d.csv")]
    public void A_real_home_without_a_car_learns_nothing_and_is_forecast_as_before(string fixture)
    {
        var path = Path.Combine(Testing.BacktestFixtures.Directory, fixture);
        var load = RealLoad(path);
        var calendar = new SlotCalendar(FirstSlot(path), UkTime.Zone);
        var plain = new BlendedLoadForecaster();
        var withScheduled = new ScheduledLoadForecaster(new BlendedLoadForecaster(), calendar);

        // Every morning of the fixture, and every few hours: nothing learned, and the forecast is the blend's to the bit.
        for (var t = 48; t < load.Length; t += 6)
        {
            Assert.False(ScheduledLoad.Learn(load.AsSpan(0, t), calendar).Found, $"slot {t}");
            var expected = new double[96];
            var actual = new double[96];
            plain.Forecast(load.AsSpan(0, t), t, expected);
            withScheduled.Forecast(load.AsSpan(0, t), t, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Evening_peaks_of_a_home_without_a_car_are_not_a_scheduled_load()
    {
        // Two hours of cooking at 1.05 kWh a half hour (2.1 kW) on four evenings a week is below the threshold over the
        // house's median; a Sunday roast at 1.6 kWh a half hour is above it, but one evening in seven is too seldom.
        var (load, _) = HouseWithCar(28, seed: 5, car: false);
        for (var day = 0; day < 28; day++)
        {
            for (var slot = 34; slot < 40; slot++)
            {
                load[day * 48 + slot] = day % 7 < 4 && slot >= 36 ? 1.05 : day % 7 == 6 && slot < 38 ? 1.6 : load[day * 48 + slot];
            }
        }

        var learned = ScheduledLoad.Learn(load, Calendar);

        Assert.False(learned.Found, learned.Reason);
        Assert.StartsWith("no scheduled load: no big load recurs", learned.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_little_history_learns_nothing_and_says_so()
    {
        var (load, _) = HouseWithCar(10, seed: 1);

        var learned = ScheduledLoad.Learn(load, Calendar);
        var forecaster = new ScheduledLoadForecaster(new BlendedLoadForecaster(), Calendar);
        var (_, house) = forecaster.Split(load, load);

        Assert.False(learned.Found);
        Assert.Equal("no scheduled load learned: 10 days of measured load in the last 28, it needs 14", learned.Reason);
        Assert.Null(house);
        Assert.Equal(load, learned.TakeOut(load, Calendar));
    }

    [Fact]
    public void Gaps_in_the_measured_load_are_tolerated()
    {
        var (load, _) = HouseWithCar(28, seed: 9);
        var random = new Random(4);
        for (var t = 0; t < load.Length; t++)
        {
            if (random.NextDouble() < 0.1)
            {
                load[t] = double.NaN;
            }
        }

        load.AsSpan(5 * 48, 48).Fill(double.NaN);                // a day not measured
        load[100] = double.PositiveInfinity;                      // a bad reading
        load[101] = -2;                                           // and another

        var learned = ScheduledLoad.Learn(load, Calendar);
        var house = learned.TakeOut(load, Calendar);
        // As the live planning cycle does: learn from the measured slots, gaps filled for the house forecaster.
        var filled = load.Select(v => double.IsFinite(v) && v >= 0 ? v : 0.15).ToArray();
        var (live, liveHouse) = new ScheduledLoadForecaster(new BlendedLoadForecaster(), Calendar).Split(load, filled);
        Assert.NotNull(liveHouse);
        var forecast = new double[96];
        new BlendedLoadForecaster().Forecast(liveHouse, load.Length, forecast);
        live.AddExpected(load, load.Length, Calendar, forecast);

        Assert.True(learned.Found, learned.Reason);
        Assert.InRange(learned.PowerKwh(1), 3.3, 3.7);
        Assert.True(double.IsNaN(house[5 * 48 + 1]));              // a gap stays a gap: the caller fills it its own way
        Assert.All(liveHouse, v => Assert.True(double.IsFinite(v)));
        Assert.All(forecast, f => Assert.True(double.IsFinite(f) && f >= 0));

        var nothing = ScheduledLoad.Learn(Enumerable.Repeat(double.NaN, 28 * 48).ToArray(), Calendar);
        Assert.False(nothing.Found);
        Assert.Equal("no scheduled load learned: 0 days of measured load in the last 28, it needs 14", nothing.Reason);
    }

    [Fact]
    public void What_is_learned_at_a_moment_depends_only_on_the_history_before_it()
    {
        // The backtest replays segments in parallel: a forecaster asked first late, or after other moments, must
        // give the same forecast as one asked in order.
        var (load, _) = HouseWithCar(40, seed: 13);
        var inOrder = new ScheduledLoadForecaster(new BlendedLoadForecaster(), Calendar);
        var outOfOrder = new ScheduledLoadForecaster(new BlendedLoadForecaster(), Calendar);
        var late = new double[48];
        outOfOrder.Forecast(load.AsSpan(0, 39 * 48 + 5), 39 * 48 + 5, late);
        for (var t = 30 * 48; t < 40 * 48; t += 7)
        {
            var a = new double[48];
            var b = new double[48];
            inOrder.Forecast(load.AsSpan(0, t), t, a);
            outOfOrder.Forecast(load.AsSpan(0, t), t, b);
            Assert.Equal(a, b);
        }
    }
}
