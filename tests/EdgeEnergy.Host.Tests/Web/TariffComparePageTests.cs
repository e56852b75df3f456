using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Backtest;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// The dashboard's tariff comparison page (issue 18 §5) in real headless Chromium against a running host whose SQLite
/// store keeps the last <c>tariffs compare --save</c> run: the pairs cheapest first, the pair the service is on now
/// marked and every other priced against it, and no comparison yet said in words with no rows.
/// </summary>
public sealed partial class TariffComparePageTests : IDisposable
{
    private const int Width = 1280, Height = 800;
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-compare-page-").FullName;

    /// <summary>Four pairs in the order a run prints them (imports outer), pence over a year.</summary>
    private static readonly StoredTariffComparison s_run = new(
        new DateTimeOffset(2026, 12, 3, 1, 20, 0, TimeSpan.Zero), new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
        17520, "J", "h2022-year.csv", 291.4,
        [
            new TariffPairResult("AGILE-2022", "AGILE-OUTGOING-2022", 144858, 16790, 26633),
            new TariffPairResult("AGILE-2022", "OUTGOING-FIX-12M-19-05-13", 148312, 16790, 23179),
            new TariffPairResult("GO-VAR-22-10-14", "AGILE-OUTGOING-2022", 70003, 16790, 97062),
            new TariffPairResult("COSY-22-12-08", "AGILE-OUTGOING-2022", 75954, 16790, 81691),
        ]);

    [GeneratedRegex("<tr class=\"(pair[^\"]*)\" data-import=\"([^\"]+)\" data-export=\"([^\"]+)\"[^>]*>(.*?)</tr>")]
    private static partial Regex Row();

    [GeneratedRegex("<td[^>]*>([^<]*)</td>")]
    private static partial Regex Cell();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The web host with a real SQLite store and the service's tariffs (Octopus options) as given.</summary>
    private async Task<WebTestHost> StartAsync(StoredTariffComparison? stored, string importProduct = "AGILE-2022", string exportProduct = "AGILE-OUTGOING-2022")
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = Path.Combine(_folder, "store.db") }).Build();
        var host = await WebTestHost.StartBareAsync(services =>
        {
            services.AddHistory(config);
            services.AddSingleton(Options.Create(new OctopusOptions { ImportProduct = importProduct, ExportProduct = exportProduct, Region = "J" }));
        });
        if (stored is not null)
        {
            await stored.SaveAsync(host.Service<ISettingsStore>(), CancellationToken.None);
        }

        return host;
    }

    private static List<(string Class, string Import, string Export, string[] Cells)> Rows(string dom) =>
        [.. Row().Matches(dom).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, Cell().Matches(m.Groups[4].Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray()))];

    [Fact]
    public async Task The_page_lists_the_pairs_cheapest_first_marks_the_current_pair_and_prices_the_others_against_it()
    {
        await using var host = await StartAsync(s_run);
        using var api = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/tariffs/compare"));
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(host.BaseAddress, "compare.html"), Width, Height);

        // The API: the stored pairs in the order run, the service's tariffs and which pair they are.
        Assert.Equal("AGILE-2022", api.RootElement.GetProperty("currentImport").GetString());
        Assert.Equal([true, false, false, false], api.RootElement.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("current").GetBoolean()));
        Assert.Equal(144858, api.RootElement.GetProperty("pairs")[0].GetProperty("billPence").GetDouble());
        // The page: cheapest first; the current pair (Agile × Agile Outgoing, third) marked; the others against it.
        var rows = Rows(dom);
        Assert.Equal(["GO-VAR-22-10-14", "COSY-22-12-08", "AGILE-2022", "AGILE-2022"], rows.Select(r => r.Import));
        Assert.Equal(["AGILE-OUTGOING-2022", "AGILE-OUTGOING-2022", "AGILE-OUTGOING-2022", "OUTGOING-FIX-12M-19-05-13"], rows.Select(r => r.Export));
        Assert.Equal(["pair cheapest", "pair", "pair current", "pair"], rows.Select(r => r.Class));
        // # | import | export | bill £ | standing £ | saving £ | vs yours £: 700.03 − 1448.58 = −748.55; 1483.12 − 1448.58 = +34.54.
        Assert.Equal(["1", "GO-VAR-22-10-14", "AGILE-OUTGOING-2022", "700.03", "167.90", "970.62", "−748.55"], rows[0].Cells);
        Assert.Equal(["2", "COSY-22-12-08", "AGILE-OUTGOING-2022", "759.54", "167.90", "816.91", "−689.04"], rows[1].Cells);
        Assert.Equal(["3", "AGILE-2022", "AGILE-OUTGOING-2022", "1,448.58", "167.90", "266.33", "–"], rows[2].Cells);
        Assert.Equal("+34.54", rows[3].Cells[6]);
        Assert.Contains(">vs yours £<", dom, StringComparison.Ordinal);
        // One bar per pair, the current one marked; the run's inputs named.
        Assert.Equal(4, Regex.Count(dom, "class=\"compare-bar"));
        Assert.Equal(1, Regex.Count(dom, "class=\"compare-bar current\""));
        Assert.Contains("on h2022-year.csv: 1 Jan 2022 to 31 Dec 2022 (17,520 half hours), region J.", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tariffs_not_among_the_pairs_are_named_and_the_pairs_are_priced_against_the_cheapest()
    {
        await using var host = await StartAsync(s_run, importProduct: "FLUX-IMPORT-23-02-14");
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(host.BaseAddress, "compare.html"), Width, Height);

        var rows = Rows(dom);
        Assert.DoesNotContain(rows, r => r.Class.Contains("current", StringComparison.Ordinal));
        Assert.Equal("–", rows[0].Cells[6]);
        Assert.Equal("+59.51", rows[1].Cells[6]); // 759.54 − 700.03
        Assert.Contains("Your current tariffs (FLUX-IMPORT-23-02-14 × AGILE-OUTGOING-2022) are not among the pairs", dom, StringComparison.Ordinal);
        Assert.Contains(">vs cheapest £<", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_comparison_kept_the_api_says_how_to_make_one_and_the_page_shows_it_without_rows()
    {
        await using var host = await StartAsync(null);
        using var response = await host.Client.GetAsync("api/v1/tariffs/compare");
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        var run = await HeadlessChromium.RunAsync(new Uri(host.BaseAddress, "compare.html"), Width, Height, "--dump-dom");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("No tariff comparison yet: run edgeenergy tariffs compare", error, StringComparison.Ordinal);
        Assert.Equal(0, run.ExitCode);
        // The only console line is the browser's own note of the 404; the page itself logs nothing.
        Assert.All(run.ConsoleLines, l => Assert.Contains("status of 404", l, StringComparison.Ordinal));
        Assert.Contains(error.Split('…')[0], run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Rows(run.Stdout));
        Assert.Contains("class=\"card compare-empty\"", run.Stdout, StringComparison.Ordinal);
    }
}
