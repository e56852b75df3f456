using System.Text.Json.Nodes;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing.Http;

namespace EdgeEnergy.Testing.Octopus;

/// <summary>
/// Octopus-shaped rows for fixed-window tariffs, built from the window structure the tariffs document (UK local
/// times). The prices tests pass in are illustrative, not published rates (see Octopus/README.md).
/// </summary>
public static class TariffWindows
{
    /// <summary>Go: one row 00:30–05:30 UK, one for the rest of the day.</summary>
    public static (TimeOnly From, double Pence)[] Go(double cheap, double standard) => [(new(0, 30), cheap), (new(5, 30), standard)];

    /// <summary>Flux: 02:00–05:00 cheap, 16:00–19:00 peak, otherwise standard.</summary>
    public static (TimeOnly From, double Pence)[] Flux(double cheap, double standard, double peak) =>
        [(new(2, 0), cheap), (new(5, 0), standard), (new(16, 0), peak), (new(19, 0), standard)];

    /// <summary>Cosy: three cheap windows (04:00–07:00, 13:00–16:00, 22:00–24:00), 16:00–19:00 peak, otherwise standard.</summary>
    public static (TimeOnly From, double Pence)[] Cosy(double cheap, double standard, double peak) =>
        [(new(0, 0), standard), (new(4, 0), cheap), (new(7, 0), standard), (new(13, 0), cheap), (new(16, 0), peak), (new(19, 0), standard), (new(22, 0), cheap)];

    /// <summary>
    /// The rows of <paramref name="windows"/> (each price from its time until the next window's, wrapping into the
    /// next day) for every UK day from <paramref name="first"/> to <paramref name="last"/>; adjacent windows of one
    /// price are one row, as Octopus publishes them.
    /// </summary>
    public static IReadOnlyList<JsonObject> Rows(DateOnly first, DateOnly last, (TimeOnly From, double Pence)[] windows, string? paymentMethod = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var rows = new List<(DateTimeOffset From, DateTimeOffset To, double Pence)>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            for (var i = 0; i < windows.Length; i++)
            {
                var from = UkTime.ToUtc(day, windows[i].From);
                var to = i + 1 < windows.Length ? UkTime.ToUtc(day, windows[i + 1].From) : UkTime.ToUtc(day.AddDays(1), windows[0].From);
                if (rows.Count > 0 && rows[^1].To == from && rows[^1].Pence.Equals(windows[i].Pence))
                {
                    rows[^1] = rows[^1] with { To = to };
                }
                else
                {
                    rows.Add((from, to, windows[i].Pence));
                }
            }
        }

        return [.. rows.Select(r => FakeOctopusApi.Row(r.From, r.To, r.Pence, paymentMethod))];
    }

    /// <summary>The price <paramref name="windows"/> give the UK wall-clock time of <paramref name="instantUtc"/>.</summary>
    public static double PriceAt((TimeOnly From, double Pence)[] windows, DateTimeOffset instantUtc)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var time = TimeOnly.FromDateTime(UkTime.ToLocal(instantUtc).DateTime);
        var price = windows[^1].Pence;
        foreach (var (from, pence) in windows)
        {
            if (time >= from)
            {
                price = pence;
            }
        }

        return price;
    }
}
