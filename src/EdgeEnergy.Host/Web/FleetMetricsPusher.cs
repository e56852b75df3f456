using System.Net.Http.Headers;
using EdgeEnergy.Control;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Web;

/// <summary>
/// Pushes what <c>/metrics</c> serves to VictoriaMetrics every <c>Fleet:MetricsIntervalSeconds</c> (issue 21 §2), in
/// the Prometheus text format to its import API with <c>site=&lt;Site:Id&gt;</c> added to every series, so one store
/// holds the fleet and a dashboard can group by home. Push rather than scrape: a home sits behind its own router and
/// is not reachable from the centre. A failed push is a degraded <c>fleet-metrics</c> component with the reason, logged
/// when it starts and when it clears; the appliance never waits on it. A push that fails is not retried: the next
/// carries the counters' totals, so only the points of the missed interval are lost.
/// </summary>
internal sealed class FleetMetricsPusher(
    HttpClient http, PrometheusMeterBridge bridge, IOptions<FleetOptions> options, IOptions<SiteOptions> site,
    IApplianceStatusPublisher status, TimeProvider time, ILogger<FleetMetricsPusher> logger) : BackgroundService
{
    public const string Component = "fleet-metrics";

    private string? _problem = string.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.MetricsUri is null)
        {
            return;
        }

        var every = TimeSpan.FromSeconds(options.Value.MetricsIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            await PushOnceAsync(stoppingToken);
            try
            {
                await Task.Delay(every, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One push; returns the problem (null: stored).</summary>
    public async Task<string?> PushOnceAsync(CancellationToken cancellationToken)
    {
        var siteId = SiteIdentity.Of(site.Value);
        var target = new Uri(options.Value.MetricsUri!, $"api/v1/import/prometheus?extra_label=site={Uri.EscapeDataString(siteId)}");
        string? problem;
        try
        {
            using var body = new MemoryStream();
            await bridge.Registry.CollectAndExportAsTextAsync(body, cancellationToken);
            body.Position = 0;
            using var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.MetricsTimeout);
            using var response = await http.PostAsync(target, content, timeout.Token);
            problem = response.IsSuccessStatusCode
                ? null
                : $"VictoriaMetrics at {options.Value.MetricsUri} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(await response.Content.ReadAsStringAsync(cancellationToken))}";
        }
        catch (HttpRequestException e)
        {
            problem = $"VictoriaMetrics at {options.Value.MetricsUri} unreachable: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"VictoriaMetrics at {options.Value.MetricsUri} did not answer within {options.Value.MetricsTimeout.TotalSeconds:0.#} s";
        }

        Report(problem, siteId);
        return problem;
    }

    private void Report(string? problem, string siteId)
    {
        if (!string.Equals(problem, _problem, StringComparison.Ordinal))
        {
            if (problem is null)
            {
                logger.FleetMetricsPushing(options.Value.MetricsUri!.ToString(), siteId);
            }
            else
            {
                logger.FleetMetricsFailing(problem);
            }

            _problem = problem;
        }

        var now = time.GetUtcNow();
        var health = problem is null
            ? new ComponentHealth(Component, HealthState.Healthy, $"metrics pushed to {options.Value.MetricsUri} as site '{siteId}'", now)
            : new ComponentHealth(Component, HealthState.Degraded, problem, now);
        status.Update(s => s.WithComponent(health));
    }

    private static string Truncate(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "…";
}
