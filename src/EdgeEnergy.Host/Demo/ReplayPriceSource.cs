using System.Globalization;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Host.Demo;

/// <summary>
/// Real Agile prices (two weeks of November 2022, import region J and Outgoing region C) replayed as if live: the
/// fortnight repeats, re-dated so weekdays line up, and a day's prices appear only once Octopus would publish them
/// (16:00 UK the day before). The demo's price updater fetches from it exactly as it would from Octopus.
/// </summary>
internal sealed class ReplayPriceSource(TimeProvider time) : IPriceSource
{
    private static readonly Lazy<(DateTimeOffset Anchor, double[] Import, double[] Export)> s_data = new(Load);

    public bool Supports(RateKind kind) => true;

    public Task<PriceFetchResult> FetchAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken)
    {
        var (anchor, import, export) = s_data.Value;
        var series = kind == RateKind.Import ? import : export;
        var publishedUntil = AgilePublication.ExpectedHorizonEnd(time.GetUtcNow());
        var rates = new List<Rate>();
        var start = new DateTimeOffset(range.FromUtc.Year, range.FromUtc.Month, range.FromUtc.Day, range.FromUtc.Hour, range.FromUtc.Minute < 30 ? 0 : 30, 0, TimeSpan.Zero);
        for (var t = start; t < range.ToUtc && t < publishedUntil; t = t.AddMinutes(30))
        {
            var slot = (int)(((t - anchor).TotalMinutes / 30 % series.Length + series.Length) % series.Length);
            rates.Add(new Rate(t, t.AddMinutes(30), series[slot]));
        }

        return Task.FromResult(new PriceFetchResult(kind, rates, [], 1));
    }

    private static (DateTimeOffset, double[], double[]) Load()
    {
        using var stream = typeof(ReplayPriceSource).Assembly.GetManifestResourceStream("EdgeEnergy.Host.Demo.demo-prices.csv")
            ?? throw new InvalidOperationException("the bundled demo prices are missing from the build");
        using var reader = new StreamReader(stream);
        var import = new List<double>();
        var export = new List<double>();
        DateTimeOffset? first = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.StartsWith("slot_start_utc", StringComparison.Ordinal))
            {
                continue;
            }

            var cells = line.Split(',');
            first ??= DateTimeOffset.Parse(cells[0], CultureInfo.InvariantCulture);
            import.Add(double.Parse(cells[1], CultureInfo.InvariantCulture));
            export.Add(double.Parse(cells[2], CultureInfo.InvariantCulture));
        }

        // The fortnight starts on a Monday: anchor the replay on the Monday of a week in the past.
        var anchor = new DateTimeOffset(2020, 1, 6, 0, 0, 0, TimeSpan.Zero);
        return (anchor, import.ToArray(), export.ToArray());
    }
}
