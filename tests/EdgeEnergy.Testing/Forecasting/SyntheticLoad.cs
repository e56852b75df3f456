namespace EdgeEnergy.Testing.Forecasting;

/// <summary>
/// A household load a calendar-aware model can learn and a same-slot average cannot: a working week (a morning and an
/// evening peak) and days at home (Saturdays, Sundays and bank holidays: a long midday block), plus seeded noise.
/// </summary>
public static class SyntheticLoad
{
    /// <summary>The first slot: midnight UK time on Saturday 1 January 2022 (GMT, so 00:00 UTC).</summary>
    public static readonly DateTimeOffset Origin = new(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TimeZoneInfo London => TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>Half-hourly kWh for <paramref name="days"/> days from <see cref="Origin"/>; <paramref name="isOffDay"/>
    /// says which local days are spent at home.</summary>
    public static double[] Generate(int days, Func<DateOnly, bool> isOffDay, int seed = 7)
    {
        var random = new Random(seed);
        var load = new double[days * 48];
        for (var t = 0; t < load.Length; t++)
        {
            var local = TimeZoneInfo.ConvertTime(Origin.AddMinutes(30.0 * t), London);
            var slot = local.Hour * 2 + local.Minute / 30;
            var atHome = isOffDay(DateOnly.FromDateTime(local.DateTime));
            var kwh = 0.15;
            if (atHome)
            {
                kwh += slot is >= 20 and < 34 ? 0.9 : 0;
            }
            else
            {
                kwh += slot is >= 13 and < 16 ? 0.6 : 0;
                kwh += slot is >= 36 and < 42 ? 0.7 : 0;
            }

            load[t] = Math.Max(0, kwh + 0.05 * (random.NextDouble() - 0.5));
        }

        return load;
    }
}
