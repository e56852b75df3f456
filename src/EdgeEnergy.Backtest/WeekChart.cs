using System.Globalization;
using System.Net;
using System.Text;

namespace EdgeEnergy.Backtest;

/// <summary>
/// An SVG chart of one week of a backtest, three panels on a shared time axis: prices (import, export); load, the
/// forecast the optimiser planned with against the actual, and the grid import it planned against what happened;
/// state of charge of the optimiser (planned for the slot's end, and actual) and of perfect foresight.
/// </summary>
public static class WeekChart
{
    private const int Width = 1200;
    private const int PanelHeight = 180;
    private const int Left = 60;
    private const int Top = 50;
    private const int Gap = 40;
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    public static string Render(BacktestResult result, DateOnly? firstDayUtc = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var slots = result.History.Slots;
        var first = 0;
        if (firstDayUtc is { } day)
        {
            var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            first = Math.Max(0, slots.Count(s => s.Start < at));
        }
        else
        {
            while (first < slots.Count && slots[first].Start.UtcDateTime.TimeOfDay != TimeSpan.Zero)
            {
                first++;
            }
        }

        first = Math.Min(first, Math.Max(0, slots.Count - 1));
        var count = Math.Min(7 * 48, slots.Count - first);
        var optimiser = result.Strategies[StrategyNames.Optimiser];
        var perfect = result.Strategies[StrategyNames.Perfect];
        double[] Series(Func<int, double> f) => [.. Enumerable.Range(first, count).Select(f)];

        var svg = new StringBuilder();
        var height = Top + 3 * (PanelHeight + Gap) + 20;
        svg.Append(s_inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(s_inv, $"<text x=\"{Left}\" y=\"18\" font-size=\"15\">Backtest week from {slots[first].Start:yyyy-MM-dd HH:mm} UTC: optimiser capture over the whole run {result.SavingsCapturePercent:0.0}% of perfect foresight</text>\n");
        Panel(svg, 0, "Price (p/kWh)", count,
            ("import", "#d62728", Series(t => slots[t].ImportPence)),
            ("export", "#2ca02c", Series(t => slots[t].ExportPence)));
        Panel(svg, 1, "Energy per half hour (kWh)", count,
            ("load actual", "#555555", Series(t => slots[t].LoadKwh)),
            ("load forecast (plan)", "#ff7f0e", Series(t => result.Decisions[t].ForecastLoadKwh)),
            ("grid import actual", "#1f77b4", Series(t => optimiser.Flows[t].ImportKwh)),
            ("grid import planned", "#9467bd", Series(t => result.Decisions[t].PlannedImportKwh)));
        Panel(svg, 2, "Stored energy (kWh)", count,
            ("optimiser actual", "#1f77b4", Series(t => optimiser.Flows[t].SocAfterKwh)),
            ("optimiser planned", "#ff7f0e", Series(t => result.Decisions[t].PlannedSocKwh)),
            ("perfect foresight", "#2ca02c", Series(t => perfect.Flows[t].SocAfterKwh)));
        // Day ticks under the last panel.
        var axisY = Top + 3 * (PanelHeight + Gap) - Gap + 15;
        for (var k = 0; k < count; k += 48)
        {
            var x = Left + (Width - Left - 20) * (double)k / Math.Max(1, count - 1);
            svg.Append(s_inv, $"<text x=\"{x:0.#}\" y=\"{axisY}\">{WebUtility.HtmlEncode(slots[first + k].Start.ToString("ddd dd MMM", s_inv))}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int index, string title, int count, params (string Name, string Colour, double[] Values)[] series)
    {
        var y0 = Top + index * (PanelHeight + Gap);
        var plotWidth = Width - Left - 20;
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        var min = Math.Min(0, finite.Length == 0 ? 0 : finite.Min());
        var max = finite.Length == 0 ? 1 : Math.Max(finite.Max(), min + 1e-6);
        double Y(double v) => y0 + PanelHeight * (1 - (v - min) / (max - min));
        svg.Append(s_inv, $"<rect x=\"{Left}\" y=\"{y0}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#ccc\"/>\n");
        svg.Append(s_inv, $"<text x=\"{Left}\" y=\"{y0 - 5}\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>\n");
        svg.Append(s_inv, $"<text x=\"{Left - 5}\" y=\"{y0 + 10}\" text-anchor=\"end\">{max:0.##}</text>\n");
        svg.Append(s_inv, $"<text x=\"{Left - 5}\" y=\"{y0 + PanelHeight}\" text-anchor=\"end\">{min:0.##}</text>\n");
        if (min < 0)
        {
            svg.Append(s_inv, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Y(0):0.#}\" y2=\"{Y(0):0.#}\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>\n");
        }

        var legendX = Left + 220;
        foreach (var (name, colour, values) in series)
        {
            var points = new StringBuilder();
            for (var k = 0; k < values.Length; k++)
            {
                if (double.IsFinite(values[k]))
                {
                    var x = Left + plotWidth * (double)k / Math.Max(1, count - 1);
                    points.Append(s_inv, $"{x:0.#},{Y(values[k]):0.#} ");
                }
            }

            svg.Append(s_inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.3\" points=\"{points.ToString().TrimEnd()}\"/>\n");
            svg.Append(s_inv, $"<rect x=\"{legendX}\" y=\"{y0 - 14}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{legendX + 14}\" y=\"{y0 - 5}\">{WebUtility.HtmlEncode(name)}</text>\n");
            legendX += 30 + 7 * name.Length;
        }
    }
}
