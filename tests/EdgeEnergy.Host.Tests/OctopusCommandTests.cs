using System.Text.Json;
using EdgeEnergy.Testing;
using EdgeEnergy.Testing.Http;

namespace EdgeEnergy.Host.Tests;

/// <summary>The real <c>edgeenergy octopus account</c> process against <see cref="FakeOctopusAccountApi"/> on loopback; configuration only from EDGEENERGY__ variables.</summary>
public sealed class OctopusCommandTests : IAsyncLifetime
{
    private const string Key = "sk_live_cli0123456789abc";
    private const string Account = "A-1234ABCD";
    private readonly FakeOctopusAccountApi _api = new(Key, Account, TimeProvider.System);
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        _api.Properties =
        [
            FakeOctopusAccountApi.Property(3,
                FakeOctopusAccountApi.MeterPoint("1200012345678", false, "21L3456789", ("E-1R-INTELLI-VAR-22-10-14-C", "2024-01-01T00:00:00Z", null)),
                FakeOctopusAccountApi.MeterPoint("1270012345679", true, "21L3456789", ("E-1R-OUTGOING-FIX-12M-19-05-13-C", "2024-01-01T00:00:00Z", null))),
        ];
        _api.Dispatches.Add(FakeOctopusAccountApi.Dispatch(now.AddHours(2), now.AddHours(3)));
        _server = await LoopbackHttpServer.StartAsync(c => _api.HandleAsync(c));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<CliResult> RunAsync(string key) => CliRunner.RunAsync(["octopus", "account"], environment: new Dictionary<string, string>
    {
        ["EDGEENERGY__OCTOPUS__BASEURL"] = _server.BaseUrl.ToString(),
        ["EDGEENERGY__OCTOPUS__APIKEY"] = key,
        ["EDGEENERGY__OCTOPUS__ACCOUNTNUMBER"] = Account,
        ["EDGEENERGY__OCTOPUS__RETRYBASEDELAY"] = "00:00:00",
    });

    [Fact]
    public async Task Prints_the_meter_points_the_tariffs_in_use_and_the_dispatches_and_never_the_key()
    {
        var result = await RunAsync(Key);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(Account, json.GetProperty("account").GetString());
        Assert.Equal(["1200012345678", "1270012345679"], json.GetProperty("meterPoints").EnumerateArray().Select(p => p.GetProperty("mpan").GetString()));
        Assert.Equal("INTELLI-VAR-22-10-14", json.GetProperty("import").GetProperty("product").GetString());
        Assert.Equal("account", json.GetProperty("import").GetProperty("source").GetString());
        Assert.Equal("E-1R-OUTGOING-FIX-12M-19-05-13-C", json.GetProperty("export").GetProperty("code").GetString());
        Assert.Equal("smart", json.GetProperty("dispatches").GetProperty("planned")[0].GetProperty("kind").GetString());
        Assert.Equal(4, json.GetProperty("octopusCallsLastHour").GetInt32()); // account, token, devices, dispatches
        Assert.DoesNotContain(Key, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_exits_2_naming_octopus_api_key_not_its_value()
    {
        var result = await RunAsync("sk_live_refused_key_77");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("Octopus:ApiKey", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_refused_key_77", result.Stderr, StringComparison.Ordinal);
    }
}
