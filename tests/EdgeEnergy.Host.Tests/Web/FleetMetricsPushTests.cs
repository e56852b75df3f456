using System.Diagnostics;
using EdgeEnergy.Control;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Web;
using EdgeEnergy.Testing.Diagnostics;
using EdgeEnergy.Testing.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// The push of a home's metrics into a real VictoriaMetrics (Debian's <c>victoria-metrics</c>, started here on a free
/// loopback port, installed by tests/run-tests.sh): the series arrive with the <c>site</c> label, and a refused or
/// unreachable store is a degraded <c>fleet-metrics</c> component, never an exception.
/// </summary>
public sealed class FleetMetricsPushTests : IAsyncLifetime, IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("edgeenergy-vm-").FullName;
    private readonly int _port = FreeTcpPort.Next();
    private readonly MetricsRecorder _metrics = new();
    private readonly ApplianceStatusStore _status = new();
    private Process? _victoria;

    private string BaseUrl => $"http://127.0.0.1:{_port}";

    public async Task InitializeAsync()
    {
        var binary = ExternalTool.Find("victoria-metrics")
            ?? throw new InvalidOperationException("'victoria-metrics' is not installed; tests/run-tests.sh installs it (Debian package victoria-metrics)");
        _victoria = Process.Start(new ProcessStartInfo(binary, [$"-httpListenAddr=127.0.0.1:{_port}", $"-storageDataPath={_data}", "-retentionPeriod=100y"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _victoria.OutputDataReceived += (_, _) => { };
        _victoria.ErrorDataReceived += (_, _) => { };
        _victoria.BeginOutputReadLine();
        _victoria.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"{BaseUrl}/health"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"victoria-metrics did not start on port {_port}");
    }

    public Task DisposeAsync()
    {
        _victoria?.Kill(entireProcessTree: true);
        _victoria?.WaitForExit(5000);
        _victoria?.Dispose();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    public void Dispose() => _metrics.Dispose();

    private FleetMetricsPusher Pusher(string url, string siteId) => new(
        new HttpClient(), new PrometheusMeterBridge(_metrics.Metrics),
        Options.Create(new FleetOptions { MetricsUrl = url, MetricsTimeout = TimeSpan.FromSeconds(5) }), Options.Create(new SiteOptions { Id = siteId }),
        _status, TimeProvider.System, NullLogger<FleetMetricsPusher>.Instance);

    private ComponentHealth Health => _status.Current.Components.Single(c => c.Component == FleetMetricsPusher.Component);

    /// <summary>VictoriaMetrics' raw export of one site's series (no query latency offset), polled while it indexes them.</summary>
    private async Task<string> ExportAsync(string siteId)
    {
        using var http = new HttpClient();
        var body = string.Empty;
        for (var i = 0; i < 50 && body.Length == 0; i++)
        {
            await http.GetAsync(new Uri($"{BaseUrl}/internal/force_flush"));
            using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("match[]", $"{{site=\"{siteId}\"}}")]);
            body = await (await http.PostAsync(new Uri($"{BaseUrl}/api/v1/export"), form)).Content.ReadAsStringAsync();
            if (body.Length == 0)
            {
                await Task.Delay(200);
            }
        }

        return body;
    }

    [Fact]
    public async Task The_homes_metrics_arrive_in_VictoriaMetrics_under_its_site_label()
    {
        var pusher = Pusher(BaseUrl, "home-7"); // its bridge listens from here on
        _metrics.Metrics.RecordPlanSolved(TimeSpan.FromMilliseconds(4), PlanStatus.Optimal);
        _metrics.Metrics.RecordPlanSolved(TimeSpan.FromMilliseconds(6), PlanStatus.Optimal);

        var problem = await pusher.PushOnceAsync(CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal(HealthState.Healthy, Health.State);
        Assert.Contains("as site 'home-7'", Health.Detail, StringComparison.Ordinal);
        var exported = await ExportAsync("home-7");
        var solves = Assert.Single(exported.Split('\n'), l => l.Contains("\"__name__\":\"edgeenergy_plan_solves_total\"", StringComparison.Ordinal));
        Assert.Contains("\"status\":\"optimal\"", solves, StringComparison.Ordinal);
        Assert.Contains("\"site\":\"home-7\"", solves, StringComparison.Ordinal);
        Assert.Contains("\"values\":[2]", solves, StringComparison.Ordinal);
        Assert.Empty(await ExportAsync("another-home"));
    }

    [Fact]
    public async Task A_refused_or_unreachable_store_degrades_fleet_metrics_with_the_reason()
    {
        // A path VictoriaMetrics does not serve: its answer is named.
        var refused = await Pusher($"{BaseUrl}/no-such-prefix", "home-7").PushOnceAsync(CancellationToken.None);
        Assert.Matches($@"^VictoriaMetrics at {BaseUrl}/no-such-prefix/ answered 4\d\d", refused);
        Assert.Equal(HealthState.Degraded, Health.State);

        var closed = $"http://127.0.0.1:{FreeTcpPort.Next()}";
        var unreachable = await Pusher(closed, "home-7").PushOnceAsync(CancellationToken.None);
        Assert.StartsWith($"VictoriaMetrics at {closed}/ unreachable", unreachable, StringComparison.Ordinal);
        Assert.Equal(HealthState.Degraded, Health.State);

        Assert.Null(await Pusher(BaseUrl, "home-7").PushOnceAsync(CancellationToken.None));
        Assert.Equal(HealthState.Healthy, Health.State);
    }

    [Theory]
    [InlineData("metrics.example:8428")]
    [InlineData("ftp://metrics.example")]
    [InlineData("http://metrics.example:8428/?db=x")]
    [InlineData("http://user:secret@metrics.example:8428")]
    public void A_metrics_url_that_is_not_a_plain_http_url_is_refused_naming_the_key(string url)
    {
        var result = new FleetOptionsValidator().Validate(null, new FleetOptions { MetricsUrl = url });
        Assert.True(result.Failed);
        Assert.StartsWith("Fleet:MetricsUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(301)]
    public void A_push_timeout_outside_1_s_to_5_min_is_refused_naming_the_key(double seconds)
    {
        var result = new FleetOptionsValidator().Validate(null, new FleetOptions { MetricsTimeout = TimeSpan.FromSeconds(seconds) });
        Assert.True(result.Failed);
        Assert.StartsWith("Fleet:MetricsTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_site_is_named_by_Site_Id_else_the_machine_id()
    {
        var machineId = Path.Combine(_data, "machine-id");
        File.WriteAllText(machineId, "4c1d2e7f9a\n");
        Assert.Equal("home-7", SiteIdentity.Of(new SiteOptions { Id = "home-7" }, machineId));
        Assert.Equal("4c1d2e7f9a", SiteIdentity.Of(new SiteOptions(), machineId));
        Assert.Equal(Environment.MachineName, SiteIdentity.Of(new SiteOptions(), Path.Combine(_data, "absent")));
    }
}
