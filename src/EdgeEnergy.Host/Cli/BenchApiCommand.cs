using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeEnergy.Domain;
using EdgeEnergy.Host.Web.Preview;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy bench-api [--url URL | --preview] [--rate 200] [--duration 30]</c>: drives a fixed request rate
/// (open loop: requests are sent on schedule whether or not earlier ones have answered) against
/// <c>/api/v1/recommendation/now</c> and prints latency percentiles as JSON on stdout.
/// </summary>
internal static class BenchApiCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Endpoint to load (default: the preview's /api/v1/recommendation/now)." };
        var preview = new Option<bool>("--preview") { Description = "Start the web preview in this process on 127.0.0.1 and load it." };
        var rate = new Option<int>("--rate") { Description = "Requests per second.", DefaultValueFactory = _ => 200 };
        var duration = new Option<int>("--duration") { Description = "Measured seconds (after a 2 s warm-up).", DefaultValueFactory = _ => 30 };
        var token = new Option<string?>("--token") { Description = "Bearer token (Http:Token) when the API needs one." };
        var command = new Command("bench-api", "Loads /api/v1/recommendation/now at a fixed rate and reports p50/p90/p99/max latency as JSON.");
        foreach (var o in new Option[] { url, preview, rate, duration, token })
        {
            command.Options.Add(o);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var requestsPerSecond = parse.GetValue(rate);
            var seconds = parse.GetValue(duration);
            if (requestsPerSecond is < 1 or > 100_000 || seconds is < 1 or > 3600)
            {
                await Console.Error.WriteLineAsync("edgeenergy bench-api: --rate must be 1..100000 and --duration 1..3600 seconds");
                return ExitCodes.BadInput;
            }

            WebApplication? app = null;
            Uri? target = null;
            if (parse.GetValue(url) is { } given && !(Uri.TryCreate(given, UriKind.Absolute, out target) && target.Scheme is "http" or "https"))
            {
                await Console.Error.WriteLineAsync($"edgeenergy bench-api: --url '{given}' is not an http:// or https:// URL");
                return ExitCodes.BadInput;
            }

            if (parse.GetValue(preview))
            {
                app = PreviewHost.Build(new Dictionary<string, string?> { ["Http:Urls"] = "http://127.0.0.1:0" }, PreviewMode.Normal);
                await app.StartAsync(cancellationToken);
                target = new Uri(PreviewHost.BoundAddresses(app)[0] + "/api/v1/recommendation/now");
            }

            if (target is null)
            {
                await Console.Error.WriteLineAsync("edgeenergy bench-api: give --url URL or --preview");
                return ExitCodes.BadInput;
            }

            try
            {
                var result = await RunAsync(target, requestsPerSecond, TimeSpan.FromSeconds(seconds), parse.GetValue(token), cancellationToken);
                await Console.Error.WriteLineAsync("edgeenergy bench-api: " + Describe(result));
                await using var stdout = Console.OpenStandardOutput();
                await JsonSerializer.SerializeAsync(stdout, result, CliJson.Indented.For<BenchResult>(), cancellationToken);
                await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
                return result.Errors == 0 ? ExitCodes.Success : ExitCodes.Failure;
            }
            finally
            {
                if (app is not null)
                {
                    await app.StopAsync(CancellationToken.None);
                    await app.DisposeAsync();
                }
            }
        });
        return command;
    }

    internal sealed record BenchResult(
        string Url, int RatePerSecond, double DurationSeconds, int Requests, int Errors, double AchievedPerSecond,
        double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, string? FirstError);

    internal static async Task<BenchResult> RunAsync(Uri url, int rate, TimeSpan duration, string? token, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // Warm-up: JIT, connection pool, the server's first serialisation.
        await Drive(client, url, rate, TimeSpan.FromSeconds(2), null, cancellationToken);
        var latencies = new List<double>(rate * (int)duration.TotalSeconds + 16);
        var (count, errors, firstError, elapsed) = await Drive(client, url, rate, duration, latencies, cancellationToken);
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p / 100 * latencies.Count) - 1)];
        return new BenchResult(url.ToString(), rate, Math.Round(elapsed.TotalSeconds, 2), count, errors, Math.Round(count / elapsed.TotalSeconds, 1),
            Round(Percentile(50)), Round(Percentile(90)), Round(Percentile(99)), Round(Percentile(99.9)), Round(latencies.Count == 0 ? double.NaN : latencies[^1]), firstError);
    }

    private static double Round(double ms) => Math.Round(ms, 3);

    private static async Task<(int Count, int Errors, string? FirstError, TimeSpan Elapsed)> Drive(
        HttpClient client, Uri url, int rate, TimeSpan duration, List<double>? latencies, CancellationToken cancellationToken)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var inFlight = new List<Task>(total);
        var errors = 0;
        string? firstError = null;
        var gate = new Lock();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, TimeProvider.System, cancellationToken);
            }

            inFlight.Add(One());
        }

        await Task.WhenAll(inFlight);
        return (total, errors, firstError, Stopwatch.GetElapsedTime(start));

        async Task One()
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancellationToken);
                var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                lock (gate)
                {
                    latencies?.Add(ms);
                    if (!response.IsSuccessStatusCode)
                    {
                        errors++;
                        firstError ??= $"HTTP {(int)response.StatusCode}";
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lock (gate)
                {
                    errors++;
                    firstError ??= e.Message;
                }
            }
        }
    }

    internal static string Describe(BenchResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Requests} requests at {r.AchievedPerSecond}/s: p50 {r.P50Ms} ms, p99 {r.P99Ms} ms, max {r.MaxMs} ms, {r.Errors} errors");
}
