using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using EdgeEnergy.Testing.Octopus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsFactory = Microsoft.Extensions.Options.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Host.Tests.Data;

/// <summary>Recorded Agile rates served on loopback, through the real Octopus adapter into the real SQLite store.</summary>
public sealed class PriceUpdaterTests : IAsyncLifetime
{
    private const string Import = "AGILE-FLEX-22-11-25";
    private const string Export = "AGILE-OUTGOING-19-05-13";
    private static readonly IReadOnlyList<Rate> s_import = FixtureData.AgileCsv("agile_import_J_2022-03-25_28.csv");
    private static readonly IReadOnlyList<Rate> s_export = FixtureData.AgileCsv("agile_outgoing_C_2022-03-25_28.csv");

    // 17:00 UTC on the spring-forward day (18:00 BST): tomorrow's prices are due, the horizon is 2022-03-28 22:00 UTC.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2022-03-27T17:00:00Z"));
    private readonly FakeOctopusApi _api = new FakeOctopusApi().WithTariff($"E-1R-{Import}-J", s_import).WithTariff($"E-1R-{Export}-J", s_export);
    private readonly RecordingReplanRequester _replan = new();
    private OctopusAndStore _env = null!;

    public async Task InitializeAsync() => _env = await OctopusAndStore.StartAsync(_api, "edgeenergy-prices-");

    public async Task DisposeAsync() => await _env.DisposeAsync();

    private static TimeRange Window => new(DateTimeOffset.Parse("2022-03-25T17:00:00Z"), DateTimeOffset.Parse("2022-03-28T22:00:00Z"));

    private PriceUpdater Updater(PricePollState? state = null, Action<OctopusOptions>? configure = null, IApplianceStatusPublisher? status = null, TimeProvider? clock = null)
    {
        var settings = OctopusSettings();
        configure?.Invoke(settings);
        clock ??= _clock;
        return new(
            new OctopusPriceSource(new HttpClient(), OptionsFactory.Create(settings), clock, NullLogger<OctopusPriceSource>.Instance),
            new SqliteRateStore(_env.Database),
            OptionsFactory.Create(settings),
            state ?? new PricePollState(),
            clock,
            NullLogger<PriceUpdater>.Instance,
            _replan,
            status);
    }

    private OctopusOptions OctopusSettings() => new()
    {
        BaseUrl = _env.Server.BaseUrl.ToString(), ImportProduct = Import, ExportProduct = Export, Region = "J", PageSize = 40, BackfillDays = 2,
        RetryBaseDelay = TimeSpan.Zero,
    };

    private Task<IReadOnlyList<Rate>> StoredAsync(RateKind kind) => new SqliteRateStore(_env.Database).GetAsync(kind, new TimeRange(DateTimeOffset.MinValue.AddYears(2000), DateTimeOffset.MaxValue.AddYears(-1000)), CancellationToken.None);

    private static IEnumerable<Rate> In(IEnumerable<Rate> rates, TimeRange window) => rates.Where(r => r.StartUtc >= window.FromUtc && r.StartUtc < window.ToUtc);

    [Fact]
    public async Task A_six_hour_publishing_gap_is_refetched_by_range_once_it_appears()
    {
        var gap = new TimeRange(DateTimeOffset.Parse("2022-03-26T06:00:00Z"), DateTimeOffset.Parse("2022-03-26T12:00:00Z"));
        // Hidden slots are hidden in both tariffs, so import and export both have the gap.
        foreach (var rate in In(s_import, gap))
        {
            _api.HiddenSlots.Add(rate.StartUtc);
        }

        var first = await Updater().UpdateAsync(CancellationToken.None);
        var import = first.Kinds.Single(k => k.Kind == RateKind.Import);
        Assert.Equal([gap], import.StillMissing);
        Assert.Equal(In(s_import, Window).Where(r => !_api.HiddenSlots.Contains(r.StartUtc)), await StoredAsync(RateKind.Import));

        _api.HiddenSlots.Clear();
        while (_env.Server.Requests.TryDequeue(out _))
        {
        }

        _clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Equal(12, second.Kinds.Single(k => k.Kind == RateKind.Import).Saved);
        Assert.Empty(second.Kinds.Single(k => k.Kind == RateKind.Import).StillMissing);
        Assert.Equal(In(s_import, Window), await StoredAsync(RateKind.Import));
        Assert.Equal(In(s_export, Window), await StoredAsync(RateKind.Export));
        // Only the gap was asked for, once per tariff.
        Assert.Equal([gap, gap], FakeOctopusApi.RequestedRanges(_env.Server.Requests));
        Assert.Equal([PlanningTrigger.NewPrices, PlanningTrigger.NewPrices], _replan.Triggers);
    }

    [Fact]
    public async Task The_store_holds_exactly_the_valid_rates_despite_duplicates_and_broken_items()
    {
        var inWindow = In(s_import, Window).ToList();
        _api.ExtraItemsTariff = $"E-1R-{Import}-J";
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(inWindow[^1]));
        var broken = FakeOctopusApi.Item(inWindow[^2]);
        broken["value_inc_vat"] = "NaN";
        _api.ExtraItemsOnFirstPage.Add(broken);
        _api.ExtraItemsOnFirstPage.Add(FakeOctopusApi.Item(inWindow[^3] with { Pence = inWindow[^3].Pence + 3 }));

        var result = await Updater().UpdateAsync(CancellationToken.None);

        var conflicted = inWindow[^3].StartUtc;
        Assert.Equal(In(s_import, Window).Where(r => r.StartUtc != conflicted), await StoredAsync(RateKind.Import));
        Assert.Equal(In(s_export, Window), await StoredAsync(RateKind.Export));
        Assert.DoesNotContain(await StoredAsync(RateKind.Import), r => r.Pence == 0 && s_import.Single(x => x.StartUtc == r.StartUtc).Pence != 0);
        Assert.Equal([new TimeRange(conflicted, conflicted.AddMinutes(30))], result.Kinds.Single(k => k.Kind == RateKind.Import).StillMissing);
    }

    [Fact]
    public async Task A_malformed_page_loses_nothing_the_next_run_cannot_fill()
    {
        _api.MalformedPages.Add(2);
        var first = await Updater().UpdateAsync(CancellationToken.None);
        Assert.NotEmpty(first.Kinds.Single(k => k.Kind == RateKind.Import).StillMissing);
        Assert.Equal(40, (await StoredAsync(RateKind.Import)).Count); // page 1: the newest 40 slots

        _api.MalformedPages.Clear();
        await Updater().UpdateAsync(CancellationToken.None);
        Assert.Equal(In(s_import, Window), await StoredAsync(RateKind.Import));
    }

    [Fact]
    public async Task A_complete_store_asks_for_nothing_and_requests_no_replan()
    {
        await Updater().UpdateAsync(CancellationToken.None);
        var requests = _env.Server.Requests.Count;
        _replan.Triggers.Clear();
        var again = await Updater().UpdateAsync(CancellationToken.None);
        Assert.Equal(requests, _env.Server.Requests.Count);
        Assert.All(again.Kinds, k => Assert.Equal(0, k.Requests));
        Assert.Empty(_replan.Triggers);
    }

    [Fact]
    public async Task The_poll_schedule_waits_thirty_minutes_once_tomorrow_is_in()
    {
        var state = new PricePollState();
        var updater = Updater(state);
        Assert.True(await updater.IsDueAsync(CancellationToken.None));
        await updater.UpdateAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await updater.IsDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(25));
        Assert.True(await updater.IsDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task After_four_pm_it_polls_every_five_minutes_while_tomorrow_is_missing()
    {
        foreach (var rate in s_import.Where(r => r.StartUtc >= DateTimeOffset.Parse("2022-03-27T22:00:00Z")))
        {
            _api.HiddenSlots.Add(rate.StartUtc);
        }

        var state = new PricePollState();
        var updater = Updater(state);
        await updater.UpdateAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(await updater.IsDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await updater.IsDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_source_outage_is_reported_and_the_store_is_left_as_it_was()
    {
        await _env.ReplaceServerAsync(c =>
        {
            c.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        var result = await Updater().UpdateAsync(CancellationToken.None);
        Assert.True(result.Failed);
        Assert.Contains(result.Kinds.SelectMany(k => k.Errors), e => e.Contains("503"));
        Assert.Empty(await StoredAsync(RateKind.Import));
    }

    [Fact]
    public async Task An_export_without_public_rates_degrades_the_prices_component_naming_the_key_and_stores_no_export_price()
    {
        var status = new ApplianceStatusStore();
        var result = await Updater(configure: o => o.ExportProduct = "OUTGOING-SEG-FIX-12M-20-07-07", status: status).UpdateAsync(CancellationToken.None);
        var prices = Assert.Single(status.Current.Components, c => c.Component == PriceUpdater.Component);
        Assert.Equal(HealthState.Degraded, prices.State);
        Assert.Contains("Octopus:ExportProduct 'OUTGOING-SEG-FIX-12M-20-07-07'", prices.Detail);
        Assert.True(result.Failed);
        Assert.Empty(await StoredAsync(RateKind.Export));
        Assert.Equal(In(s_import, Window), await StoredAsync(RateKind.Import));
    }

    [Fact]
    public async Task A_healthy_fetch_reports_the_prices_component_healthy()
    {
        var status = new ApplianceStatusStore();
        await Updater(status: status).UpdateAsync(CancellationToken.None);
        Assert.Equal(HealthState.Healthy, Assert.Single(status.Current.Components, c => c.Component == PriceUpdater.Component).State);
    }

    [Fact]
    public async Task A_window_tariff_is_stored_once_per_half_hour_to_the_end_of_tomorrow_without_waiting_for_four_pm()
    {
        // Sunday 27 March 2022, 10:00 UTC (11:00 BST): Agile would know only to 23:00 tonight; Go is known ahead.
        var morning = new FakeTimeProvider(DateTimeOffset.Parse("2022-03-27T10:00:00Z"));
        var go = TariffWindows.Go(7.5, 41.0);
        _api.WithRows("E-1R-GO-VAR-22-10-14-J", "standard-unit-rates", TariffWindows.Rows(new DateOnly(2022, 3, 20), new DateOnly(2022, 3, 30), go));
        await Updater(configure: o => o.ImportProduct = "GO-VAR-22-10-14", clock: morning).UpdateAsync(CancellationToken.None);
        var stored = await StoredAsync(RateKind.Import);
        var from = DateTimeOffset.Parse("2022-03-25T10:00:00Z");
        var until = DateTimeOffset.Parse("2022-03-28T23:00:00Z"); // midnight BST at the end of Monday
        Assert.Equal((int)((until - from) / TimeSpan.FromMinutes(30)), stored.Count);
        Assert.Equal(stored.Select((r, i) => from + (TimeSpan.FromMinutes(30) * i)), stored.Select(r => r.StartUtc));
        Assert.All(stored, r => Assert.Equal(TariffWindows.PriceAt(go, r.StartUtc), r.Pence));
    }

    internal sealed class RecordingReplanRequester : IReplanRequester
    {
        public List<PlanningTrigger> Triggers { get; } = [];

        public Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken)
        {
            Triggers.Add(trigger);
            return Task.CompletedTask;
        }
    }
}
