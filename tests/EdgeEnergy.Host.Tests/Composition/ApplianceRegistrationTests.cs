using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Testing.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Composition;

/// <summary>
/// The hard limits every command is checked against, in the container <c>edgeenergy run --config FILE</c> builds: the
/// <c>Overrides:*</c> keys the README documents are the limits in force, the site gives the ones not set, and a key
/// that would let a command ask for more than the site allows stops the start with its name.
/// </summary>
public sealed class ApplianceRegistrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgeenergy-registration-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The appliance as <c>run --config FILE</c> builds it, from an appsettings.json with these keys.</summary>
    private WebApplication Run(Dictionary<string, string> settings)
    {
        var all = new Dictionary<string, string>
        {
            ["Inverter:Endpoint"] = $"tcp://127.0.0.1:{FreeTcpPort.Next()}",
            ["Inverter:Family"] = "h1-g2",
            ["Storage:Path"] = Path.Combine(_folder, "edgeenergy.db"),
            ["Http:Urls"] = $"http://127.0.0.1:{FreeTcpPort.Next()}",
            ["Site:BatteryMaxChargeKw"] = "3",
            ["Site:BatteryMaxDischargeKw"] = "3",
            ["Site:GridMaxExportKw"] = "3.68",
            ["Site:BatteryMinSocPercent"] = "10",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var file = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(file, AsJson(all));
        return ApplianceHost.Build(EdgeEnergyConfiguration.Load(file), minimumLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    /// <summary>Nested JSON from "Section:Key" pairs (two levels, as appsettings.json holds them).</summary>
    private static string AsJson(Dictionary<string, string> settings) =>
        System.Text.Json.JsonSerializer.Serialize(settings
            .GroupBy(p => p.Key.Split(':')[0])
            .ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key.Split(':')[1], p => p.Value)));

    [Fact]
    public async Task Overrides_keys_are_the_hard_limits_in_force()
    {
        await using var app = Run(new()
        {
            ["Overrides:MaxChargePowerW"] = "2000",
            ["Overrides:MaxDischargePowerW"] = "1500",
            ["Overrides:MinReserveSocPercent"] = "20",
            ["Overrides:MaxReserveSocPercent"] = "90",
            ["Overrides:MinDurationMinutes"] = "5",
            ["Overrides:MaxDurationMinutes"] = "240",
            ["Overrides:DefaultDurationMinutes"] = "30",
        });

        var expected = new OverrideLimits
        {
            MaxChargePowerW = 2000,
            MaxDischargePowerW = 1500,
            MinReserveSocPercent = 20,
            MaxReserveSocPercent = 90,
            MinDurationMinutes = 5,
            MaxDurationMinutes = 240,
            DefaultDurationMinutes = 30,
        };
        Assert.Equal(expected, app.Services.GetRequiredService<OverrideLimits>());
        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<OverrideLimits>>().Value);

        // The override service (Home Assistant's and the API's commands) holds to them.
        var overrides = app.Services.GetRequiredService<OverrideService>();
        var now = DateTimeOffset.UtcNow;
        var charge = new Override { Mode = OverrideMode.ForceCharge, StartUtc = now, ExpiresUtc = now.AddMinutes(30), PowerW = 2500, Source = "test" };
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => overrides.SetAsync(charge, CancellationToken.None));
        Assert.Contains("0 < power <= 2000 W", refused.Message, StringComparison.Ordinal);
        var tooLong = charge with { PowerW = 1000, ExpiresUtc = now.AddMinutes(300) };
        Assert.Contains("240 min", (await Assert.ThrowsAsync<ArgumentException>(() => overrides.SetAsync(tooLong, CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Overrides_keys_the_site_gives_the_hard_limits()
    {
        await using var app = Run(new() { ["Site:GridMaxExportKw"] = "2.5" });

        var expected = new OverrideLimits
        {
            MaxChargePowerW = 3000,
            MaxDischargePowerW = 2500, // the export limit is below the battery's 3 kW
            MinReserveSocPercent = 10,
        };
        Assert.Equal(expected, app.Services.GetRequiredService<OverrideLimits>());
        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<OverrideLimits>>().Value);
    }

    [Theory]
    [InlineData("Overrides:MaxChargePowerW", "5000", "Overrides:MaxChargePowerW 5000 W is above the 3000 W of Site:BatteryMaxChargeKw")]
    [InlineData("Overrides:MaxDischargePowerW", "3500", "Overrides:MaxDischargePowerW 3500 W is above the 3000 W of Site:BatteryMaxDischargeKw and Site:GridMaxExportKw")]
    [InlineData("Overrides:MinReserveSocPercent", "5", "Overrides:MinReserveSocPercent 5 % is below Site:BatteryMinSocPercent (10 %)")]
    [InlineData("Overrides:MaxReserveSocPercent", "5", "Overrides: reserve SoC limits")]
    public async Task A_limit_beyond_the_site_stops_the_start_with_the_key_named(string key, string value, string expected)
    {
        await using var app = Run(new() { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
