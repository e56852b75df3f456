using System.Globalization;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Testing;

/// <summary>Loads the real data slices in Fixtures/ (see Fixtures/README.md).</summary>
public static class FixtureData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    /// <summary>A CSV of <c>slot_start_utc,pence</c> rows as 30-minute rates.</summary>
    public static IReadOnlyList<Rate> AgileCsv(string name) =>
        [.. File.ReadLines(PathOf(name)).Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var parts = line.Split(',');
            var start = DateTimeOffset.Parse(parts[0], CultureInfo.InvariantCulture).ToUniversalTime();
            return new Rate(start, start.AddMinutes(30), double.Parse(parts[1], CultureInfo.InvariantCulture));
        })];

    /// <summary>The rates of every fixture CSV whose name starts with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<Rate> AgileCsvs(string prefix) =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), prefix + "*.csv").Order(StringComparer.Ordinal)
            .SelectMany(f => AgileCsv(Path.GetFileName(f))).OrderBy(r => r.StartUtc)];
}
