using System.Net.Http.Headers;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Web.Preview;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>A real Kestrel on 127.0.0.1 and a free port, serving the web side; disposed at the end of a test.</summary>
public sealed class WebTestHost : IAsyncDisposable
{
    /// <summary>A fixed instant (a June morning, UTC) so plans and charts are reproducible.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 12, 7, 40, 0, TimeSpan.Zero);

    private WebTestHost(WebApplication app, FakeTimeProvider time, string? token)
    {
        App = app;
        Time = time;
        BaseAddress = new Uri(PreviewHost.BoundAddresses(app).Single() + "/");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public Uri BaseAddress { get; }

    /// <summary>Sends the token when the host has one.</summary>
    public HttpClient Client { get; }

    public IApplianceStatusPublisher Publisher => App.Services.GetRequiredService<IApplianceStatusPublisher>();

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The preview (real optimiser over bundled real data) at <see cref="Now"/>.</summary>
    public static async Task<WebTestHost> StartPreviewAsync(PreviewMode mode = PreviewMode.Normal, string? token = null)
    {
        var time = new FakeTimeProvider(Now);
        var app = PreviewHost.Build(Config(token), mode, time);
        await app.StartAsync();
        return new WebTestHost(app, time, token);
    }

    /// <summary>The web side alone over an empty status store; <paramref name="services"/> adds what a test needs.</summary>
    public static async Task<WebTestHost> StartBareAsync(Action<IServiceCollection>? services = null, string? token = null, DateTimeOffset? now = null)
    {
        var time = new FakeTimeProvider(now ?? Now);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(Config(token));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        services?.Invoke(builder.Services);
        builder.Services.AddEdgeEnergyWeb(builder.Configuration);
        var app = builder.Build();
        app.MapEdgeEnergyWeb();
        await app.StartAsync();
        return new WebTestHost(app, time, token);
    }

    private static Dictionary<string, string?> Config(string? token) => new()
    {
        ["Http:Urls"] = "http://127.0.0.1:0",
        ["Http:Token"] = token,
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
