using System.Text;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Tests.Octopus;

/// <summary>
/// The consumption client against a real Kestrel server on 127.0.0.1 answering as Octopus's consumption endpoint
/// (<see cref="FakeOctopusConsumptionApi"/>): paging by <c>next</c>, Basic auth, UK offsets, a half hour not published,
/// a refused key and an unknown meter.
/// </summary>
public sealed class OctopusConsumptionSourceTests : IAsyncLifetime
{
    private const string Key = "sk_live_test0123456789";
    private const string Mpan = "1200012345678";
    private const string Serial = "21L3456789";

    // Wednesday 1 July 2026, a UK summer day: 00:00 BST = 23:00 UTC the day before; Octopus writes +01:00.
    private static readonly DateTimeOffset s_dayStart = new(2026, 6, 30, 23, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<DateTimeOffset, double> s_readings = Enumerable.Range(0, 48).ToDictionary(t => s_dayStart.AddMinutes(30 * t), t => 0.1 + t / 100.0);
    private readonly FakeOctopusConsumptionApi _api = new FakeOctopusConsumptionApi(Key).WithMeter(Mpan, Serial, s_readings);
    private readonly CapturingLoggerFactory _logs = new();
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackHttpServer.StartAsync(_api.HandleAsync);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OctopusConsumptionSource Source(string key = Key, string serial = Serial) => new(new HttpClient(), Options.Create(new OctopusOptions
    {
        BaseUrl = _server.BaseUrl.ToString(), ApiKey = key, ImportMpan = Mpan, ImportSerial = serial, PageSize = 30,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromSeconds(2),
    }), TimeProvider.System, _logs.For<OctopusConsumptionSource>());

    private static TimeRange Day => new(s_dayStart, s_dayStart.AddDays(1));

    [Fact]
    public async Task Follows_next_to_the_second_page_with_the_key_as_the_basic_user_and_returns_every_half_hour_in_utc()
    {
        var result = await Source().FetchAsync(MeterDirection.Import, Day, CancellationToken.None);

        Assert.Equal(2, result.Pages); // 48 half hours at 30 a page
        Assert.Equal(s_readings.OrderBy(r => r.Key).Select(r => new ConsumptionSlot(r.Key, r.Key.AddMinutes(30), r.Value)), result.Slots);
        Assert.Empty(result.Rejected);
        Assert.All(_server.Authorizations, a => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Key + ":")), a));
        var first = _server.Requests.First();
        Assert.StartsWith($"GET /v1/electricity-meter-points/{Mpan}/meters/{Serial}/consumption/?period_from=2026-06-30T23:00:00Z&period_to=2026-07-01T23:00:00Z&page_size=30&order_by=period", first, StringComparison.Ordinal);
        Assert.EndsWith("page=2", _server.Requests.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_half_hour_octopus_has_not_published_is_absent_not_zero()
    {
        var missing = s_dayStart.AddHours(10);
        _api.Unpublished.Add(missing);

        var result = await Source().FetchAsync(MeterDirection.Import, Day, CancellationToken.None);

        Assert.Equal(47, result.Slots.Count);
        Assert.DoesNotContain(result.Slots, s => s.StartUtc == missing);
    }

    [Fact]
    public async Task A_key_octopus_refuses_is_a_refused_meter_naming_octopus_api_key_and_never_the_key()
    {
        var e = await Assert.ThrowsAsync<MeterRefusedException>(() => Source(key: "sk_live_wrong").FetchAsync(MeterDirection.Import, Day, CancellationToken.None));

        Assert.StartsWith("Octopus:ApiKey: Octopus refused the key (HTTP 401", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_wrong", e.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests); // a refusal is not retried
    }

    [Fact]
    public async Task A_meter_octopus_does_not_know_is_a_refused_meter_naming_its_mpan_and_serial_keys()
    {
        var e = await Assert.ThrowsAsync<MeterRefusedException>(() => Source(serial: "99X9999999").FetchAsync(MeterDirection.Import, Day, CancellationToken.None));

        Assert.StartsWith($"Octopus:ImportMpan '{Mpan}' with Octopus:ImportSerial '99X9999999': Octopus knows no such import meter for this key (HTTP 404", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_export_meter_only_import_is_supported()
    {
        var source = Source();

        Assert.True(source.Supports(MeterDirection.Import));
        Assert.False(source.Supports(MeterDirection.Export));
    }

    [Theory]
    [InlineData("ImportMpan", "120001234567", "Octopus:ImportMpan '120001234567' must be the meter point's 13 digits")]
    [InlineData("ImportSerial", "21L-345", "Octopus:ImportSerial '21L-345' must be the meter's serial number")]
    [InlineData("ExportSerial", "", "Octopus:ExportSerial is required with Octopus:ExportMpan")]
    [InlineData("ApiKey", "", "Octopus:ApiKey is required with Octopus:ImportMpan")]
    [InlineData("ExportMpan", Mpan, "Octopus:ExportMpan '1200012345678' is Octopus:ImportMpan's")]
    public void Meter_options_are_validated_naming_the_key(string property, string value, string message)
    {
        var options = new OctopusOptions { ApiKey = Key, ImportMpan = Mpan, ImportSerial = Serial, ExportMpan = "1300012345678", ExportSerial = Serial };
        typeof(OctopusOptions).GetProperty(property)!.SetValue(options, value);

        var result = new OctopusOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_export_meter_without_an_import_meter_is_refused()
    {
        var result = new OctopusOptionsValidator().Validate(null, new OctopusOptions { ApiKey = Key, ExportMpan = "1300012345678", ExportSerial = Serial });

        Assert.Contains(result.Failures!, f => f.StartsWith("Octopus:ImportMpan is required with Octopus:ExportMpan", StringComparison.Ordinal));
    }
}
