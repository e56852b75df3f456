using EdgeEnergy.Host.Cli;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>The bench-api tool: sends exactly rate × duration requests and counts what failed (no timing asserted).</summary>
public class BenchApiTests
{
    [Fact]
    public async Task It_sends_the_scheduled_requests_and_orders_the_percentiles()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var result = await BenchApiCommand.RunAsync(new Uri(host.BaseAddress, "api/v1/recommendation/now"), 50, TimeSpan.FromSeconds(1), null, CancellationToken.None);
        Assert.Equal(50, result.Requests);
        Assert.Equal(0, result.Errors);
        Assert.True(result.P50Ms <= result.P99Ms && result.P99Ms <= result.MaxMs, $"{result}");
    }

    [Fact]
    public async Task It_counts_error_statuses_as_errors()
    {
        await using var host = await WebTestHost.StartBareAsync();
        var result = await BenchApiCommand.RunAsync(new Uri(host.BaseAddress, "api/v1/recommendation/now"), 20, TimeSpan.FromSeconds(1), null, CancellationToken.None);
        Assert.Equal(20, result.Errors);
        Assert.Equal("HTTP 503", result.FirstError);
    }
}
