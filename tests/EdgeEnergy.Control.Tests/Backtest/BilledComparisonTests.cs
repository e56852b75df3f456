using System.Text.Json.Nodes;
using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing.Reporting;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>
/// The billed truth (Octopus's half hours) beside the inverter's meter, through the report engine and its JSON, against a
/// hand calculation. One December day (UK = UTC): the grid imports 1.2 kW every minute of 00:00–12:00 and exports 0.6 kW
/// every minute of 12:00–24:00, so the inverter meters 0.6 kWh in each of the first 24 half hours and exports 0.3 kWh in
/// each of the last 24; Octopus bills 0.61 and 0.29. Import rate 10 + t pence in half hour t, export 15 p.
/// </summary>
public sealed class BilledComparisonTests
{
    private static readonly DateOnly s_date = new(2026, 12, 2);
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private static BillReportInput Input(BilledMeters billed) => new()
    {
        From = s_date, To = s_date, Mode = ControlMode.Shadow, Battery = ShadowSiteSimulation.ConfiguredBattery(0), Grid = ShadowSiteSimulation.Grid,
        Telemetry = [.. Enumerable.Range(0, 1445).Select(m => new TelemetrySample(s_start.AddMinutes(m), 50, 0, m < 720 ? 1200 : -600, m < 720 ? 1200 : 300, m < 720 ? 0 : 900))],
        ImportRates = [.. Enumerable.Range(0, 48).Select(t => new Rate(Slot(t), Slot(t + 1), 10 + t))],
        ExportRates = [.. Enumerable.Range(0, 48).Select(t => new Rate(Slot(t), Slot(t + 1), 15))],
        Plans = [],
        Billed = billed,
    };

    private static DateTimeOffset Slot(int t) => s_start.AddMinutes(30 * t);

    private static BilledMeters Octopus(Func<int, bool>? published = null) => new(
        [.. Enumerable.Range(0, 48).Where(t => published?.Invoke(t) ?? true).Select(t => new ConsumptionSlot(Slot(t), Slot(t + 1), t < 24 ? 0.61 : 0))],
        [.. Enumerable.Range(0, 48).Select(t => new ConsumptionSlot(Slot(t), Slot(t + 1), t < 24 ? 0 : 0.29))]);

    private static JsonNode Billed(BillReportInput input)
    {
        var report = new BillReportEngine(new OrToolsScheduleOptimiser()).Run(input);
        return JsonNode.Parse(BillReportJson.Write(report))!["days"]![0]!["billed"]!;
    }

    [Fact]
    public void The_days_billed_figures_and_their_difference_from_the_inverter_meter_match_a_hand_calculation_to_the_penny()
    {
        var billed = Billed(Input(Octopus()));

        // Σ t = 0..23 of (10 + t) = 516. Octopus: 0.61 × 516 = 314.76 p import − 24 × 0.29 × 15 = 104.40 p export = 210.36 p.
        // Inverter: 0.6 × 516 = 309.60 p − 24 × 0.3 × 15 = 108.00 p = 201.60 p. Difference 8.76 p.
        Assert.True((bool)billed["complete"]!, billed.ToJsonString());
        Assert.Equal(14.64, (double)billed["importKwh"]!);
        Assert.Equal(6.96, (double)billed["exportKwh"]!);
        Assert.Equal(210.36, (double)billed["billPence"]!);
        Assert.Equal(14.4, (double)billed["inverterImportKwh"]!);
        Assert.Equal(7.2, (double)billed["inverterExportKwh"]!);
        Assert.Equal(201.6, (double)billed["inverterBillPence"]!);
        Assert.Equal(0.24, (double)billed["importKwhDifference"]!);
        Assert.Equal(-0.24, (double)billed["exportKwhDifference"]!);
        Assert.Equal(8.76, (double)billed["billPenceDifference"]!);
        Assert.Null(billed["differenceReason"]);
    }

    [Fact]
    public void A_half_hour_octopus_has_not_published_marks_the_days_billed_figures_incomplete_with_the_reason_not_zero()
    {
        var billed = Billed(Input(Octopus(published: t => t != 20)));

        Assert.False((bool)billed["complete"]!);
        Assert.Equal("Octopus consumption: 1 of 48 import half hours not published (first 2026-12-02T10:00:00Z); Octopus publishes a day's readings a day or two later",
            (string?)billed["reason"]);
        Assert.Null(billed["importKwh"]);
        Assert.Null(billed["billPence"]);
    }

    [Fact]
    public void Meters_that_could_not_be_read_mark_every_day_incomplete_with_the_reason()
    {
        var billed = Billed(Input(BilledMeters.Failed("Octopus:ApiKey: Octopus refused the key (HTTP 401 from /v1/…)", refused: true)));

        Assert.False((bool)billed["complete"]!);
        Assert.StartsWith("Octopus consumption: Octopus:ApiKey: Octopus refused the key", (string?)billed["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_export_meter_the_bill_and_its_difference_cover_import_alone()
    {
        var octopus = Octopus() with { Export = null };

        var billed = Billed(Input(octopus));

        Assert.Null(billed["exportKwh"]);
        Assert.Null(billed["exportKwhDifference"]);
        Assert.Equal(314.76, (double)billed["billPence"]!);
        Assert.Equal(309.6, (double)billed["inverterBillPence"]!);
        Assert.Equal(5.16, (double)billed["billPenceDifference"]!);
    }
}
