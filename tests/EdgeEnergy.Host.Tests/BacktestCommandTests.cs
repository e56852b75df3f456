using System.Diagnostics;
using System.Text.Json;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests;

/// <summary>The real <c>edgeenergy backtest</c> process: exit codes, stderr reasons and the files of the contract.</summary>
public sealed class BacktestCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeenergy-backtest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The real executable with <paramref name="args"/> (also the fleet backtest's tests' way in).</summary>
    internal static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Cli.EdgeEnergyCli).Assembly.Location);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("edgeenergy backtest did not finish in 3 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private string WriteHistory(int rows, Func<string, int, string>? edit = null)
    {
        var lines = File.ReadLines(BacktestFixtures.History).Take(rows + 1).Select((l, i) => edit?.Invoke(l, i + 1) ?? l);
        var path = Path.Combine(_dir, "history.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void A_bad_csv_line_exits_2_naming_the_file_line_and_field()
    {
        var history = WriteHistory(20, (line, n) => n == 7 ? line.Replace(",0.", ",zero.", StringComparison.Ordinal) : line);
        var (code, stdout, stderr) = Run("backtest", "--history", history, "--site", BacktestFixtures.SiteWithImmersion);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Matches(@"history\.csv:7: field \w+: 'zero\.\d+' is not a number", stderr);
    }

    [Fact]
    public void A_bad_terminal_policy_exits_2_naming_the_option()
    {
        var (code, stdout, stderr) = Run("backtest", "--history", WriteHistory(20), "--site", BacktestFixtures.SiteWithImmersion, "--terminal", "fixed:-3");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("--terminal 'fixed:-3'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_naive_load_forecast_is_the_one_the_optimiser_plans_with_and_is_scored()
    {
        var (code, stdout, stderr) = Run("backtest", "--history", WriteHistory(48 * 4), "--site", BacktestFixtures.SiteWithImmersion,
            "--load-forecast", "mean7", "--quiet");
        Assert.True(code == 0, stderr);
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        var scored = report.RootElement.GetProperty("loadForecastDayAheadMaeKwh").EnumerateArray()
            .Select(f => f.GetProperty("forecaster").GetString()).ToList();
        Assert.Contains("same-slot mean (7 days)", scored);

        var (badCode, _, badStderr) = Run("backtest", "--history", WriteHistory(20), "--site", BacktestFixtures.SiteWithImmersion, "--load-forecast", "psychic");
        Assert.Equal(2, badCode);
        Assert.Contains("psychic", badStderr, StringComparison.Ordinal);
    }

    [Fact]
    public void With_estimated_prices_the_report_has_the_estimate_error_by_hour()
    {
        var (code, stdout, stderr) = Run("backtest", "--history", WriteHistory(48 * 4), "--site", BacktestFixtures.SiteWithImmersion,
            "--terminal", "learned", "--estimate-prices", "on", "--quiet");
        Assert.True(code == 0, stderr);
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        var mae = report.RootElement.GetProperty("priceEstimateMaePence");
        Assert.Equal(24, mae.GetProperty("importByLocalHour").GetArrayLength());
        Assert.True(mae.GetProperty("import").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("optimiser").GetProperty("pricesEstimatedSlotsPlanned").GetInt32() > 0);
    }

    [Fact]
    public void A_bad_site_exits_2_naming_the_field()
    {
        var site = Path.Combine(_dir, "site.json");
        File.WriteAllText(site, File.ReadAllText(BacktestFixtures.SiteWithImmersion).Replace("\"maxSocKwh\": 9.5", "\"maxSocKwh\": 12", StringComparison.Ordinal));
        var (code, _, stderr) = Run("backtest", "--history", WriteHistory(20), "--site", site);
        Assert.Equal(2, code);
        Assert.Contains("site.json: field battery.maxSocKwh", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_the_report_trace_and_chart_of_the_contract()
    {
        var report = Path.Combine(_dir, "REPORT.json");
        var trace = Path.Combine(_dir, "TRACE.csv");
        var chart = Path.Combine(_dir, "week.svg");
        var (code, _, stderr) = Run("backtest", "--history", WriteHistory(96), "--site", BacktestFixtures.SiteWithImmersion,
            "--out", report, "--trace", trace, "--chart", chart);
        Assert.True(code == 0, stderr);
        Assert.Contains("savings capture", stderr, StringComparison.Ordinal);
        Assert.Contains("optimiser [", stderr, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("2022-04-30T23:00:00Z", root.GetProperty("from").GetString());
        Assert.Equal(96, root.GetProperty("slots").GetInt32());
        foreach (var name in new[] { "none", "rules", "optimiser", "perfect" })
        {
            var s = root.GetProperty("strategies").GetProperty(name);
            foreach (var field in new[] { "billPence", "importKwh", "exportKwh", "batteryThroughputKwh", "endSocKwh" })
            {
                Assert.Equal(JsonValueKind.Number, s.GetProperty(field).ValueKind);
            }
        }

        var bill = root.GetProperty("strategies").GetProperty("optimiser").GetProperty("billPence").GetDouble();
        var rows = File.ReadAllLines(trace);
        Assert.Equal("slot_start_utc,import_kwh,export_kwh,charge_kwh,discharge_kwh,pv_used_kwh,soc_kwh,immersion_kwh,bill_pence", rows[0]);
        Assert.Equal(97, rows.Length);
        Assert.Equal(bill, rows.Skip(1).Sum(r => double.Parse(r.Split(',')[8], System.Globalization.CultureInfo.InvariantCulture)), 3);
        Assert.True(root.GetProperty("elapsedSeconds").GetDouble() > 0);
        Assert.StartsWith("<svg", File.ReadAllText(chart), StringComparison.Ordinal);
    }
}
