using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>/metrics scraped from a running Kestrel, checked by the real promtool and against what was recorded.</summary>
public class MetricsEndpointTests
{
    [Fact]
    public async Task Promtool_check_metrics_passes_with_no_complaint()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var exposition = await MetricsScrape.ScrapeWithActivityAsync(host);
        var result = await ExternalTool.RunAsync("promtool", ["check", "metrics"], stdin: exposition);
        Assert.True(result.ExitCode == 0 && result.Stdout.Length == 0 && result.Stderr.Length == 0,
            $"promtool exit {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
    }

    [Fact]
    public async Task Every_definition_is_exported_with_its_prometheus_type()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var families = MetricsScrape.Families(await MetricsScrape.ScrapeWithActivityAsync(host));
        foreach (var d in EdgeEnergyMetrics.Definitions)
        {
            Assert.True(families.TryGetValue(d.Name, out var type), $"{d.Name} is not exported");
            Assert.Equal(d.Kind.ToString().ToLowerInvariant(), type);
            Assert.Equal(d.Kind == MetricKind.Counter, d.Name.EndsWith("_total", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Recorded_measurements_appear_with_their_labels_and_values()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var text = await MetricsScrape.ScrapeWithActivityAsync(host);
        Assert.Equal(2, MetricsScrape.Sample(text, "edgeenergy_modbus_timeouts_total{function=\"3\"}"));
        Assert.Equal(3, MetricsScrape.Sample(text, "edgeenergy_modbus_requests_total{function=\"3\"}"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_modbus_exceptions_total{function=\"16\",code=\"2\"}"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_modbus_request_duration_seconds_bucket{function=\"3\",le=\"0.05\"}"));
        Assert.Equal(0, MetricsScrape.Sample(text, "edgeenergy_modbus_request_duration_seconds_bucket{function=\"3\",le=\"0.025\"}"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_modbus_frame_errors_total{function=\"3\",kind=\"crc\"}"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_inverter_writes_total{class=\"volatile\"}"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_source_fetches_total{source=\"solcast\",outcome=\"failure\"}"));
        Assert.Equal(4.5, MetricsScrape.Sample(text, "edgeenergy_savings_gained_pence_total"));
        Assert.Equal(1, MetricsScrape.Sample(text, "edgeenergy_savings_lost_pence_total"));
    }

    [Fact]
    public async Task Live_gauges_read_the_current_snapshot_in_base_units()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var snapshot = host.Service<IApplianceStatus>().Current;
        var t = snapshot.Telemetry!;
        var text = await host.Client.GetStringAsync("metrics");
        Assert.Equal(t.BatterySocPercent / 100, MetricsScrape.Sample(text, "edgeenergy_battery_soc_ratio"), 9);
        Assert.Equal(t.BatteryPowerW, MetricsScrape.Sample(text, "edgeenergy_battery_power_watts"));
        Assert.Equal(t.GridPowerW, MetricsScrape.Sample(text, "edgeenergy_grid_power_watts"));
        Assert.Equal(t.PvPowerW, MetricsScrape.Sample(text, "edgeenergy_pv_power_watts"));
        Assert.Equal(t.LoadPowerW, MetricsScrape.Sample(text, "edgeenergy_load_power_watts"));
        Assert.Equal(snapshot.Plan!.Plan.ObjectivePence, MetricsScrape.Sample(text, "edgeenergy_plan_objective_pence"), 9);
        Assert.Equal(0, MetricsScrape.Sample(text, "edgeenergy_fallback_active"));
        var import = snapshot.Sources.Single(s => s.Source == "octopus-import");
        Assert.Equal(import.LastSuccessUtc!.Value.ToUnixTimeMilliseconds() / 1000.0, MetricsScrape.Sample(text, "edgeenergy_source_last_success_timestamp_seconds{source=\"octopus-import\"}"), 3);
        Assert.Equal(import.Age(WebTestHost.Now)!.Value.TotalSeconds, MetricsScrape.Sample(text, "edgeenergy_data_age_seconds{source=\"octopus-import\"}"), 3);
    }

    [Fact]
    public async Task The_garbage_collectors_memory_is_exported_per_generation_and_within_what_it_committed()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        GC.Collect();
        var text = await host.Client.GetStringAsync("metrics");
        var committed = MetricsScrape.Sample(text, "edgeenergy_gc_committed_bytes");
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Assert.InRange(committed, 1, info.TotalCommittedBytes * 4);
        string[] generations = ["gen0", "gen1", "gen2", "loh", "poh"];
        var sizes = generations.Select(g => MetricsScrape.Sample(text, $"edgeenergy_gc_heap_bytes{{generation=\"{g}\"}}")).ToArray();
        var free = generations.Select(g => MetricsScrape.Sample(text, $"edgeenergy_gc_fragmentation_bytes{{generation=\"{g}\"}}")).ToArray();
        Assert.True(sizes[2] > 0, "the collection this test forced left nothing in generation 2: " + string.Join(", ", sizes));
        Assert.True(sizes.Sum() <= committed, $"generations {string.Join(" + ", sizes)} exceed the {committed} bytes committed");
        Assert.All(generations.Zip(sizes, free), g => Assert.InRange(g.Third, 0, g.Second));
    }

    [Fact]
    public async Task A_value_the_appliance_no_longer_has_disappears_from_the_scrape()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var before = await host.Client.GetStringAsync("metrics");
        Assert.True(MetricsScrape.HasSeries(before, "edgeenergy_data_age_seconds{source=\"solcast\"}"));
        Assert.True(MetricsScrape.HasSeries(before, "edgeenergy_battery_power_watts "));

        host.Publisher.Update(s => s with { Sources = s.Sources.Where(f => f.Source != "solcast").ToArray(), Telemetry = null, Fallback = new FallbackState(true, "test", WebTestHost.Now) });
        var after = await host.Client.GetStringAsync("metrics");
        Assert.False(MetricsScrape.HasSeries(after, "edgeenergy_data_age_seconds{source=\"solcast\"}"));
        Assert.True(MetricsScrape.HasSeries(after, "edgeenergy_data_age_seconds{source=\"octopus-import\"}"));
        Assert.False(MetricsScrape.HasSeries(after, "edgeenergy_battery_power_watts "));
        Assert.Equal(1, MetricsScrape.Sample(after, "edgeenergy_fallback_active"));
    }

    [Fact]
    public async Task Two_hosts_in_one_process_keep_their_metrics_apart()
    {
        await using var a = await WebTestHost.StartPreviewAsync();
        await using var b = await WebTestHost.StartPreviewAsync();
        a.Service<EdgeEnergyMetrics>().RecordInverterWrite("work-mode");
        Assert.True(MetricsScrape.HasSeries(await a.Client.GetStringAsync("metrics"), "edgeenergy_inverter_writes_total{class=\"work-mode\"}"));
        Assert.False(MetricsScrape.HasSeries(await b.Client.GetStringAsync("metrics"), "edgeenergy_inverter_writes_total{class=\"work-mode\"}"));
    }
}
