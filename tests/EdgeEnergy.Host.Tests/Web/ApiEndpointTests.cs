using System.Net;
using System.Text.Json;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>The REST API over a real Kestrel on loopback: shapes, status codes and what a client sees.</summary>
public class ApiEndpointTests
{
    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Recommendation_now_has_the_contract_shape_and_follows_the_plans_current_slot()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var now = await GetJsonAsync(host.Client, "api/v1/recommendation/now");
        var plan = await GetJsonAsync(host.Client, "api/v1/plan");

        Assert.Equal(["mode", "powerW", "reason", "validUntil", "source"], Keys(now));
        Assert.Equal("plan", now.GetProperty("source").GetString());
        var slot = plan.GetProperty("slots")[plan.GetProperty("nowSlot").GetInt32()];
        Assert.Equal(slot.GetProperty("mode").GetString(), now.GetProperty("mode").GetString());
        Assert.Equal(slot.GetProperty("reason").GetString(), now.GetProperty("reason").GetString());
        Assert.Equal(slot.GetProperty("end").GetDateTimeOffset(), now.GetProperty("validUntil").GetDateTimeOffset());
        // powerW is the slot's battery power: + discharging, - charging.
        var expectedW = (slot.GetProperty("dischargeKwh").GetDouble() - slot.GetProperty("chargeKwh").GetDouble()) / 0.5 * 1000;
        Assert.Equal(expectedW, now.GetProperty("powerW").GetDouble(), 0.5);
    }

    [Fact]
    public async Task Plan_gives_every_slot_its_prices_flows_soc_and_reason()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var plan = await GetJsonAsync(host.Client, "api/v1/plan");
        var slots = plan.GetProperty("slots").EnumerateArray().ToArray();
        var battery = plan.GetProperty("battery");

        Assert.Equal("optimal", plan.GetProperty("status").GetString());
        Assert.Equal(48, slots.Length);
        Assert.Equal(0, plan.GetProperty("nowSlot").GetInt32());
        var start = slots[0].GetProperty("start").GetDateTimeOffset();
        Assert.True(start <= WebTestHost.Now && WebTestHost.Now < slots[0].GetProperty("end").GetDateTimeOffset());
        for (var i = 0; i < slots.Length; i++)
        {
            var s = slots[i];
            Assert.Equal(start.AddMinutes(30 * i), s.GetProperty("start").GetDateTimeOffset());
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("reason").GetString()), $"slot {i} has no reason");
            Assert.Contains(s.GetProperty("mode").GetString(), new[] { "charge", "discharge", "hold", "self-use", "export" });
            var soc = s.GetProperty("socKwh").GetDouble();
            Assert.InRange(soc, battery.GetProperty("minSocKwh").GetDouble() - 1e-6, battery.GetProperty("maxSocKwh").GetDouble() + 1e-6);
            Assert.Equal(100 * soc / battery.GetProperty("capacityKwh").GetDouble(), s.GetProperty("socPercent").GetDouble(), 6);
            Assert.True(s.GetProperty("importPence").ValueKind == JsonValueKind.Number);
            Assert.True(s.GetProperty("immersionKwh").TryGetProperty("tank", out _));
        }
    }

    [Fact]
    public async Task Plan_shows_the_expected_saving_session_reward_only_when_the_plan_has_a_session()
    {
        await using var host = await WebTestHost.StartBareAsync();
        var sample = EdgeEnergy.Testing.Appliance.FakeAppliance.Sample.Plan! with { CreatedUtc = WebTestHost.Now };
        var slots = sample.Plan.Slots.Select((s, t) => t == 1 ? s with { SessionRewardPence = 189 } : s).ToArray();
        host.Publisher.Update(s => s with { Plan = sample with { Plan = sample.Plan with { ExpectedSessionRewardPence = 189, Slots = slots } } });
        var with = await GetJsonAsync(host.Client, "api/v1/plan");
        host.Publisher.Update(s => s with { Plan = sample });
        var without = await GetJsonAsync(host.Client, "api/v1/plan");

        Assert.Equal(189, with.GetProperty("expectedSessionRewardPence").GetDouble());
        Assert.Equal(189, with.GetProperty("slots")[1].GetProperty("sessionRewardPence").GetDouble());
        Assert.False(with.GetProperty("slots")[0].TryGetProperty("sessionRewardPence", out _));
        Assert.False(without.TryGetProperty("expectedSessionRewardPence", out _));
    }

    [Fact]
    public async Task Status_and_healthz_report_flows_cost_freshness_and_components()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var status = await GetJsonAsync(host.Client, "api/v1/status");
        var t = status.GetProperty("telemetry");
        // The energy balance the product's signs promise: pv + grid + battery = load.
        Assert.Equal(t.GetProperty("loadPowerW").GetDouble(),
            t.GetProperty("pvPowerW").GetDouble() + t.GetProperty("gridPowerW").GetDouble() + t.GetProperty("batteryPowerW").GetDouble(), 5);
        var cost = status.GetProperty("costToday");
        Assert.Equal(cost.GetProperty("noBatteryCostPence").GetDouble() - cost.GetProperty("costPence").GetDouble(), cost.GetProperty("savingsPence").GetDouble(), 6);
        Assert.False(status.GetProperty("fallback").GetProperty("active").GetBoolean());
        Assert.Contains(status.GetProperty("sources").EnumerateArray(), s => s.GetProperty("source").GetString() == "octopus-import" && !s.GetProperty("stale").GetBoolean());

        var health = await GetJsonAsync(host.Client, "healthz");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("components").EnumerateArray(), c => c.GetProperty("component").GetString() == "planner");
    }

    [Fact]
    public async Task Healthz_is_503_and_names_the_cause_when_a_component_is_unhealthy()
    {
        await using var host = await WebTestHost.StartPreviewAsync(Host.Web.Preview.PreviewMode.Fallback);
        var health = await GetJsonAsync(host.Client, "healthz", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", health.GetProperty("status").GetString());
        Assert.Contains(health.GetProperty("components").EnumerateArray(),
            c => c.GetProperty("component").GetString() == "control" && c.GetProperty("detail").GetString()!.Contains("fallback"));
        Assert.Contains(health.GetProperty("sources").EnumerateArray(), s => s.GetProperty("source").GetString() == "octopus-import" && s.GetProperty("stale").GetBoolean());
        var now = await GetJsonAsync(host.Client, "api/v1/recommendation/now");
        Assert.Equal("fallback", now.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Before_any_decision_the_endpoints_say_so_with_503_and_a_reason()
    {
        await using var host = await WebTestHost.StartBareAsync();
        var now = await GetJsonAsync(host.Client, "api/v1/recommendation/now", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("No recommendation yet", now.GetProperty("error").GetString());
        var plan = await GetJsonAsync(host.Client, "api/v1/plan", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("No plan yet", plan.GetProperty("error").GetString());
        var health = await GetJsonAsync(host.Client, "healthz");
        Assert.Equal("starting", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_says_starting_until_the_inverter_has_been_read_even_when_the_prices_are_in()
    {
        // Seen in the demo: the price fetch reported healthy about a second before the control loop's first reading, and
        // /healthz said "healthy" for an appliance that had not yet seen its inverter.
        await using var host = await WebTestHost.StartBareAsync();
        host.Publisher.Update(s => s.WithComponent(new ComponentHealth("prices", HealthState.Healthy, "prices fetched", WebTestHost.Now)));
        Assert.Equal("starting", (await GetJsonAsync(host.Client, "healthz")).GetProperty("status").GetString());

        host.Publisher.Update(s => s.WithComponent(new ComponentHealth("inverter", HealthState.Healthy, "fox-modbus: telemetry read", WebTestHost.Now)));
        Assert.Equal("healthy", (await GetJsonAsync(host.Client, "healthz")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Recommendation_now_serves_each_new_recommendation_and_refuses_an_expired_one()
    {
        await using var host = await WebTestHost.StartBareAsync();
        var until = WebTestHost.Now.AddMinutes(10);
        host.Publisher.Update(s => s with { Recommendation = new Recommendation { Mode = SlotMode.Charge, PowerW = -3000, Reason = "cheap", ValidUntilUtc = until, Source = RecommendationSource.Plan } });
        var first = await GetJsonAsync(host.Client, "api/v1/recommendation/now");
        Assert.Equal("charge", first.GetProperty("mode").GetString());
        Assert.Equal(-3000, first.GetProperty("powerW").GetDouble());

        host.Publisher.Update(s => s with { Recommendation = new Recommendation { Mode = SlotMode.Hold, PowerW = 0, Reason = "override", ValidUntilUtc = until, Source = RecommendationSource.Override } });
        var second = await GetJsonAsync(host.Client, "api/v1/recommendation/now");
        Assert.Equal("hold", second.GetProperty("mode").GetString());
        Assert.Equal("override", second.GetProperty("source").GetString());

        host.Time.Advance(TimeSpan.FromMinutes(10));
        var expired = await GetJsonAsync(host.Client, "api/v1/recommendation/now", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("expired", expired.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Prices_update_runs_the_trigger_and_the_preview_replans()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var before = host.Service<IApplianceStatus>().Current.Version;
        using var response = await host.Client.PostAsync("api/v1/prices/update", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("succeeded").GetBoolean());
        Assert.Equal(48, body.GetProperty("slotsStored").GetInt32());
        Assert.True(host.Service<IApplianceStatus>().Current.Version > before);
    }

    private sealed class ScriptedTrigger(Func<CancellationToken, Task<PriceRefreshResult>> run) : IPriceRefreshTrigger
    {
        public Task<PriceRefreshResult> RefreshAsync(CancellationToken cancellationToken) => run(cancellationToken);
    }

    [Fact]
    public async Task Prices_update_reports_a_failed_fetch_as_502_with_its_message()
    {
        await using var host = await WebTestHost.StartBareAsync(s => s.AddSingleton<IPriceRefreshTrigger>(
            new ScriptedTrigger(_ => Task.FromResult(new PriceRefreshResult(false, 0, "octopus: HTTP 500 from /v1/products/AGILE-24-10-01/")))));
        using var response = await host.Client.PostAsync("api/v1/prices/update", null);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("HTTP 500", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Prices_update_refuses_a_second_fetch_while_one_runs()
    {
        var release = new TaskCompletionSource<PriceRefreshResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await WebTestHost.StartBareAsync(s => s.AddSingleton<IPriceRefreshTrigger>(new ScriptedTrigger(_ =>
        {
            started.TrySetResult();
            return release.Task;
        })));
        var first = host.Client.PostAsync("api/v1/prices/update", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using (var second = await host.Client.PostAsync("api/v1/prices/update", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        release.SetResult(new PriceRefreshResult(true, 96, "fetched"));
        using var done = await first;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task Prices_update_without_a_price_source_is_503()
    {
        await using var host = await WebTestHost.StartBareAsync();
        using var response = await host.Client.PostAsync("api/v1/prices/update", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("not available", await response.Content.ReadAsStringAsync());
    }
}
