using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeEnergy.Backtest.Fleet;

/// <summary>One home of a fleet backtest: its id (the report's file name) and its history and site files.</summary>
public sealed record FleetHome(int Row, string Id, string HistoryPath, string SitePath);

/// <summary>
/// MANIFEST.csv of a fleet backtest, one home per row: <c>home_id,history,site</c> (header required, in that order).
/// Relative paths are read from the manifest's folder, so a manifest and its homes move together (a container's
/// mounted volume). Every problem is a <see cref="BacktestInputException"/> naming the file, line and field.
/// </summary>
public static partial class FleetManifest
{
    public const string Header = "home_id,history,site";

    public static IReadOnlyList<FleetHome> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !string.Equals(lines[0].Trim().TrimStart('\uFEFF'), Header, StringComparison.Ordinal))
        {
            throw new BacktestInputException($"{path}:1: the header must be '{Header}'");
        }

        var homes = new List<FleetHome>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = i + 1;
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var fields = lines[i].Split(',');
            if (fields.Length != 3)
            {
                throw new BacktestInputException($"{path}:{line}: {fields.Length} fields where the header has 3 ({Header})");
            }

            var id = fields[0].Trim();
            if (!HomeId().IsMatch(id))
            {
                throw new BacktestInputException($"{path}:{line}: field home_id: '{id}' must be 1-64 of A-Z a-z 0-9 . _ - (it names the home's report file)");
            }

            if (seen.TryGetValue(id, out var first))
            {
                throw new BacktestInputException($"{path}:{line}: field home_id: '{id}' is already the home of line {first}");
            }

            seen[id] = line;
            homes.Add(new FleetHome(line, id, Existing(fields[1], "history"), Existing(fields[2], "site")));

            string Existing(string field, string name)
            {
                var value = field.Trim();
                var full = Path.GetFullPath(Path.Combine(folder, value));
                return value.Length > 0 && File.Exists(full)
                    ? full
                    : throw new BacktestInputException($"{path}:{line}: field {name}: '{value}' is not a file (relative paths are read from the manifest's folder)");
            }
        }

        return homes.Count > 0 ? homes : throw new BacktestInputException($"{path}: no homes under the header");
    }

    /// <summary>The homes of shard <paramref name="shard"/>: every N-th row from the I-th, so shards stay even as the fleet grows.</summary>
    public static IReadOnlyList<FleetHome> Shard(IReadOnlyList<FleetHome> homes, FleetShard shard)
    {
        ArgumentNullException.ThrowIfNull(homes);
        ArgumentNullException.ThrowIfNull(shard);
        return [.. homes.Where((_, i) => i % shard.Count == shard.Index)];
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex HomeId();
}

/// <summary>
/// Shard I of N (0 ≤ I &lt; N), written <c>I/N</c>: I counts from 0 like a Kubernetes Indexed Job's
/// <c>JOB_COMPLETION_INDEX</c>, so the job passes its index as it is.
/// </summary>
public sealed record FleetShard(int Index, int Count)
{
    public static FleetShard All { get; } = new(0, 1);

    public static FleetShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count is >= 1 and <= 100_000 && index < count
            ? new FleetShard(index, count)
            : throw new BacktestInputException($"--shard '{text}' must be I/N with 0 ≤ I < N (I counts from 0, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX)");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
