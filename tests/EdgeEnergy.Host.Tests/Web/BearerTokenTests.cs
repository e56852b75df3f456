using System.Net;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>Http:Urls / Http:Token: loopback by default, a token required to bind anything else, and enforced.</summary>
public class BearerTokenTests
{
    private const string Token = "s3cret-token-0123456789";

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://127.0.0.2:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://192.168.1.20:8080", false)]
    [InlineData("http://edgeenergy.local:8080", false)]
    public void Only_loopback_addresses_count_as_loopback(string url, bool loopback)
    {
        Assert.True(HttpOptions.TryParseUrl(url, out var uri));
        Assert.Equal(loopback, HttpOptions.IsLoopback(uri!));
    }

    [Fact]
    public void The_default_binding_is_loopback_and_needs_no_token()
    {
        var options = new HttpOptions();
        Assert.Equal("http://127.0.0.1:8080", options.Urls);
        Assert.True(new HttpOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void A_non_loopback_binding_without_a_token_is_refused_naming_the_key()
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { Urls = "http://127.0.0.1:8080;http://0.0.0.0:8080" });
        Assert.True(result.Failed);
        Assert.Contains("Http:Token is required", result.FailureMessage);
        Assert.Contains("http://0.0.0.0:8080", result.FailureMessage);
        Assert.True(new HttpOptionsValidator().Validate(null, new HttpOptions { Urls = "http://0.0.0.0:8080", Token = Token }).Succeeded);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21", "not an http:// or https:// URL")]
    [InlineData("127.0.0.1:8080", "not an http:// or https:// URL")]
    [InlineData(" ; ", "Http:Urls is empty")]
    public void Bad_urls_are_refused_with_the_reason(string urls, string message)
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { Urls = urls });
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void A_short_token_is_refused()
    {
        var result = new HttpOptionsValidator().Validate(null, new HttpOptions { Token = "short" });
        Assert.Contains("Http:Token is 5 characters long", result.FailureMessage);
    }

    [Fact]
    public void The_host_refuses_to_map_a_non_loopback_binding_without_a_token_before_binding_anything()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Http:Urls"] = "http://0.0.0.0:8080" });
        builder.Services.AddEdgeEnergyWeb(builder.Configuration);
        using var app = (IDisposable)builder.Build();
        var e = Assert.Throws<OptionsValidationException>(() => ((WebApplication)app).MapEdgeEnergyWeb());
        Assert.Contains("Http:Token is required", e.Message);
    }

    [Theory]
    [InlineData("api/v1/status")]
    [InlineData("api/v1/recommendation/now")]
    [InlineData("api/v1/plan")]
    [InlineData("healthz")]
    [InlineData("metrics")]
    public async Task With_a_token_set_requests_without_it_get_401(string path)
    {
        await using var host = await WebTestHost.StartPreviewAsync(token: Token);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Authorization", "Bearer " + Token + "x" } } };
        using var wrongResponse = await anonymous.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);

        using var ok = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task With_a_token_set_a_post_without_it_changes_nothing()
    {
        await using var host = await WebTestHost.StartPreviewAsync(token: Token);
        var before = host.Service<Domain.Status.IApplianceStatus>().Current.Version;
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var response = await anonymous.PostAsync("api/v1/prices/update", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, host.Service<Domain.Status.IApplianceStatus>().Current.Version);
    }

    [Fact]
    public async Task The_dashboard_page_itself_loads_without_the_token_so_it_can_ask_for_it()
    {
        await using var host = await WebTestHost.StartPreviewAsync(token: Token);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var html = await anonymous.GetStringAsync("");
        Assert.Contains("id=\"token-form\"", html);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("app.js")).StatusCode);
    }
}
