using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeEnergy.Backtest.Fleet;

/// <summary>
/// The merge step of a fleet backtest: every manifest home's REPORT.json in the output folder
/// (<c>&lt;home_id&gt;.report.json</c>, written by whichever shard ran it) summed per strategy, in manifest order so the
/// totals do not depend on how the fleet was sharded. A home without a report, or a report that is not one, is an
/// error naming it: a fleet total with a home silently missing would be wrong by that home.
/// </summary>
public static class FleetMerge
{
    private static readonly string[] s_strategies = [StrategyNames.None, StrategyNames.Rules, StrategyNames.Optimiser, StrategyNames.Perfect];
    private static readonly string[] s_fields = ["billPence", "importKwh", "exportKwh", "batteryThroughputKwh"];

    public static string ReportPath(string folder, FleetHome home)
    {
        ArgumentNullException.ThrowIfNull(home);
        return Path.Combine(folder, home.Id + ".report.json");
    }

    /// <summary>FLEET.json: the homes, the strategies' summed figures, the fleet's capture and each home's.</summary>
    public static string Merge(IReadOnlyList<FleetHome> homes, string folder)
    {
        ArgumentNullException.ThrowIfNull(homes);
        var missing = homes.Where(h => !File.Exists(ReportPath(folder, h))).Select(h => h.Id).ToList();
        if (missing.Count > 0)
        {
            throw new BacktestInputException($"{folder}: no report for {missing.Count} of {homes.Count} homes ({string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : string.Empty)}): run their shards first");
        }

        var sums = s_strategies.ToDictionary(s => s, _ => new double[s_fields.Length], StringComparer.Ordinal);
        var perHome = new JsonArray();
        var slots = 0L;
        foreach (var home in homes)
        {
            var path = ReportPath(folder, home);
            JsonNode? report;
            try
            {
                report = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (JsonException e)
            {
                throw new BacktestInputException($"{path}: not JSON ({e.Message})");
            }

            double Field(string strategy, string field) =>
                report?["strategies"]?[strategy]?[field] is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d)
                    ? d
                    : throw new BacktestInputException($"{path}: strategies.{strategy}.{field} is missing or not a number");

            foreach (var strategy in s_strategies)
            {
                for (var f = 0; f < s_fields.Length; f++)
                {
                    sums[strategy][f] += Field(strategy, s_fields[f]);
                }
            }

            slots += report?["slots"] is JsonValue n && n.TryGetValue<int>(out var count) ? count : throw new BacktestInputException($"{path}: slots is missing");
            perHome.Add((JsonNode)new JsonObject
            {
                ["homeId"] = home.Id,
                ["tariff"] = home.Tariff?.ToString(),
                ["from"] = report!["from"]?.DeepClone(),
                ["to"] = report["to"]?.DeepClone(),
                ["optimiserBillPence"] = Field(StrategyNames.Optimiser, "billPence"),
                ["savingsCapturePercent"] = Capture(Field(StrategyNames.None, "billPence"), Field(StrategyNames.Optimiser, "billPence"), Field(StrategyNames.Perfect, "billPence")),
            });
        }

        var strategies = new JsonObject();
        foreach (var strategy in s_strategies)
        {
            var o = new JsonObject();
            for (var f = 0; f < s_fields.Length; f++)
            {
                o[s_fields[f]] = Math.Round(sums[strategy][f], 4);
            }

            o["savingsPence"] = Math.Round(sums[StrategyNames.None][0] - sums[strategy][0], 4);
            strategies[strategy] = o;
        }

        var fleet = new JsonObject
        {
            ["homes"] = homes.Count,
            ["slots"] = slots,
            ["strategies"] = strategies,
            ["savingsCapturePercent"] = Capture(sums[StrategyNames.None][0], sums[StrategyNames.Optimiser][0], sums[StrategyNames.Perfect][0]),
            ["perHome"] = perHome,
        };
        return fleet.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>(none − optimiser) / (none − perfect) · 100, as each home's report has it; null when perfect saves nothing.</summary>
    private static JsonValue? Capture(double none, double optimiser, double perfect) =>
        none - perfect > 1e-9 ? JsonValue.Create(Math.Round((none - optimiser) / (none - perfect) * 100, 3)) : null;

    /// <summary>One line for stderr.</summary>
    public static string Describe(string fleetJson)
    {
        var fleet = JsonNode.Parse(fleetJson)!;
        var s = fleet["strategies"]!;
        return string.Create(CultureInfo.InvariantCulture,
            $"fleet of {fleet["homes"]} homes: none £{(double)s["none"]!["billPence"]! / 100:0.00}, optimiser £{(double)s["optimiser"]!["billPence"]! / 100:0.00}, perfect £{(double)s["perfect"]!["billPence"]! / 100:0.00}; capture {fleet["savingsCapturePercent"]?.ToString() ?? "-"} %");
    }
}
