using System.Diagnostics;
using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing.Reporting;
using Xunit.Abstractions;

namespace EdgeEnergy.Control.Tests.Backtest;

/// <summary>Two weeks of a simulated shadow site (plus a day before, for the plans' persistence forecasts) and the report
/// over them, made once for the tests that inspect it.</summary>
public sealed class TwoWeekShadowReport
{
    public static readonly DateOnly First = new(2026, 12, 2);
    public static readonly DateOnly Last = new(2026, 12, 15);

    public TwoWeekShadowReport()
    {
        var optimiser = new OrToolsScheduleOptimiser();
        Site = new ShadowSiteSimulation(First.AddDays(-1), 15, optimiser);
        Input = new BillReportInput
        {
            From = First, To = Last, Mode = ControlMode.Shadow,
            Battery = ShadowSiteSimulation.ConfiguredBattery(0), Grid = ShadowSiteSimulation.Grid,
            Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London"),
            Telemetry = Site.Telemetry, ImportRates = Site.Rates(Site.ImportPence), ExportRates = Site.Rates(Site.ExportPence), Plans = Site.Plans,
        };
        var started = Stopwatch.GetTimestamp();
        Report = new BillReportEngine(optimiser).Run(Input);
        Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    public ShadowSiteSimulation Site { get; }
    public BillReportInput Input { get; }
    public BillReport Report { get; }
    public double Seconds { get; }
}

/// <summary>
/// The report's done-when test (issue 16 §2) and its invariants. The "independent calculation" here replays the stored
/// plans' decisions minute by minute through the simulation's own true physics (true efficiencies and standby draw),
/// not through the product's plant model, mapper or replay.
/// </summary>
public sealed class BillReportEngineTests(TwoWeekShadowReport run, ITestOutputHelper output) : IClassFixture<TwoWeekShadowReport>
{
    private readonly ShadowSiteSimulation _site = run.Site;

    [Fact]
    public void Every_day_of_the_simulated_fortnight_is_complete()
    {
        Assert.Equal(14, run.Report.Days.Count);
        Assert.All(run.Report.Days, d => Assert.True(d.Complete, $"{d.Date}: {d.Reason}"));
        output.WriteLine($"report of 14 days: {run.Seconds:0.0} s; plant {run.Report.Plant}");
    }

    [Fact]
    public void Edge_energy_bill_is_within_the_error_bar_of_the_same_decisions_replayed_independently()
    {
        foreach (var day in run.Report.Days)
        {
            var independent = IndependentBill(day.Date);
            var difference = day.EdgeEnergyBillPence!.Value - independent;
            output.WriteLine($"{day.Date}: report {day.EdgeEnergyBillPence:0.00}p, independent {independent:0.00}p, difference {difference:0.00}p, error bar ±{day.EdgeEnergyErrorBarPence:0.00}p, actual {day.ActualBillPence:0.00}p");
        }

        Assert.All(run.Report.Days, day => Assert.True(Math.Abs(day.EdgeEnergyBillPence!.Value - IndependentBill(day.Date)) <= day.EdgeEnergyErrorBarPence,
            $"{day.Date}: EdgeEnergy's bill {day.EdgeEnergyBillPence:0.00}p vs independent {IndependentBill(day.Date):0.00}p is outside ±{day.EdgeEnergyErrorBarPence:0.00}p"));
    }

    [Fact]
    public void Error_bar_is_narrower_than_five_percent_of_the_days_bill_when_calibrated()
    {
        Assert.Equal("fitted", run.Report.Plant.Fit);
        foreach (var day in run.Report.Days)
        {
            var share = day.EdgeEnergyErrorBarPence!.Value / Math.Abs(day.ActualBillPence!.Value);
            output.WriteLine($"{day.Date}: error bar {day.EdgeEnergyErrorBarPence:0.00}p = {share:P2} of {day.ActualBillPence:0.00}p");
            Assert.True(share < 0.05, $"{day.Date}: error bar {share:P2} of the bill");
        }
    }

    [Fact]
    public void Calibration_recovers_the_true_losses_and_standby_draw()
    {
        var plant = run.Report.Plant;
        Assert.Equal(_site.ChargeEfficiency, plant.Battery.ChargeEfficiency, 0.02);
        Assert.Equal(_site.DischargeEfficiency, plant.Battery.DischargeEfficiency, 0.02);
        Assert.Equal(_site.StandbyKw, plant.StandbyKw, 0.015);
    }

    [Fact]
    public void Actual_bill_is_the_metered_minutes_at_the_billed_rates()
    {
        var total = run.Report.Days.Sum(d => d.ActualBillPence!.Value);
        var simulated = 0.0;
        for (var m = 1440; m < 15 * 1440; m++)
        {
            var sample = _site.Telemetry[m];
            var kwh = sample.GridPowerW!.Value / 1000 * ShadowSiteSimulation.MinuteHours;
            simulated += kwh > 0 ? kwh * _site.ImportPence[m / 30] : kwh * _site.ExportPence[m / 30];
        }

        Assert.Equal(simulated, total, 1e-6);
    }

    [Fact]
    public void Causes_split_edge_energy_minus_perfect_and_perfect_is_the_lowest_bill()
    {
        foreach (var day in run.Report.Days)
        {
            Assert.Equal(day.EdgeEnergyBillPence!.Value - day.PerfectBillPence!.Value, day.Causes!.TotalPence, 1e-6);
            Assert.True(day.PerfectBillPence <= day.EdgeEnergyBillPence + day.EdgeEnergyErrorBarPence, $"{day.Date}: perfect {day.PerfectBillPence:0.00}p above EdgeEnergy's {day.EdgeEnergyBillPence:0.00}p");
            Assert.True(day.PerfectBillPence <= day.NoBatteryBillPence, $"{day.Date}: perfect {day.PerfectBillPence:0.00}p above no battery {day.NoBatteryBillPence:0.00}p");
        }
    }

    [Fact]
    public void Json_has_the_contract_shape_and_totals_sum_the_complete_days()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(BillReportJson.Write(run.Report))!.AsObject();
        Assert.Equal(["mode", "from", "to", "days", "totals"], json.Select(p => p.Key));
        Assert.Equal("shadow", (string?)json["mode"]);
        Assert.Equal("2026-12-02", (string?)json["from"]);
        var day = json["days"]![0]!.AsObject();
        Assert.Equal(["date", "complete", "actualBillPence", "noBatteryBillPence", "edgeEnergyBillPence", "edgeEnergyErrorBarPence", "perfectBillPence", "causes"], day.Select(p => p.Key));
        Assert.Equal(["loadForecastPence", "pvForecastPence", "pricesPence", "horizonPence", "executionPence"], day["causes"]!.AsObject().Select(p => p.Key));
        Assert.Equal(Math.Round(run.Report.Days.Sum(d => d.ActualBillPence!.Value), 2), (double)json["totals"]!["actualBillPence"]!, 1e-9);
    }

    [Fact]
    public void A_day_with_a_telemetry_gap_is_incomplete_with_the_reason_not_zeros()
    {
        var gapStart = run.Input.DayStart(TwoWeekShadowReport.First).AddHours(10);
        var input = run.Input with
        {
            To = TwoWeekShadowReport.First.AddDays(1),
            Telemetry = [.. _site.Telemetry.Where(s => s.TimestampUtc < gapStart || s.TimestampUtc >= gapStart.AddMinutes(45))],
            Plans = [.. _site.Plans.Where(p => p.CreatedUtc < run.Input.DayStart(TwoWeekShadowReport.First.AddDays(1)).AddHours(12))],
        };
        var report = new BillReportEngine(new OrToolsScheduleOptimiser()).Run(input);

        var gap = report.Days[0];
        Assert.False(gap.Complete);
        Assert.Null(gap.ActualBillPence);
        Assert.StartsWith("telemetry: 2 of 48 half hours have fewer than 24 of 30 minutes sampled (first 2026-12-02T10:00Z", gap.Reason);
        var noPlans = report.Days[1];
        Assert.StartsWith("plans: no usable stored plan in force for 24 half hours (first 2026-12-03T12:00Z", noPlans.Reason);
        var json = BillReportJson.Write(report);
        Assert.Contains("\"complete\": false", json);
        Assert.Contains("\"actualBillPence\": 0", json); // the totals over no complete day
    }

    [Fact]
    public void In_active_mode_edge_energys_bill_is_the_metered_bill()
    {
        var input = run.Input with { Mode = ControlMode.Active, To = TwoWeekShadowReport.First };
        var day = Assert.Single(new BillReportEngine(new OrToolsScheduleOptimiser()).Run(input).Days);
        Assert.Equal(day.ActualBillPence, day.EdgeEnergyBillPence);
        Assert.Equal(day.EdgeEnergyBillPence!.Value - day.PerfectBillPence!.Value, day.Causes!.TotalPence, 1e-6);
    }

    /// <summary>
    /// The day's decisions as stored (each half hour's plan made at its start), carried out minute by minute by the true
    /// plant on the true load and solar from the measured state at midnight; the end-of-day energy valued against the
    /// measured one at the stored terminal value. Written here, apart from the product's replay.
    /// </summary>
    private double IndependentBill(DateOnly date)
    {
        var first = (date.DayNumber - TwoWeekShadowReport.First.AddDays(-1).DayNumber) * 1440;
        var soc = _site.Telemetry[first].BatterySocPercent!.Value / 100 * ShadowSiteSimulation.CapacityKwh;
        var bill = 0.0;
        for (var m = first; m < first + 1440; m++)
        {
            var plan = _site.Plans[m / 30];
            Assert.Equal(_site.Start.AddMinutes(m / 30 * 30), plan.CreatedUtc);
            var slot = plan.Plan.Slots[0];
            var (action, kw) = slot.Mode switch
            {
                SlotMode.Charge => (ShadowSiteSimulation.Action.ForceCharge, slot.ChargeKwh / 0.5),
                SlotMode.Export => (ShadowSiteSimulation.Action.ForceDischarge, slot.DischargeKwh / 0.5),
                SlotMode.Discharge => (ShadowSiteSimulation.Action.SelfUse, slot.DischargeKwh / 0.5),
                SlotMode.Hold => (ShadowSiteSimulation.Action.Hold, 0.0),
                _ => (ShadowSiteSimulation.Action.SelfUse, double.PositiveInfinity),
            };
            var f = _site.Step(ref soc, action, kw, _site.LoadKw[m], _site.PvKw[m]);
            bill += f.ImportKwh * _site.ImportPence[m / 30] - f.ExportKwh * _site.ExportPence[m / 30];
        }

        var measuredEnd = _site.Telemetry[first + 1440].BatterySocPercent!.Value / 100 * ShadowSiteSimulation.CapacityKwh;
        return bill - (soc - measuredEnd) * ShadowSiteSimulation.TerminalValuePence;
    }
}
