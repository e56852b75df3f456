using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Control;

namespace EdgeEnergy.Backtest.Reporting;

/// <summary>The JSON of <c>edgeenergy report</c>, exactly the shape of docs/contracts.md section 5.</summary>
public static class BillReportJson
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>
    /// <c>mode</c>, <c>from</c>, <c>to</c>, <c>days</c> (a complete day with its bills, error bar and causes; an incomplete
    /// one with <c>"complete": false</c> and its <c>reason</c>, no figures) and <c>totals</c>: the same fields summed over the
    /// complete days. Pence to 0.01.
    /// </summary>
    public static string Write(BillReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var complete = report.CompleteDays.ToList();
        var totals = Figures(
            complete.Sum(d => d.ActualBillPence!.Value), complete.Sum(d => d.NoBatteryBillPence!.Value), complete.Sum(d => d.EdgeEnergyBillPence!.Value),
            complete.Sum(d => d.EdgeEnergyErrorBarPence!.Value), complete.Sum(d => d.PerfectBillPence!.Value),
            new Attribution(
                complete.Sum(d => d.Causes!.LoadForecastPence), complete.Sum(d => d.Causes!.PvForecastPence), complete.Sum(d => d.Causes!.PricesPence),
                complete.Sum(d => d.Causes!.HorizonPence), complete.Sum(d => d.Causes!.ExecutionPence)));
        var json = new JsonObject
        {
            ["mode"] = report.Mode.ToWire(),
            ["from"] = Date(report.From),
            ["to"] = Date(report.To),
            ["days"] = new JsonArray([.. report.Days.Select(Day)]),
            ["totals"] = totals,
        };
        if (report.Ab is { } ab)
        {
            json["ab"] = Ab(ab);
        }

        return json.ToJsonString(s_indented);
    }

    /// <summary>The A/B comparison (an addition to docs/contracts.md section 5; see docs/report.md): the figures, then each
    /// day with its label, mode and capture or the reason it is left out. Percent to 0.01.</summary>
    private static JsonObject Ab(AbComparison ab) => new()
    {
        ["schedule"] = ab.Schedule,
        ["aDays"] = ab.ADays,
        ["bDays"] = ab.BDays,
        ["aCapturePercentMean"] = Percent(ab.ACapturePercentMean),
        ["bCapturePercentMean"] = Percent(ab.BCapturePercentMean),
        ["aCaptureStdDev"] = Percent(ab.ACaptureStdDev),
        ["bCaptureStdDev"] = Percent(ab.BCaptureStdDev),
        ["differencePercent"] = Percent(ab.DifferencePercent),
        ["daysNeededForSignificance"] = ab.DaysNeededForSignificance,
        ["days"] = new JsonArray([.. ab.Days.Select(d => (JsonNode)new JsonObject
        {
            ["date"] = Date(d.Date),
            ["day"] = d.Label,
            ["mode"] = d.Mode,
            ["capturePercent"] = Percent(d.CapturePercent),
            ["excluded"] = d.Excluded,
        })]),
    };

    private static double? Percent(double? value) => value is { } v ? Math.Round(v, 2) : null;

    private static JsonNode Day(BillReportDay day)
    {
        if (!day.Complete)
        {
            var incomplete = new JsonObject { ["date"] = Date(day.Date), ["complete"] = false, ["reason"] = day.Reason };
            if (day.Billed is { } billedOnly)
            {
                incomplete["billed"] = Billed(billedOnly);
            }

            return incomplete;
        }

        var figures = Figures(
            day.ActualBillPence!.Value, day.NoBatteryBillPence!.Value, day.EdgeEnergyBillPence!.Value, day.EdgeEnergyErrorBarPence!.Value,
            day.PerfectBillPence!.Value, day.Causes!);
        var node = new JsonObject { ["date"] = Date(day.Date), ["complete"] = true };
        foreach (var (key, value) in figures.ToList())
        {
            figures.Remove(key);
            node[key] = value;
        }

        if (day.Billed is { } billed)
        {
            node["billed"] = Billed(billed);
        }

        return node;
    }

    /// <summary>The day as billed by the supplier's meters beside the inverter's meter (an addition to docs/contracts.md
    /// section 5; see docs/report.md): complete with the figures, or incomplete with the reason and none. kWh to 0.001,
    /// pence to 0.01, each difference rounded from the unrounded figures.</summary>
    private static JsonObject Billed(BilledDay billed) => billed.Complete
        ? new JsonObject
        {
            ["complete"] = true,
            ["importKwh"] = Kwh(billed.ImportKwh),
            ["exportKwh"] = Kwh(billed.ExportKwh),
            ["billPence"] = Pence(billed.BillPence),
            ["inverterImportKwh"] = Kwh(billed.InverterImportKwh),
            ["inverterExportKwh"] = Kwh(billed.InverterExportKwh),
            ["inverterBillPence"] = Pence(billed.InverterBillPence),
            ["importKwhDifference"] = Kwh(billed.ImportKwhDifference),
            ["exportKwhDifference"] = Kwh(billed.ExportKwhDifference),
            ["billPenceDifference"] = Pence(billed.BillPenceDifference),
            ["differenceReason"] = billed.DifferenceReason,
        }
        : new JsonObject { ["complete"] = false, ["reason"] = billed.Reason };

    private static double? Kwh(double? value) => value is { } v ? Math.Round(v, 3) : null;

    private static double? Pence(double? value) => value is { } v ? Math.Round(v, 2) : null;

    private static JsonObject Figures(double actual, double noBattery, double edgeEnergy, double errorBar, double perfect, Attribution causes) => new()
    {
        ["actualBillPence"] = Pence(actual),
        ["noBatteryBillPence"] = Pence(noBattery),
        ["edgeEnergyBillPence"] = Pence(edgeEnergy),
        ["edgeEnergyErrorBarPence"] = Pence(errorBar),
        ["perfectBillPence"] = Pence(perfect),
        ["causes"] = new JsonObject
        {
            ["loadForecastPence"] = Pence(causes.LoadForecastPence),
            ["pvForecastPence"] = Pence(causes.PvForecastPence),
            ["pricesPence"] = Pence(causes.PricesPence),
            ["horizonPence"] = Pence(causes.HorizonPence),
            ["executionPence"] = Pence(causes.ExecutionPence),
        },
    };

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static double Pence(double value) => Math.Round(value, 2);
}
