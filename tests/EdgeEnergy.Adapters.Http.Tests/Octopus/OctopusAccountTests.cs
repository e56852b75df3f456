using System.Text.Json;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

/// <summary>
/// The account (REST), the Kraken GraphQL client and the dispatch source against <see cref="FakeOctopusAccountApi"/>
/// on a real Kestrel server on 127.0.0.1; the clock is a fake one shared with the server's token expiry.
/// </summary>
public sealed class OctopusAccountTests : IAsyncLifetime
{
    private const string Key = "sk_live_account0123456789";
    private const string Account = "A-1234ABCD";
    private const string ImportMpan = "1200012345678";
    private const string ExportMpan = "1270012345679";
    private const string OtherMpan = "1900098765432";

    // Wednesday 2 December 2026 12:00 UTC (GMT).
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerFactory _logs = new();
    private FakeOctopusAccountApi _api = null!;
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _api = new FakeOctopusAccountApi(Key, Account, _time);
        _server = await LoopbackHttpServer.StartAsync(c => _api.HandleAsync(c));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IOptions<OctopusOptions> Options(string key = Key, string account = Account) => Microsoft.Extensions.Options.Options.Create(new OctopusOptions
    {
        BaseUrl = _server.BaseUrl.ToString(), ApiKey = key, AccountNumber = account,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromSeconds(2),
    });

    private OctopusAccountClient AccountClient(string key = Key, string account = Account) => new(new HttpClient(), Options(key, account), _time, _logs.For<OctopusAccountClient>());

    private OctopusGraphQlClient GraphQl(string key = Key) => new(new HttpClient(), Options(key), _time, _logs.For<OctopusGraphQlClient>());

    [Fact]
    public async Task Discovers_the_current_import_and_export_tariffs_mpans_and_serials_across_two_properties()
    {
        _api.Properties =
        [
            // A home moved out of: its meter point has only past agreements.
            FakeOctopusAccountApi.Property(1, FakeOctopusAccountApi.MeterPoint(OtherMpan, false, "19K0000001", ("E-1R-VAR-19-04-12-A", "2019-05-01T00:00:00+01:00", "2021-03-01T00:00:00Z"))),
            FakeOctopusAccountApi.Property(2,
                FakeOctopusAccountApi.MeterPoint(ImportMpan, false, "21L3456789",
                    ("E-1R-AGILE-FLEX-22-11-25-C", "2023-01-10T00:00:00Z", "2026-11-20T00:00:00Z"),
                    ("E-1R-INTELLI-VAR-22-10-14-C", "2026-11-20T00:00:00Z", null)),
                FakeOctopusAccountApi.MeterPoint(ExportMpan, true, "21L3456789", ("E-1R-OUTGOING-FIX-12M-19-05-13-C", "2023-02-01T00:00:00Z", null))),
        ];

        var account = await AccountClient().GetAccountAsync(CancellationToken.None);

        Assert.Equal(Account, account.Number);
        Assert.Equal(3, account.MeterPoints.Count);
        Assert.Null(account.MeterPoints.Single(p => p.Mpan == OtherMpan).CurrentTariff); // only past agreements
        Assert.Equal(ImportMpan, account.Import!.Mpan);
        Assert.Equal(new OctopusTariffCode("E-1R-INTELLI-VAR-22-10-14-C", "INTELLI-VAR-22-10-14", "C", false), account.Import.CurrentTariff);
        Assert.True(OctopusTariffCode.IsIntelligentGo(account.Import.CurrentTariff!.Product));
        Assert.Equal(ExportMpan, account.Export!.Mpan);
        Assert.Equal("OUTGOING-FIX-12M-19-05-13", account.Export.CurrentTariff!.Product);
        Assert.Equal(new OctopusMeter(MeterDirection.Export, ExportMpan, "21L3456789", "the account's export MPAN", "serial"), account.Meter(MeterDirection.Export));
        Assert.Equal($"GET /v1/accounts/{Account}/", Assert.Single(_server.Requests));
    }

    [Fact]
    public async Task Configured_products_win_over_the_account_and_the_account_wins_over_the_default()
    {
        _api.Properties = [FakeOctopusAccountApi.Property(2, FakeOctopusAccountApi.MeterPoint(ImportMpan, false, "21L3456789", ("E-1R-INTELLI-VAR-22-10-14-J", "2026-11-20T00:00:00Z", null)))];
        var account = await AccountClient().GetAccountAsync(CancellationToken.None);
        var options = new OctopusOptions { ImportProduct = "GO-VAR-22-10-14", ExportProduct = "AGILE-OUTGOING-19-05-13", Region = "C" };

        var discovered = new OctopusAccountState(importProductExplicit: false, exportProductExplicit: false) { Account = account };
        var configured = new OctopusAccountState(importProductExplicit: true, exportProductExplicit: false) { Account = account };

        Assert.Equal(new EffectiveTariff(RateKind.Import, "INTELLI-VAR-22-10-14", "J", "account"), discovered.Effective(RateKind.Import, options));
        Assert.Equal(new EffectiveTariff(RateKind.Import, "GO-VAR-22-10-14", "C", "configured"), configured.Effective(RateKind.Import, options));
        // No export agreement on the account: the default export product stays.
        Assert.Equal(new EffectiveTariff(RateKind.Export, "AGILE-OUTGOING-19-05-13", "C", "default"), discovered.Effective(RateKind.Export, options));
    }

    [Fact]
    public async Task A_refused_key_names_octopus_api_key_and_never_the_key()
    {
        var e = await Assert.ThrowsAsync<OctopusAccountRefusedException>(() => AccountClient(key: "sk_live_wrong_key_42").GetAccountAsync(CancellationToken.None));

        Assert.Contains("Octopus:ApiKey", e.Message, StringComparison.Ordinal);
        Assert.Contains("401", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_account_names_octopus_account_number()
    {
        var e = await Assert.ThrowsAsync<OctopusAccountRefusedException>(() => AccountClient(account: "A-9999ZZZZ").GetAccountAsync(CancellationToken.None));

        Assert.Contains("Octopus:AccountNumber 'A-9999ZZZZ'", e.Message, StringComparison.Ordinal);
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_graphql_token_is_reused_renewed_five_minutes_before_expiry_and_sent_bare()
    {
        using var client = GraphQl();
        var source = new OctopusDispatchSource(client, Options(), _time, _logs.For<OctopusDispatchSource>());

        await source.GetPlannedAsync(CancellationToken.None); // token, devices, dispatches
        _time.Advance(TimeSpan.FromMinutes(54));
        await source.GetPlannedAsync(CancellationToken.None); // 6 min before expiry: the same token
        Assert.Equal(1, _api.TokensIssued);
        _time.Advance(TimeSpan.FromMinutes(2));
        await source.GetPlannedAsync(CancellationToken.None); // 4 min before expiry: renewed first

        Assert.Equal(2, _api.TokensIssued);
        Assert.Equal(["obtainKrakenToken", "devices", "flexPlannedDispatches", "flexPlannedDispatches", "obtainKrakenToken", "flexPlannedDispatches"], _api.Operations);
        Assert.Equal("token-2", _server.Authorizations.Last());
    }

    [Fact]
    public async Task A_token_refused_before_its_expiry_is_renewed_once_and_the_query_repeated()
    {
        using var client = GraphQl();
        await client.QueryAsync(OctopusDispatchSource.DevicesQuery, new System.Text.Json.Nodes.JsonObject { ["accountNumber"] = Account }, CancellationToken.None);
        _api.RevokeTokens();

        var data = await client.QueryAsync(OctopusDispatchSource.DevicesQuery, new System.Text.Json.Nodes.JsonObject { ["accountNumber"] = Account }, CancellationToken.None);

        Assert.Equal(1, data.GetProperty("devices").GetArrayLength());
        Assert.Equal(2, _api.TokensIssued);
        Assert.Equal(["obtainKrakenToken", "devices", "devices", "obtainKrakenToken", "devices"], _api.Operations);
    }

    [Fact]
    public async Task A_key_kraken_refuses_names_octopus_api_key_and_never_the_key()
    {
        using var client = GraphQl(key: "sk_live_wrong_key_42");

        var e = await Assert.ThrowsAsync<OctopusAccountRefusedException>(() => client.QueryAsync(OctopusDispatchSource.DevicesQuery, null, CancellationToken.None));

        Assert.StartsWith("Octopus:ApiKey", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatches_are_read_in_utc_with_their_kind_and_malformed_items_are_skipped_naming_them()
    {
        var start = new DateTimeOffset(2026, 12, 2, 17, 10, 0, TimeSpan.Zero);
        _api.Dispatches.Add(FakeOctopusAccountApi.Dispatch(start.AddHours(6), start.AddHours(7), "BOOST", null));
        _api.Dispatches.Add(FakeOctopusAccountApi.Dispatch(start, start.AddMinutes(30)));
        _api.Dispatches.Add(new() { ["start"] = "tomorrow", ["end"] = "2026-12-02T19:00:00Z", ["type"] = "SMART" });
        _api.Dispatches.Add(new() { ["start"] = "2026-12-02T20:00:00Z", ["end"] = "2026-12-02T19:00:00Z", ["type"] = "SMART" });
        _api.Dispatches.Add(new() { ["start"] = "2026-12-02T20:00:00Z", ["end"] = "2026-12-02T21:00:00Z", ["type"] = "TEST" });
        using var client = GraphQl();

        var read = await new OctopusDispatchSource(client, Options(), _time, _logs.For<OctopusDispatchSource>()).GetPlannedAsync(CancellationToken.None);

        Assert.Equal(
            [new PlannedDispatch(start, start.AddMinutes(30), DispatchKind.Smart, 3.2), new PlannedDispatch(start.AddHours(6), start.AddHours(7), DispatchKind.Boost)],
            read.Dispatches);
        Assert.Equal(3, read.Skipped.Count);
        Assert.Contains("dispatch 3 ({\"start\":\"tomorrow\"", read.Skipped[0], StringComparison.Ordinal);
        Assert.Contains("no parseable 'start'", read.Skipped[0], StringComparison.Ordinal);
        Assert.Contains("dispatch 4", read.Skipped[1], StringComparison.Ordinal);
        Assert.Contains("ends before it starts", read.Skipped[1], StringComparison.Ordinal);
        Assert.Contains("unknown type 'TEST'", read.Skipped[2], StringComparison.Ordinal);
        Assert.Equal(3, _logs.Lines.Count(l => l.Contains("Octopus dispatch skipped: dispatch", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_empty_or_null_dispatch_list_is_no_dispatches()
    {
        using var document = JsonDocument.Parse("null");

        Assert.Empty(OctopusDispatchSource.Parse("d", document.RootElement, _time.GetUtcNow()).Dispatches);
    }
}
