using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace EdgeEnergy.Soak;

/// <summary>
/// The Octopus-shaped price server of the soak: seeded Agile-like import and export half hours, published the way
/// Agile is (the next day's prices, to 23:00 UK, appear at 16:00 UK), on a real loopback Kestrel
/// (<see cref="FakeOctopusApi"/>), with the feed's faults: down (503), publishing gaps, a malformed page.
/// Every change is made between the soak's steps, when no request is in flight.
/// </summary>
internal sealed class OctopusFeed : IAsyncDisposable
{
    public const string ImportProduct = "AGILE-24-10-01";
    public const string ExportProduct = "AGILE-OUTGOING-19-05-13";
    public const string Region = "C";
    private static readonly TimeSpan s_slot = TimeSpan.FromMinutes(30);
    private readonly FakeOctopusApi _api = new();
    private readonly IReadOnlyList<Rate> _import;
    private readonly IReadOnlyList<Rate> _export;
    private LoopbackHttpServer? _server;

    public OctopusFeed(DateTimeOffset from, DateTimeOffset to, int seed)
    {
        var random = new Random(seed);
        var import = new List<Rate>();
        var export = new List<Rate>();
        for (var t = from; t < to; t += s_slot)
        {
            var hour = UkTime.ToLocal(t).TimeOfDay.TotalHours;
            var pence = 18 + (random.NextDouble() * 8) - 4
                + (hour is >= 16 and < 19 ? 16 : 0)
                - (hour is >= 0 and < 5 ? 9 : 0)
                - (hour is >= 11 and < 15 && random.NextDouble() < 0.15 ? 25 : 0); // the odd negative midday price
            import.Add(new Rate(t, t + s_slot, Math.Round(pence, 2)));
            export.Add(new Rate(t, t + s_slot, Math.Round(Math.Max(-2, pence * 0.55), 2)));
        }

        (_import, _export) = (import, export);
    }

    public Uri BaseUrl => _server!.BaseUrl;

    /// <summary>Answers 503 to everything.</summary>
    public bool Down { get; set; }

    /// <summary>The instant up to which prices are published now.</summary>
    public DateTimeOffset PublishedUntil { get; private set; }

    /// <summary>Slots left out of every answer (a publishing gap) until cleared.</summary>
    public HashSet<DateTimeOffset> Gaps => _api.HiddenSlots;

    /// <summary>Pages (1-based) cut short (invalid JSON) until cleared.</summary>
    public HashSet<int> MalformedPages => _api.MalformedPages;

    public IEnumerable<Rate> PublishedImport => _import.Where(r => r.StartUtc < PublishedUntil);

    public async Task StartAsync(DateTimeOffset now)
    {
        Publish(now);
        _server = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (Down)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await _api.HandleAsync(context);
        });
    }

    /// <summary>Publishes what Agile has published by <paramref name="now"/>: to 23:00 UK today, or tomorrow from 16:00 UK.</summary>
    public void Publish(DateTimeOffset now)
    {
        var local = UkTime.ToLocal(now);
        var day = DateOnly.FromDateTime(local.DateTime);
        var until = UkTime.ToUtc(local.Hour >= 16 ? day.AddDays(1) : day, new TimeOnly(23, 0));
        if (until == PublishedUntil)
        {
            return;
        }

        PublishedUntil = until;
        _api.WithTariff($"E-1R-{ImportProduct}-{Region}", _import.Where(r => r.StartUtc < until));
        _api.WithTariff($"E-1R-{ExportProduct}-{Region}", _export.Where(r => r.StartUtc < until));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
