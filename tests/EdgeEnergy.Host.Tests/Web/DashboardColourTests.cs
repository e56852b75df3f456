using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// The plan chart's colours as the browser computes them, in the light and the dark scheme: a colour means one thing
/// (a price level, a planned action, the heater or the battery line), and the legend shows the colour the chart uses.
/// </summary>
public sealed partial class DashboardColourTests
{
    /// <summary>
    /// Colours closer than this (CIE76 ΔE in CIELAB) read as the same colour at a glance; 2.3 is the smallest difference
    /// an eye can see side by side, and the bars and lanes are small and apart.
    /// </summary>
    private const double MinimumDeltaE = 20;

    private static readonly string[] s_legendKeys =
    [
        "price:negative", "price:cheap", "price:mid", "price:dear",
        "plan:charge", "plan:discharge", "plan:export", "plan:hold", "plan:self-use", "plan:immersion", "line:soc",
    ];

    /// <summary>What the chart draws and what the legend shows, by meaning: {chart: {key: [colours]}, legend: {key: colour}}.</summary>
    private const string Probe = """
        (async () => {
          for (let i = 0; i < 300 && !document.querySelector('#chart .price-bar'); i++) await new Promise(r => setTimeout(r, 100));
          const chart = {};
          const add = (key, colour) => (chart[key] ??= new Set()).add(colour);
          const levels = ['negative', 'cheap', 'mid', 'dear'];
          document.querySelectorAll('#chart .price-bar').forEach(e => add('price:' + levels.find(l => e.classList.contains(l)), getComputedStyle(e).fill));
          document.querySelectorAll('#chart .mode-block').forEach(e => add('plan:' + [...e.classList].find(c => c !== 'mode-block'), getComputedStyle(e).fill));
          document.querySelectorAll('#chart .immersion-block').forEach(e => add('plan:immersion', getComputedStyle(e).fill));
          document.querySelectorAll('#chart .soc-line').forEach(e => add('line:soc', getComputedStyle(e).stroke));
          const legend = {};
          document.querySelectorAll('#plan-card .legend [data-legend]').forEach(e => legend[e.dataset.legend] = getComputedStyle(e).backgroundColor);
          return { chart: Object.fromEntries(Object.entries(chart).map(([k, v]) => [k, [...v]])), legend };
        })()
        """;

    [GeneratedRegex(@"^rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)$")]
    private static partial Regex Rgb();

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Each_colour_of_the_plan_chart_means_one_thing_and_the_legend_shows_it(string scheme)
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        await using var page = await ChromiumPage.OpenAsync(host.BaseAddress, 1280, 800, scheme);

        var drawn = await page.EvaluateAsync(Probe);

        var chart = drawn.GetProperty("chart").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Contains("price:cheap", chart.Keys);
        Assert.Contains("price:dear", chart.Keys);
        Assert.Contains("plan:immersion", chart.Keys);
        Assert.Contains("line:soc", chart.Keys);

        // One colour per meaning on the chart...
        foreach (var (key, colours) in chart)
        {
            Assert.True(colours.Length == 1, $"{scheme}: {key} is drawn in {colours.Length} colours: {string.Join(", ", colours)}");
        }

        // ...and one meaning per colour: no two meanings drawn in colours an eye could take for each other.
        AssertDistinct(scheme, "chart", chart.ToDictionary(p => p.Key, p => p.Value[0]));

        // The legend has an entry for every meaning, each its own colour (also those this plan does not draw)...
        var legend = drawn.GetProperty("legend").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(s_legendKeys.Order(StringComparer.Ordinal), legend.Keys.Order(StringComparer.Ordinal));
        AssertDistinct(scheme, "legend", legend);

        // ...in the colour the chart uses.
        foreach (var (key, colours) in chart)
        {
            Assert.True(legend[key] == colours[0], $"{scheme}: the legend shows {key} as {legend[key]}, the chart draws it {colours[0]}");
        }
    }

    private static void AssertDistinct(string scheme, string where, Dictionary<string, string> colours)
    {
        var keys = colours.Keys.Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            for (var j = i + 1; j < keys.Length; j++)
            {
                var difference = DeltaE(colours[keys[i]], colours[keys[j]]);
                Assert.True(difference >= MinimumDeltaE,
                    string.Create(CultureInfo.InvariantCulture, $"{scheme} {where}: {keys[i]} ({colours[keys[i]]}) and {keys[j]} ({colours[keys[j]]}) differ by ΔE {difference:0.0}, less than {MinimumDeltaE}"));
            }
        }
    }

    /// <summary>CIE76 colour difference of two CSS <c>rgb(r, g, b)</c> colours, through sRGB → XYZ (D65) → CIELAB.</summary>
    private static double DeltaE(string a, string b)
    {
        var (l1, a1, b1) = Lab(a);
        var (l2, a2, b2) = Lab(b);
        return Math.Sqrt(((l1 - l2) * (l1 - l2)) + ((a1 - a2) * (a1 - a2)) + ((b1 - b2) * (b1 - b2)));
    }

    private static (double L, double A, double B) Lab(string css)
    {
        var m = Rgb().Match(css);
        Assert.True(m.Success, $"not an rgb() colour: {css}");
        static double Linear(string channel)
        {
            var c = int.Parse(channel, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        var (r, g, b) = (Linear(m.Groups[1].Value), Linear(m.Groups[2].Value), Linear(m.Groups[3].Value));
        var x = ((0.4124 * r) + (0.3576 * g) + (0.1805 * b)) / 0.95047;
        var y = (0.2126 * r) + (0.7152 * g) + (0.0722 * b);
        var z = ((0.0193 * r) + (0.1192 * g) + (0.9505 * b)) / 1.08883;
        static double F(double t) => t > 0.008856 ? Math.Cbrt(t) : (7.787 * t) + (16.0 / 116);
        var (fx, fy, fz) = (F(x), F(y), F(z));
        return ((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));
    }
}
