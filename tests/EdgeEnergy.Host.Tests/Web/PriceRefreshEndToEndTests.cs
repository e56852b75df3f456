using System.Net;
using System.Text.Json;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Host.Web;
using EdgeEnergy.Host.Tests.Data;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OptionsFactory = Microsoft.Extensions.Options.Options;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>POST /api/v1/prices/update through the real Octopus adapter (recorded rates on loopback) into the real SQLite store.</summary>
public sealed class PriceRefreshEndToEndTests : IAsyncLifetime
{
    private const string Import = "AGILE-FLEX-22-11-25";
    private const string Export = "AGILE-OUTGOING-19-05-13";
    private readonly FakeOctopusApi _api = new FakeOctopusApi()
        .WithTariff($"E-1R-{Import}-J", FixtureData.AgileCsv("agile_import_J_2022-03-25_28.csv"))
        .WithTariff($"E-1R-{Export}-J", FixtureData.AgileCsv("agile_outgoing_C_2022-03-25_28.csv"));
    private OctopusAndStore _env = null!;

    public async Task InitializeAsync() => _env = await OctopusAndStore.StartAsync(_api, "edgeenergy-web-prices-");

    public async Task DisposeAsync() => await _env.DisposeAsync();

    private async Task<WebTestHost> StartAsync(string baseUrl)
    {
        var octopus = OptionsFactory.Create(new OctopusOptions
        {
            BaseUrl = baseUrl, ImportProduct = Import, ExportProduct = Export, Region = "J", PageSize = 40, BackfillDays = 2, RetryBaseDelay = TimeSpan.Zero,
        });
        var host = await WebTestHost.StartBareAsync(services => services.AddSingleton<IPriceRefreshTrigger>(sp =>
        {
            var clock = sp.GetRequiredService<TimeProvider>();
            return new PriceUpdaterRefreshTrigger(new PriceUpdater(
                new OctopusPriceSource(new HttpClient(), octopus, clock, NullLogger<OctopusPriceSource>.Instance),
                new SqliteRateStore(_env.Database), octopus, new PricePollState(), clock, NullLogger<PriceUpdater>.Instance));
        }), now: DateTimeOffset.Parse("2022-03-27T17:00:00Z", System.Globalization.CultureInfo.InvariantCulture)); // tomorrow's prices are out
        return host;
    }

    [Fact]
    public async Task Fetch_now_stores_the_published_rates_and_says_how_many()
    {
        await using var host = await StartAsync(_env.Server.BaseUrl.ToString());
        using var response = await host.Client.PostAsync("api/v1/prices/update", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await new SqliteRateStore(_env.Database).GetAsync(RateKind.Import,
            new TimeRange(DateTimeOffset.Parse("2022-03-25T00:00:00Z"), DateTimeOffset.Parse("2022-03-29T00:00:00Z")), CancellationToken.None);
        Assert.NotEmpty(stored);
        Assert.True(body.GetProperty("slotsStored").GetInt32() >= stored.Count, body.ToString());
        Assert.StartsWith("import: ", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_unreachable_price_source_is_a_502_with_the_reason_and_nothing_stored()
    {
        // A loopback port nobody listens on: connection refused.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var deadPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var host = await StartAsync($"http://127.0.0.1:{deadPort}/");
        using var response = await host.Client.PostAsync("api/v1/prices/update", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(body.GetProperty("succeeded").GetBoolean());
        Assert.Equal(0, body.GetProperty("slotsStored").GetInt32());
    }
}
