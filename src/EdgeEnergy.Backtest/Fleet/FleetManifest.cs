using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeEnergy.Backtest.Fleet;

/// <summary>
/// One home of a fleet backtest: its id (the report's file name), its history and site files, and the tariff it is
/// replayed on (null: its history's own price columns).
/// </summary>
public sealed record FleetHome(int Row, string Id, string HistoryPath, string SitePath, FleetTariff? Tariff = null);

/// <summary>
/// The Octopus tariff a fleet home is replayed on: an import and an export product code, and the GSP region whose
/// rates apply (null: the run's <c>--region</c>). Written <c>IMPORT/EXPORT</c> in the manifest.
/// </summary>
public sealed record FleetTariff(string Import, string Export, string? Region)
{
    public override string ToString() => $"{Import}/{Export}";
}

/// <summary>
/// MANIFEST.csv of a fleet backtest, one home per row: <c>home_id,history,site</c>, optionally followed by
/// <c>tariff</c> and then <c>region</c> (header required, in that order). <c>tariff</c> is <c>IMPORT/EXPORT</c> product
/// codes whose published rates replace the history's price columns ("what would these homes have saved on Flux?");
/// empty keeps the history's own. <c>region</c> is the home's GSP region letter for those rates. Relative paths are
/// read from the manifest's folder, so a manifest and its homes move together (a container's mounted volume). Every
/// problem is a <see cref="BacktestInputException"/> naming the file, line and field.
/// </summary>
public static partial class FleetManifest
{
    public const string Header = "home_id,history,site";

    /// <summary>The headers a manifest may have: the three files' columns, then the optional tariff and region.</summary>
    private static readonly string[] s_headers = [Header, Header + ",tariff", Header + ",tariff,region"];

    public static IReadOnlyList<FleetHome> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = File.ReadAllLines(path);
        var columns = lines.Length == 0 ? -1 : Array.IndexOf(s_headers, lines[0].Trim().TrimStart('\uFEFF')) + 3;
        if (columns < 3)
        {
            throw new BacktestInputException($"{path}:1: the header must be '{Header}', '{Header},tariff' or '{Header},tariff,region'");
        }

        var header = s_headers[columns - 3];

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
            if (fields.Length != columns)
            {
                throw new BacktestInputException($"{path}:{line}: {fields.Length} fields where the header has {columns} ({header})");
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
            homes.Add(new FleetHome(line, id, Existing(fields[1], "history"), Existing(fields[2], "site"),
                columns > 3 ? Tariff(fields[3], columns > 4 ? fields[4] : string.Empty) : null));

            string Existing(string field, string name)
            {
                var value = field.Trim();
                var full = Path.GetFullPath(Path.Combine(folder, value));
                return value.Length > 0 && File.Exists(full)
                    ? full
                    : throw new BacktestInputException($"{path}:{line}: field {name}: '{value}' is not a file (relative paths are read from the manifest's folder)");
            }

            FleetTariff? Tariff(string field, string regionField)
            {
                var value = field.Trim().ToUpperInvariant();
                var region = regionField.Trim().ToUpperInvariant();
                if (value.Length == 0)
                {
                    return region.Length == 0
                        ? null
                        : throw new BacktestInputException($"{path}:{line}: field region: '{region}' given without a tariff (the history's own prices have no region)");
                }

                var codes = value.Split('/');
                if (codes.Length != 2 || !codes.All(ProductCode().IsMatch))
                {
                    throw new BacktestInputException($"{path}:{line}: field tariff: '{field.Trim()}' must be IMPORT/EXPORT Octopus product codes, e.g. FLUX-IMPORT-23-02-14/FLUX-EXPORT-23-02-14 (empty: the history's own prices)");
                }

                if (region.Length > 0 && !Region().IsMatch(region))
                {
                    throw new BacktestInputException($"{path}:{line}: field region: '{region}' is not a GSP region letter A–P (without I and O)");
                }

                return new FleetTariff(codes[0], codes[1], region.Length > 0 ? region : null);
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

    [GeneratedRegex("^[A-Z0-9]+(-[A-Z0-9]+)*$")]
    private static partial Regex ProductCode();

    [GeneratedRegex("^[A-HJ-NP]$")]
    private static partial Regex Region();
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
