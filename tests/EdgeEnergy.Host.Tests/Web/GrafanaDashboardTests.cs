using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeEnergy.Domain.Diagnostics;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>deploy/grafana/edgeenergy-dashboard.json: valid JSON whose every query names metrics the exporter emits.</summary>
public partial class GrafanaDashboardTests
{
    private static readonly string s_path = Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "edgeenergy-dashboard.json");

    private static List<(string Panel, string Expr)> Queries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(s_path));
        var found = new List<(string, string)>();
        foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var t in targets.EnumerateArray())
            {
                found.Add((panel.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!));
            }
        }

        return found;
    }

    [GeneratedRegex(@"\b(?:edgeenergy|process|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    private static string Family(string sample) =>
        new[] { "_bucket", "_sum", "_count" }.FirstOrDefault(sample.EndsWith) is { } suffix && !sample.EndsWith("_total", StringComparison.Ordinal)
            ? sample[..^suffix.Length]
            : sample;

    [Fact]
    public async Task Every_query_names_metrics_the_exporter_emits()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var families = MetricsScrape.Families(await MetricsScrape.ScrapeWithActivityAsync(host));
        var queries = Queries();
        Assert.True(queries.Count >= 20, $"only {queries.Count} queries");
        foreach (var (panel, expr) in queries)
        {
            var names = MetricName().Matches(expr).Select(m => m.Value).ToArray();
            Assert.True(names.Length > 0, $"panel '{panel}': no metric in '{expr}'");
            foreach (var name in names)
            {
                var family = Family(name);
                Assert.True(families.ContainsKey(family), $"panel '{panel}': '{name}' is not exported (query '{expr}')");
                if (family != name)
                {
                    Assert.Equal("histogram", families[family]);
                }
            }
        }
    }

    [Fact]
    public void Every_appliance_metric_has_a_panel()
    {
        var used = Queries().SelectMany(q => MetricName().Matches(q.Expr).Select(m => Family(m.Value))).ToHashSet();
        var missing = EdgeEnergyMetrics.Definitions.Select(d => d.Name).Where(n => !used.Contains(n)).ToArray();
        Assert.True(missing.Length == 0, "no panel shows: " + string.Join(", ", missing));
    }

    [Fact]
    public void Panels_use_the_datasource_variable_and_unique_ids()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(s_path));
        var panels = doc.RootElement.GetProperty("panels").EnumerateArray().ToArray();
        Assert.Equal(panels.Length, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var p in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString());
        }
    }
}
