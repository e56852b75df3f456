using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Octopus;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

/// <summary>
/// Every shape of Octopus rate rows, served by an Octopus-shaped server on loopback, comes out as one price per half
/// hour, each slot exactly once. Window prices are illustrative (EdgeEnergy.Testing/Octopus/README.md); the times are the
/// tariffs' documented windows; both weekends hold a clock change.
/// </summary>
public sealed class OctopusTariffShapesTests : IAsyncLifetime
{
    private const string Region = "J";
    private static readonly DateOnly s_first = new(2022, 3, 25);
    private static readonly DateOnly s_last = new(2022, 3, 28);

    /// <summary>Fri 25 → Mon 28 March 2022 (UK): 23:00Z Thursday to 23:00Z Sunday… the spring-forward day has 46 slots.</summary>
    private static readonly TimeRange s_spring = new(UkTime.ToUtc(s_first, TimeOnly.MinValue), UkTime.ToUtc(s_last.AddDays(1), TimeOnly.MinValue));
    private static readonly TimeRange s_autumn = new(UkTime.ToUtc(new DateOnly(2022, 10, 29), TimeOnly.MinValue), UkTime.ToUtc(new DateOnly(2022, 11, 1), TimeOnly.MinValue));
    private static readonly (TimeOnly, double)[] s_go = TariffWindows.Go(7.5, 41.0);
    private static readonly (TimeOnly, double)[] s_flux = TariffWindows.Flux(21.0, 35.0, 49.0);
    private static readonly (TimeOnly, double)[] s_cosy = TariffWindows.Cosy(19.0, 33.0, 50.0);

    private readonly FakeOctopusApi _api = new();
    private readonly CapturingLoggerFactory _logs = new();
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OctopusPriceSource Source(string import, string export = "", Action<OctopusOptions>? configure = null)
    {
        var options = new OctopusOptions
        {
            BaseUrl = _server.BaseUrl.ToString(), ImportProduct = import, ExportProduct = export, Region = Region, PageSize = 1500,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(options);
        return new OctopusPriceSource(new HttpClient(), Options.Create(options), TimeProvider.System, _logs.For<OctopusPriceSource>());
    }

    /// <summary>Every half hour of <paramref name="range"/> once, in order, at the price <paramref name="expected"/> gives it.</summary>
    private static void AssertEverySlotOnce(PriceFetchResult result, TimeRange range, Func<DateTimeOffset, double> expected)
    {
        var slots = (int)(range.Duration / TariffExpansion.SlotLength);
        Assert.Equal(slots, result.Rates.Count);
        for (var i = 0; i < slots; i++)
        {
            var start = range.FromUtc + (TariffExpansion.SlotLength * i);
            Assert.Equal(new Rate(start, start + TariffExpansion.SlotLength, expected(start)), result.Rates[i]);
        }

        Assert.Empty(result.Rejected);
    }

    [Theory]
    [InlineData("GO-VAR-22-10-14")]
    [InlineData("FLUX-IMPORT-23-02-14")]
    [InlineData("COSY-22-12-08")]
    public async Task Window_rows_give_every_half_hour_once_across_the_spring_clock_change(string product)
    {
        var windows = product[0] switch { 'G' => s_go, 'F' => s_flux, _ => s_cosy };
        _api.WithRows($"E-1R-{product}-{Region}", "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, windows));
        var result = await Source(product).FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        Assert.Equal(4 * 48 - 2, result.Rates.Count);
        AssertEverySlotOnce(result, s_spring, t => TariffWindows.PriceAt(windows, t));
    }

    [Fact]
    public async Task Window_rows_across_several_pages_give_every_half_hour_once()
    {
        _api.WithRows($"E-1R-GO-VAR-22-10-14-{Region}", "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, s_go));
        var result = await Source("GO-VAR-22-10-14", configure: o => o.PageSize = 3).FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        Assert.True(result.Pages >= 3, $"{result.Pages} pages");
        AssertEverySlotOnce(result, s_spring, t => TariffWindows.PriceAt(s_go, t));
    }

    [Fact]
    public async Task Daily_rows_give_50_slots_on_the_fall_back_day_each_at_its_days_price()
    {
        var days = new[] { new DateOnly(2022, 10, 29), new DateOnly(2022, 10, 30), new DateOnly(2022, 10, 31) };
        _api.WithRows($"E-1R-SILVER-FLEX-22-11-25-{Region}", "standard-unit-rates",
            days.Select((d, i) => FakeOctopusApi.Row(UkTime.ToUtc(d, TimeOnly.MinValue), UkTime.ToUtc(d.AddDays(1), TimeOnly.MinValue), 30 + i)));
        var result = await Source("SILVER-FLEX-22-11-25").FetchAsync(RateKind.Import, s_autumn, CancellationToken.None);
        Assert.Equal(48 + 50 + 48, result.Rates.Count);
        AssertEverySlotOnce(result, s_autumn, t => 30 + Array.IndexOf(days, DateOnly.FromDateTime(UkTime.ToLocal(t).DateTime)));
    }

    [Fact]
    public async Task Open_ended_rows_run_to_the_requested_end_and_a_closed_row_hands_over_at_its_end()
    {
        var change = UkTime.ToUtc(new DateOnly(2022, 3, 27), new TimeOnly(0, 0));
        _api.WithRows($"E-1R-OUTGOING-FIX-12M-19-05-13-{Region}", "standard-unit-rates",
        [
            FakeOctopusApi.Row(new DateTimeOffset(2019, 5, 13, 0, 0, 0, TimeSpan.Zero), change, 5.5),
            FakeOctopusApi.Row(change, null, 15.0),
        ]);
        var result = await Source("AGILE-FLEX-22-11-25", "OUTGOING-FIX-12M-19-05-13").FetchAsync(RateKind.Export, s_spring, CancellationToken.None);
        AssertEverySlotOnce(result, s_spring, t => t < change ? 5.5 : 15.0);
    }

    [Fact]
    public async Task Two_register_open_ended_day_and_night_rates_split_by_the_configured_night_hours()
    {
        const string product = "VAR-22-11-01";
        _api.WithRows($"E-2R-{product}-{Region}", "day-unit-rates", [FakeOctopusApi.Row(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), null, 31.5)]);
        _api.WithRows($"E-2R-{product}-{Region}", "night-unit-rates", [FakeOctopusApi.Row(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), null, 13.2)]);
        var result = await Source(product).FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        var night = new DailyWindow(new TimeOnly(0, 30), new TimeOnly(7, 30));
        AssertEverySlotOnce(result, s_spring, t => night.Contains(TimeOnly.FromDateTime(t.UtcDateTime)) ? 13.2 : 31.5);
        Assert.Contains(_server.Requests, r => r.Contains($"/E-2R-{product}-{Region}/night-unit-rates/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_register_window_rows_keep_each_registers_own_windows()
    {
        // Intelligent-Go style: the day and night lists each hold only their own windows, so no hours are configured.
        const string product = "IOG-VAR-22-10-14";
        var windows = TariffWindows.Go(7.0, 30.0);
        var rows = TariffWindows.Rows(s_first.AddDays(-1), s_last, windows);
        _api.WithRows($"E-1R-{product}-{Region}", "day-unit-rates", rows.Where(r => r["value_inc_vat"]!.GetValue<double>() > 10));
        _api.WithRows($"E-1R-{product}-{Region}", "night-unit-rates", rows.Where(r => r["value_inc_vat"]!.GetValue<double>() < 10));
        var result = await Source(product, configure: o => o.NightHoursUtc = "12:00-13:00").FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        AssertEverySlotOnce(result, s_spring, t => TariffWindows.PriceAt(windows, t));
    }

    [Fact]
    public async Task Payment_method_splits_take_the_direct_debit_rows()
    {
        var code = $"E-1R-COSY-22-12-08-{Region}";
        _api.WithRows(code, "standard-unit-rates",
        [
            .. TariffWindows.Rows(s_first.AddDays(-1), s_last, s_cosy, "DIRECT_DEBIT"),
            .. TariffWindows.Rows(s_first.AddDays(-1), s_last, TariffWindows.Cosy(21.0, 35.0, 52.0), "NON_DIRECT_DEBIT"),
        ]);
        var result = await Source("COSY-22-12-08").FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        AssertEverySlotOnce(result, s_spring, t => TariffWindows.PriceAt(s_cosy, t));
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_and_every_slot_still_arrives_once()
    {
        _api.WithRows($"E-1R-GO-VAR-22-10-14-{Region}", "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, s_go));
        _api.TooManyRequests(1, retryAfterSeconds: 1);
        var result = await Source("GO-VAR-22-10-14").FetchAsync(RateKind.Import, s_spring, CancellationToken.None);
        AssertEverySlotOnce(result, s_spring, t => TariffWindows.PriceAt(s_go, t));
        Assert.Contains("429", _logs.All);
    }

    [Fact]
    public async Task An_export_product_without_public_rates_is_a_404_naming_the_key()
    {
        _api.WithTariff($"E-1R-AGILE-FLEX-22-11-25-{Region}", []);
        var e = await Assert.ThrowsAsync<TariffNotFoundException>(() => Source("AGILE-FLEX-22-11-25", "OUTGOING-SEG-FIX-12M-20-07-07").FetchAsync(RateKind.Export, s_spring, CancellationToken.None));
        Assert.Contains("Octopus:ExportProduct 'OUTGOING-SEG-FIX-12M-20-07-07'", e.Message);
        Assert.Contains("404", e.Message);
    }

    [Fact]
    public async Task Standing_charges_come_with_the_rates_when_asked_and_count_each_uk_day_once()
    {
        var code = $"E-1R-GO-VAR-22-10-14-{Region}";
        _api.WithRows(code, "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, s_go));
        _api.WithRows(code, "standing-charges", [FakeOctopusApi.Row(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), null, 46.0)]);
        var rates = await Source("GO-VAR-22-10-14").FetchTariffAsync("GO-VAR-22-10-14", s_spring, "--import", withStandingCharges: true, CancellationToken.None);
        Assert.Equal(4 * 46.0, TariffExpansion.StandingPence(rates.StandingCharges, s_spring, UkTime.Zone));
        Assert.Equal(code, rates.Tariff.Code);
    }

    [Fact]
    public async Task The_live_standing_charges_of_the_tariff_in_force_give_each_uk_day_the_row_in_force_at_its_start()
    {
        var code = $"E-1R-GO-VAR-22-10-14-{Region}";
        // 46.00 p/day to the start of Sunday 27 March (UK midnight is 00:00Z: the clocks go forward at 01:00), then 48.50.
        var change = new DateTimeOffset(2022, 3, 27, 0, 0, 0, TimeSpan.Zero);
        _api.WithRows(code, "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, s_go));
        _api.WithRows(code, "standing-charges", [FakeOctopusApi.Row(change.AddMonths(-3), change, 46.0), FakeOctopusApi.Row(change, null, 48.5)]);
        _api.WithRows($"E-1R-OUTGOING-FIX-12M-19-05-13-{Region}", "standard-unit-rates", [FakeOctopusApi.Row(change.AddYears(-1), null, 15.0)]);
        var source = Source("GO-VAR-22-10-14", "OUTGOING-FIX-12M-19-05-13");

        var import = await source.FetchStandingChargesAsync(RateKind.Import, s_spring, CancellationToken.None);
        var export = await source.FetchStandingChargesAsync(RateKind.Export, s_spring, CancellationToken.None);

        Assert.Equal((code, true, 2), (import.Tariff, import.Published, import.Rows.Count));
        var days = Enumerable.Range(0, 4).Select(d => StandingChargeDays.ForDay(import, s_first.AddDays(d), UkTime.Zone, out _)).ToList();
        Assert.Equal([46.0, 46.0, 48.5, 48.5], days);
        // The export product has no standing-charges list: it charges nothing per day (not "unknown").
        Assert.False(export.Published);
        Assert.Equal(0, StandingChargeDays.ForDay(export, s_first, UkTime.Zone, out var none));
        Assert.Null(none);
    }

    [Fact]
    public async Task A_standing_charge_list_that_cannot_be_read_is_an_error_not_a_day_without_charge()
    {
        var code = $"E-1R-GO-VAR-22-10-14-{Region}";
        _api.WithRows(code, "standard-unit-rates", TariffWindows.Rows(s_first.AddDays(-1), s_last, s_go));
        _api.WithRows(code, "standing-charges", [FakeOctopusApi.Row(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero), null, 46.0)]);
        _api.MalformedPages.Add(1);

        var e = await Assert.ThrowsAsync<PriceSourceException>(() => Source("GO-VAR-22-10-14").FetchStandingChargesAsync(RateKind.Import, s_spring, CancellationToken.None));
        Assert.Contains(code, e.Message, StringComparison.Ordinal);
        Assert.Contains("standing-charges", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_export_product_means_no_export_standing_charge()
    {
        var charges = await Source("GO-VAR-22-10-14", export: "").FetchStandingChargesAsync(RateKind.Export, s_spring, CancellationToken.None);
        Assert.False(charges.Published);
        Assert.Equal(0, _api.ProductRequests);
    }
}
