using EdgeEnergy.Backtest;

namespace EdgeEnergy.Control.Tests.Backtest;

public class HistoryCsvTests
{
    private const string Header = "slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh";

    private static BacktestInputException Fails(string csv) =>
        Assert.Throws<BacktestInputException>(() => HistoryCsv.Read(new StringReader(csv), "h.csv"));

    [Fact]
    public void Reads_contiguous_rows_and_the_optional_forecast_column()
    {
        var h = HistoryCsv.Read(new StringReader(
            "slot_start_utc,import_pence,export_pence,load_kwh,pv_kwh,pv_forecast_kwh\n" +
            "2022-05-01T00:00:00Z,-1.5,4,0.3,0,0.1\n2022-05-01T00:30:00Z,20,5,0.4,0.2,0.3\n"), "h.csv");
        Assert.Equal(2, h.Slots.Count);
        Assert.True(h.HasPvForecast);
        Assert.Equal(-1.5, h.Slots[0].ImportPence);
        Assert.Equal(0.2, h.Slots[1].PvKwh);
    }

    [Fact]
    public void A_bad_number_names_the_line_and_the_field()
    {
        var e = Fails($"{Header}\n2022-05-01T00:00:00Z,20,5,0.3,0\n2022-05-01T00:30:00Z,20,5,abc,0\n");
        Assert.Equal("h.csv:3: field load_kwh: 'abc' is not a number", e.Message);
    }

    [Fact]
    public void A_gap_a_negative_energy_and_a_missing_column_are_errors()
    {
        Assert.StartsWith("h.csv:3: field slot_start_utc:", Fails($"{Header}\n2022-05-01T00:00:00Z,20,5,0.3,0\n2022-05-01T01:00:00Z,20,5,0.3,0\n").Message);
        Assert.Equal("h.csv:2: field pv_kwh: -0.1 is negative (energy in a slot is ≥ 0)", Fails($"{Header}\n2022-05-01T00:00:00Z,20,5,0.3,-0.1\n").Message);
        Assert.StartsWith("h.csv:1: missing column 'export_pence'", Fails("slot_start_utc,import_pence,load_kwh,pv_kwh\n").Message);
        Assert.Equal("h.csv:2: 4 fields, the header has 5", Fails($"{Header}\n2022-05-01T00:00:00Z,20,5,0.3\n").Message);
    }
}

public class SiteJsonTests
{
    private const string Battery = """
        "battery": { "capacityKwh": 9.5, "socKwh": 4.75, "minSocKwh": 0.95, "maxSocKwh": 9.5, "maxChargeKw": 3,
                     "maxDischargeKw": 3, "chargeEfficiency": 0.95, "dischargeEfficiency": 0.95 }
        """;

    [Fact]
    public void Reads_battery_grid_immersion_windows_and_zone()
    {
        var site = SiteJson.Parse(File.ReadAllText(Testing.BacktestFixtures.SiteWithImmersion), "site.json");
        Assert.Equal(9.5, site.Battery.CapacityKwh);
        Assert.Equal(3.68, site.Grid.MaxExportKw);
        Assert.Equal(new TimeOnly(18, 0), site.Immersions[0].Windows[0].ToLocal);
        Assert.Equal("Europe/London", site.TimeZone);
    }

    [Fact]
    public void Impossible_values_name_the_field()
    {
        var e = Assert.Throws<BacktestInputException>(() => SiteJson.Parse("{" + Battery.Replace("0.95, \"dischargeEfficiency\"", "1.5, \"dischargeEfficiency\"", StringComparison.Ordinal) + "}", "site.json"));
        Assert.Contains("battery.chargeEfficiency", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<BacktestInputException>(() => SiteJson.Parse("{" + Battery + """, "immersions": [ { "id": "t", "powerKw": 3, "windows": [ { "fromLocal": "25:00", "toLocal": "06:00" } ] } ] }""", "site.json"));
        Assert.Equal("site.json: field immersions[0].windows[0].fromLocal: '25:00' is not a local time HH:mm", e.Message);

        e = Assert.Throws<BacktestInputException>(() => SiteJson.Parse("{" + Battery + """, "timezone": "Mars/Olympus" }""", "site.json"));
        Assert.Equal("site.json: field timezone: unknown time zone 'Mars/Olympus'", e.Message);

        e = Assert.Throws<BacktestInputException>(() => SiteJson.Parse("{" + Battery + """, "gird": {} }""", "site.json"));
        Assert.Contains("gird", e.Message, StringComparison.Ordinal);
    }
}
