using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

public sealed class OctopusPriceSourceTests : IAsyncLifetime
{
    private const string Product = "AGILE-FLEX-22-11-25";
    private const string ExportProduct = "AGILE-OUTGOING-19-05-13";
    private static readonly IReadOnlyList<Rate> s_spring = FixtureData.AgileCsv("agile_import_J_2022-03-25_28.csv");
    private static readonly IReadOnlyList<Rate> s_autumn = FixtureData.AgileCsv("agile_import_J_2022-10-28_31.csv");
    private readonly FakeOctopusApi _api = new FakeOctopusApi()
        .WithTariff($"E-1R-{Product}-J", [.. s_spring, .. s_autumn])
        .WithTariff($"E-1R-{ExportProduct}-J", FixtureData.AgileCsv("agile_outgoing_C_2022-03-25_28.csv"));
    private readonly CapturingLoggerFactory _logs = new();
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OctopusPriceSource Source(Action<OctopusOptions>? configure = null)
    {
        var options = new OctopusOptions
        {
            BaseUrl = _server.BaseUrl.ToString(), ImportProduct = Product, ExportProduct = ExportProduct, Region = "J", PageSize = 50,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(options);
        return new OctopusPriceSource(new HttpClient(), Options.Create(options), TimeProvider.System, _logs.For<OctopusPriceSource>());
    }

    private static TimeRange Range(IReadOnlyList<Rate> rates) => new(rates[0].StartUtc, rates[^1].EndUtc);

    [Fact]
    public async Task Follows_next_pages_newest_first_and_returns_every_rate_in_order()
    {
        var result = await Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);
        Assert.Equal(4, result.Pages); // 192 slots at 50 a page
        Assert.Equal(s_spring, result.Rates);
        Assert.Empty(result.Rejected);
        Assert.All(result.Rates, r => Assert.Equal(TimeSpan.Zero, r.StartUtc.Offset));
    }

    [Fact]
    public async Task The_spring_forward_day_has_46_slots_and_the_fall_back_day_50()
    {
        var source = Source(o => o.PageSize = 1500);
        var spring = await source.FetchAsync(RateKind.Import, new TimeRange(UkTime.ToUtc(new DateOnly(2022, 3, 27), TimeOnly.MinValue), UkTime.ToUtc(new DateOnly(2022, 3, 28), TimeOnly.MinValue)), CancellationToken.None);
        var autumn = await source.FetchAsync(RateKind.Import, new TimeRange(UkTime.ToUtc(new DateOnly(2022, 10, 30), TimeOnly.MinValue), UkTime.ToUtc(new DateOnly(2022, 10, 31), TimeOnly.MinValue)), CancellationToken.None);
        Assert.Equal(46, spring.Rates.Count);
        Assert.Equal(50, autumn.Rates.Count);
        Assert.Equal(DateTimeOffset.Parse("2022-10-29T23:00:00Z"), autumn.Rates[0].StartUtc);
    }

    [Fact]
    public async Task Export_uses_the_outgoing_tariff_code()
    {
        var result = await Source().FetchAsync(RateKind.Export, Range(s_spring), CancellationToken.None);
        Assert.Equal(192, result.Rates.Count);
        Assert.All(_server.Requests.Where(r => r.Contains("/electricity-tariffs/", StringComparison.Ordinal)), r => Assert.Contains($"/electricity-tariffs/E-1R-{ExportProduct}-J/", r));
        Assert.Contains($"GET /v1/products/{ExportProduct}/", _server.Requests);
    }

    [Fact]
    public async Task Duplicates_missing_and_absurd_values_are_rejected_with_reasons_and_the_rest_kept()
    {
        var slot = s_spring[10];
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(slot)); // identical duplicate
        var missing = FakeOctopusApi.Item(s_spring[11]);
        missing.Remove("value_inc_vat");
        _api.ExtraItemsOnFirstPage.Add(missing);
        var nullValue = FakeOctopusApi.Item(s_spring[12]);
        nullValue["value_inc_vat"] = null;
        _api.ExtraItemsOnFirstPage.Add(nullValue);
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(s_spring[13] with { Pence = 9999 }));
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(new Rate(s_spring[14].StartUtc, s_spring[14].StartUtc.AddMinutes(15), 5)));
        var result = await Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);

        // Slot 13 arrived twice with different prices (real + absurd): the absurd one is rejected, the real one kept.
        Assert.Equal(s_spring, result.Rates);
        Assert.Contains(result.Rejected, r => r.Reason.Contains("duplicate"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("value_inc_vat is missing"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("value_inc_vat is null"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("absurd price 9999"));
        Assert.Contains(result.Rejected, r => r.Reason.Contains("07:15Z is not on the half-hour grid"));
        Assert.Contains("value_inc_vat is missing", _logs.All);
    }

    [Fact]
    public async Task A_slot_published_with_two_prices_is_dropped_not_guessed()
    {
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(s_spring[20] with { Pence = s_spring[20].Pence + 7 }));
        var result = await Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);
        Assert.Equal(s_spring.Count - 1, result.Rates.Count);
        Assert.DoesNotContain(result.Rates, r => r.StartUtc == s_spring[20].StartUtc);
        Assert.Contains(result.Rejected, r => r.Reason.Contains("conflicting duplicate"));
    }

    [Fact]
    public async Task A_malformed_later_page_keeps_the_pages_before_it_and_says_which_page()
    {
        _api.MalformedPages.Add(2);
        var result = await Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);
        // Newest first: page 1 holds the newest 50 slots.
        Assert.Equal(s_spring.TakeLast(50), result.Rates);
        Assert.Contains(result.Rejected, r => r.Reason.Contains("page 2") && r.Reason.Contains("not JSON"));
    }

    [Fact]
    public async Task A_malformed_first_page_is_an_error_naming_the_page()
    {
        _api.MalformedPages.Add(1);
        var e = await Assert.ThrowsAsync<PriceSourceException>(() => Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None));
        Assert.Contains("page 1", e.Message);
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after_then_succeeds()
    {
        _api.TooManyRequests(1, retryAfterSeconds: 1);
        var result = await Source(o => o.PageSize = 1500).FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);
        Assert.Equal(192, result.Rates.Count);
        Assert.Equal(3, _server.Requests.Count); // the product's 429, the product, the one page
        Assert.Contains("429", _logs.All);
    }

    [Fact]
    public async Task A_retry_after_longer_than_we_wait_gives_up_at_once()
    {
        _api.TooManyRequests(5, retryAfterSeconds: 600);
        var e = await Assert.ThrowsAsync<PriceSourceException>(() => Source().FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None));
        Assert.Contains("429", e.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_region_the_product_has_no_tariff_for_is_an_error_naming_the_keys()
    {
        var e = await Assert.ThrowsAsync<TariffNotFoundException>(() => Source(o => o.Region = "C").FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None));
        Assert.Contains($"Octopus:ImportProduct '{Product}'", e.Message);
        Assert.Contains("Octopus:Region 'C'", e.Message);
    }

    [Fact]
    public void Times_without_an_offset_are_europe_london()
    {
        var page = JsonDocument.Parse("""
            {"count":2,"next":null,"previous":null,"results":[
              {"value_exc_vat":10,"value_inc_vat":10.5,"valid_from":"2022-07-01T12:00:00","valid_to":"2022-07-01T12:30:00","payment_method":null},
              {"value_exc_vat":10,"value_inc_vat":10.5,"valid_from":"2022-07-01T13:00:00+01:00","valid_to":"2022-07-01T13:30:00+01:00","payment_method":null}]}
            """);
        var parsed = OctopusWire.ParsePage(page.RootElement, 1, new Uri("http://127.0.0.1/"));
        Assert.Equal([DateTimeOffset.Parse("2022-07-01T11:00:00Z"), DateTimeOffset.Parse("2022-07-01T12:00:00Z")], parsed.Rows.Select(r => r.FromUtc));
        Assert.All(parsed.Rows, r => Assert.Equal(TimeSpan.Zero, r.FromUtc.Offset));
    }

    [Fact]
    public void Non_direct_debit_prices_are_ignored()
    {
        var item = FakeOctopusApi.Item(s_spring[0]);
        var other = FakeOctopusApi.Item(s_spring[0] with { Pence = 99 });
        other["payment_method"] = "NON_DIRECT_DEBIT";
        var page = new JsonObject { ["next"] = null, ["results"] = new JsonArray(item, other) };
        var parsed = OctopusWire.ParsePage(JsonDocument.Parse(page.ToJsonString()).RootElement, 1, new Uri("http://127.0.0.1/"));
        Assert.Equal([new TariffRow(s_spring[0].StartUtc, s_spring[0].EndUtc, s_spring[0].Pence)], parsed.Rows);
    }

    [Fact]
    public async Task Fetch_does_not_follow_next_off_the_configured_host()
    {
        var evil = await LoopbackHttpServer.StartAsync(async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(c.Request.Path == $"/v1/products/{Product}/"
                ? """{"single_register_electricity_tariffs":{"_J":{"direct_debit_monthly":{"code":"E-1R-""" + Product + """-J","links":[]}}}}"""
                : """{"next":"http://localhost:1/v1/other?page=2","results":[]}""");
        });
        await using (evil)
        {
            var source = new OctopusPriceSource(new HttpClient(), Options.Create(new OctopusOptions { BaseUrl = evil.BaseUrl.ToString(), ImportProduct = Product, Region = "J" }),
                TimeProvider.System, _logs.For<OctopusPriceSource>());
            var result = await source.FetchAsync(RateKind.Import, Range(s_spring), CancellationToken.None);
            Assert.Contains(result.Rejected, r => r.Reason.Contains("not followed"));
            Assert.Equal(2, evil.Requests.Count); // the product, then the one page whose 'next' is refused
        }
    }
}
