using System.Text.RegularExpressions;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Scrapes /metrics of a running preview after recording one of every kind of measurement.</summary>
internal static partial class MetricsScrape
{
    public static async Task<string> ScrapeWithActivityAsync(WebTestHost host)
    {
        var metrics = host.Service<EdgeEnergyMetrics>();
        metrics.RecordModbusReply(3, TimeSpan.FromMilliseconds(42));
        metrics.RecordModbusReply(16, TimeSpan.FromMilliseconds(55), exceptionCode: 2);
        metrics.RecordModbusTimeout(3);
        metrics.RecordModbusTimeout(3);
        metrics.RecordModbusFrameError(3, "crc");
        metrics.RecordInverterWrite("volatile");
        metrics.RecordSourceFetch("octopus-import", succeeded: true);
        metrics.RecordSourceFetch("solcast", succeeded: false);
        metrics.RecordPlanSolved(TimeSpan.FromMilliseconds(12), PlanStatus.Optimal);
        metrics.RecordSettledSlot(costPence: 10, noBatteryCostPence: 14.5);
        metrics.RecordSettledSlot(costPence: 8, noBatteryCostPence: 7);
        return await host.Client.GetStringAsync("metrics");
    }

    /// <summary>Metric family name → TYPE, from the exposition's <c># TYPE</c> lines.</summary>
    public static Dictionary<string, string> Families(string exposition) =>
        TypeLine().Matches(exposition).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    /// <summary>The value of the one sample whose name and labels are exactly <paramref name="series"/>.</summary>
    public static double Sample(string exposition, string series)
    {
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample '{series}' in:\n{exposition}");
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool HasSeries(string exposition, string seriesPrefix) =>
        exposition.Split('\n').Any(l => l.StartsWith(seriesPrefix, StringComparison.Ordinal));

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
