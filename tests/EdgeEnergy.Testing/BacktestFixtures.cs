namespace EdgeEnergy.Testing;

/// <summary>Paths of the backtest fixtures (real data, see Fixtures/backtest/README.md), copied next to the tests.</summary>
public static class BacktestFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "backtest");

    /// <summary>8 days from 2022-05-01 UK: Agile J import, Outgoing C export, LCL home MAC000002 load, no solar.</summary>
    public static string History => Path.Combine(Directory, "history-2022-05-08d.csv");

    /// <summary>42 days from 2022-04-01 UK of the same home with a 4 kWp array (real Bath-area yield, 2015).</summary>
    public static string SolarHistory => Path.Combine(Directory, "history-2022-04-solar-42d.csv");

    /// <summary>9.5 kWh / 3 kW battery, 3.68 kW export limit, a 3 kW immersion needing 3–6 kWh before 18:00 each day.</summary>
    public static string SiteWithImmersion => Path.Combine(Directory, "site-with-immersion.json");

    /// <summary>4 days from 2022-05-01 UK of the 8-day history with a synthetic commuting car in the EV columns (3 sessions).</summary>
    public static string EvHistory => Path.Combine(Directory, "history-2022-05-ev-04d.csv");

    /// <summary>9.5 kWh / 3 kW battery and a 1.4–7.4 kW car charger at 92 % efficiency.</summary>
    public static string SiteWithEv => Path.Combine(Directory, "site-with-ev.json");
}
