using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Web.Preview;

namespace EdgeEnergy.Host.Tests.Web;

/// <summary>
/// The dashboard in real headless Chromium against a running host: the chart is drawn from the API's plan, the
/// page logs nothing to the console, banners show, and a phone shows it in one column that fits the screen.
/// Screenshots for people to look at are made by tools/dashboard-screenshots.sh, not by the tests.
/// </summary>
public partial class DashboardTests
{
    private const int DesktopWidth = 1280, DesktopHeight = 800, PhoneWidth = 390, PhoneHeight = 844;

    private static int Count(string dom, string needle) => Regex.Count(dom, Regex.Escape(needle));

    [GeneratedRegex("<svg id=\"chart\"[^>]*viewBox=\"0 0 (\\d+) (\\d+)\"")]
    private static partial Regex ChartViewBox();

    [Fact]
    public async Task The_chart_is_drawn_from_the_plan_the_api_serves()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        using var plan = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/plan"));
        var slots = plan.RootElement.GetProperty("slots").EnumerateArray().ToArray();
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight);

        Assert.Contains($"data-slots=\"{slots.Length}\"", dom);
        Assert.Equal(slots.Length, Count(dom, "class=\"price-bar "));
        Assert.Equal(slots.Length, Count(dom, "class=\"mode-block "));
        Assert.Equal(slots.Length, Count(dom, "class=\"hit\""));
        var planned = slots.Count(s => s.GetProperty("immersionKwh").EnumerateObject().Sum(p => p.Value.GetDouble()) > 0.01);
        Assert.Equal(planned, Count(dom, "class=\"immersion-block\""));
        for (var i = 0; i < slots.Length; i++)
        {
            Assert.Contains($"class=\"mode-block {slots[i].GetProperty("mode").GetString()}\" data-slot=\"{i}\"", dom);
        }

        Assert.Equal(1, Count(dom, "class=\"soc-line\""));
        Assert.Equal(1, Count(dom, "class=\"now-line\""));
        Assert.Contains(WebUtility.HtmlEncode(slots[0].GetProperty("reason").GetString()!), dom);
        var mode = slots[0].GetProperty("mode").GetString();
        Assert.Contains($"class=\"mode-badge mode-{mode}\"", dom);
        Assert.Contains("class=\"pill pill-healthy\"", dom);
    }

    [Fact]
    public async Task The_report_card_draws_each_days_three_bills_with_the_error_bar_and_says_why_a_day_is_incomplete()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/status"));
        var days = status.RootElement.GetProperty("report").GetProperty("days").EnumerateArray().ToArray();
        var complete = days.Where(d => d.GetProperty("incompleteReason").ValueKind == JsonValueKind.Null).ToArray();
        var incomplete = days.Except(complete).Single();
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight);

        Assert.Equal(7, days.Length);
        Assert.Equal(days.Length, Count(dom, "class=\"report-day\""));
        foreach (var kind in new[] { "bar actual", "bar edgeenergy", "bar nobattery", "errorbar", "perfect-tick" })
        {
            Assert.Equal(complete.Length, Count(dom, $"class=\"{kind}\""));
        }

        // An incomplete day has no bars (never a zero), and says why.
        Assert.Equal(1, Count(dom, "class=\"report-incomplete\""));
        Assert.Contains(WebUtility.HtmlEncode(incomplete.GetProperty("incompleteReason").GetString()!), dom);
        // The latest complete day's causes, each as the API gives it.
        var causes = complete[^1].GetProperty("causes");
        Assert.Equal(5, Count(dom, "class=\"cause\""));
        Assert.Contains($"<td>{causes.GetProperty("loadForecastPence").GetDouble().ToString("0.0", CultureInfo.InvariantCulture)}</td>", dom);
    }

    [Fact]
    public async Task The_dispatch_card_lists_each_upcoming_octopus_dispatch_the_api_gives_with_its_kind()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/status"));
        var upcoming = status.RootElement.GetProperty("dispatches").GetProperty("upcoming").EnumerateArray().ToArray();
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight);

        Assert.Equal(["smart", "boost"], upcoming.Select(d => d.GetProperty("kind").GetString()));
        Assert.DoesNotContain("id=\"dispatch-card\" class=\"card hidden\"", dom);
        Assert.Equal(1, Count(dom, "class=\"dispatch dispatch-smart\""));
        Assert.Equal(1, Count(dom, "class=\"dispatch dispatch-boost\""));
        Assert.Contains($"data-start=\"{upcoming[0].GetProperty("start").GetString()}\"", dom);
        Assert.Contains("19:10–20:40 smart (off-peak) · 7.4 kWh", dom);
        Assert.Contains("21:00–21:30 boost (peak)", dom);
        Assert.Contains("2 planned, read", dom);
    }

    [Fact]
    public async Task On_a_phone_the_cards_stack_in_the_order_a_person_checks_and_nothing_is_wider_than_the_screen()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        await using var page = await ChromiumPage.OpenAsync(host.BaseAddress, PhoneWidth, PhoneHeight);

        var layout = await page.EvaluateAsync("""
            (async () => {
              for (let i = 0; i < 300 && !document.querySelector('#chart .price-bar'); i++) await new Promise(r => setTimeout(r, 100));
              const ids = ['now-card', 'plan-card', 'flow-card', 'today-card', 'fresh-card', 'health-card'];
              const boxes = ids.map(id => document.getElementById(id).getBoundingClientRect());
              return {
                viewport: document.documentElement.clientWidth,
                scrollWidth: document.documentElement.scrollWidth,
                chartRight: document.getElementById('chart').getBoundingClientRect().right,
                tops: boxes.map(b => b.top), lefts: boxes.map(b => b.left), rights: boxes.map(b => b.right),
              };
            })()
            """);

        var viewport = layout.GetProperty("viewport").GetDouble();
        Assert.Equal(PhoneWidth, viewport);
        Assert.True(layout.GetProperty("scrollWidth").GetDouble() <= viewport, $"the page scrolls sideways: {layout}");
        Assert.True(layout.GetProperty("chartRight").GetDouble() <= viewport, $"the chart runs off the screen: {layout}");
        var tops = layout.GetProperty("tops").EnumerateArray().Select(t => t.GetDouble()).ToArray();
        Assert.True(tops.Zip(tops.Skip(1)).All(p => p.First < p.Second), $"cards not one under the other in the order now, plan, flow, today, freshness, health: {layout}");
        Assert.All(layout.GetProperty("rights").EnumerateArray(), r => Assert.True(r.GetDouble() <= viewport, $"a card is wider than the screen: {layout}"));
    }

    [Fact]
    public async Task In_a_narrow_window_the_chart_is_redrawn_for_its_width()
    {
        // Headless Chromium's --dump-dom lays out at least 500 CSS px wide (the phone test above is true 390 px);
        // 500 is narrower than the phone layout's 640 px breakpoint and the chart's 560 px narrow mode.
        const int narrow = 500;
        await using var host = await WebTestHost.StartPreviewAsync();
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, narrow, PhoneHeight);
        var box = ChartViewBox().Match(dom);
        Assert.True(box.Success, "the chart has no viewBox");
        Assert.InRange(int.Parse(box.Groups[1].Value, CultureInfo.InvariantCulture), 320, narrow - 40);
        Assert.Equal(270, int.Parse(box.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(48, Count(dom, "class=\"price-bar "));
        var wide = ChartViewBox().Match(await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight));
        Assert.Equal(320, int.Parse(wide.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_fallback_banner_shows_the_cause()
    {
        await using var host = await WebTestHost.StartPreviewAsync(PreviewMode.Fallback);
        var cause = (await host.Client.GetStringAsync("api/v1/status")).Contains("Agile prices are 26 h old", StringComparison.Ordinal);
        Assert.True(cause);
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, PhoneWidth, PhoneHeight);
        Assert.Contains("class=\"banner banner-fallback\"", dom);
        Assert.Contains("Agile prices are 26 h old", dom);
        Assert.Contains("class=\"pill pill-unhealthy\"", dom);
        Assert.DoesNotContain("banner-override", dom);
    }

    [Fact]
    public async Task The_override_banner_shows_mode_and_time_left()
    {
        await using var host = await WebTestHost.StartPreviewAsync(PreviewMode.Override);
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight);
        Assert.Contains("class=\"banner banner-override\"", dom);
        Assert.Contains("Manual override: Charge at 3.00 kW for 1 h 23 min more", dom);
        Assert.DoesNotContain("banner-fallback", dom);
    }

    [Fact]
    public async Task In_shadow_mode_a_banner_says_edgeenergy_is_watching_and_writes_nothing()
    {
        await using var host = await WebTestHost.StartPreviewAsync(PreviewMode.Shadow);
        Assert.Contains("\"mode\":\"shadow\"", await host.Client.GetStringAsync("api/v1/status"), StringComparison.Ordinal);
        var dom = await HeadlessChromium.DumpDomAsync(host.BaseAddress, PhoneWidth, PhoneHeight);
        Assert.Contains("class=\"banner banner-shadow\"", dom);
        Assert.Contains("Shadow mode: EdgeEnergy is watching, not in charge", dom);
        Assert.Contains("writes nothing to the inverter, the relays or Home Assistant", dom);
        Assert.Equal(48, Count(dom, "class=\"price-bar "));

        // In active mode (every other preview) there is no such banner.
        await using var active = await WebTestHost.StartPreviewAsync();
        Assert.DoesNotContain("banner-shadow", await HeadlessChromium.DumpDomAsync(active.BaseAddress, PhoneWidth, PhoneHeight));
    }

    [Fact]
    public async Task With_a_token_the_page_asks_for_it_and_draws_once_given_it()
    {
        const string token = "dashboard-token-0123456789";
        await using var host = await WebTestHost.StartPreviewAsync(token: token);
        var asking = await HeadlessChromium.DumpDomAsync(host.BaseAddress, DesktopWidth, DesktopHeight);
        Assert.Contains("<section id=\"token-form\" class=\"card\"", asking);
        Assert.Equal(0, Count(asking, "class=\"price-bar "));

        var given = await HeadlessChromium.DumpDomAsync(new Uri(host.BaseAddress, "#token=" + token), DesktopWidth, DesktopHeight);
        Assert.Contains("<section id=\"token-form\" class=\"card hidden\"", given);
        Assert.Equal(48, Count(given, "class=\"price-bar "));
    }

    /// <summary>What the forecast card shows, read from the page as a person reads it (each row's lead and figures as
    /// text), once the card has drawn.</summary>
    private const string SkillProbe = """
        (async () => {
          for (let i = 0; i < 300 && !document.getElementById('skill-note')?.textContent; i++) await new Promise(r => setTimeout(r, 100));
          const number = (e) => e ? parseFloat(e.textContent.replace('−', '-')) : null;
          const card = document.getElementById('skill-card').getBoundingClientRect();
          return {
            title: document.getElementById('skill-title').textContent,
            note: document.getElementById('skill-note').textContent,
            shown: card.height > 0 && card.width > 0,
            rows: [...document.querySelectorAll('#skill-table tr.skill-band')].map(tr => ({
              quantity: tr.dataset.quantity,
              ahead: tr.querySelector('th').textContent,
              visible: tr.getBoundingClientRect().height > 0,
              mae: number(tr.querySelector('[data-figure=mae]')),
              bias: number(tr.querySelector('[data-figure=bias]')),
              persistence: number(tr.querySelector('[data-figure=persistence]')),
            })),
          };
        })()
        """;

    [Fact]
    public async Task The_forecast_card_shows_each_bands_mae_bias_and_persistence_as_the_api_gives_them()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        using var status = JsonDocument.Parse(await host.Client.GetStringAsync("api/v1/status"));
        var bands = status.RootElement.GetProperty("forecastSkill").GetProperty("bands").EnumerateArray().ToArray();
        await using var page = await ChromiumPage.OpenAsync(host.BaseAddress, DesktopWidth, DesktopHeight);

        var card = await page.EvaluateAsync(SkillProbe);

        Assert.Equal("How good are the forecasts", card.GetProperty("title").GetString());
        Assert.True(card.GetProperty("shown").GetBoolean());
        var rows = card.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(8, bands.Length);
        Assert.Equal(bands.Length, rows.Length);
        foreach (var band in bands)
        {
            var ahead = $"{band.GetProperty("fromHours").GetDouble().ToString(CultureInfo.InvariantCulture)}–{band.GetProperty("toHours").GetDouble().ToString(CultureInfo.InvariantCulture)} h";
            var row = rows.Single(r => r.GetProperty("quantity").GetString() == band.GetProperty("quantity").GetString() && r.GetProperty("ahead").GetString() == ahead);
            Assert.True(row.GetProperty("visible").GetBoolean());
            // Shown to the thousandth of a kWh: within half of one of the API's figure.
            Assert.Equal(band.GetProperty("maeKwh").GetDouble(), row.GetProperty("mae").GetDouble(), 0.0005);
            Assert.Equal(band.GetProperty("biasKwh").GetDouble(), row.GetProperty("bias").GetDouble(), 0.0005);
            Assert.Equal(band.GetProperty("persistenceMaeKwh").GetDouble(), row.GetProperty("persistence").GetDouble(), 0.0005);
        }

        // The preview's bias has both signs, so a lost minus sign would show.
        Assert.Contains(rows, r => r.GetProperty("bias").GetDouble() < 0);
    }

    [Fact]
    public async Task Without_enough_history_the_forecast_card_says_so_with_the_slots_it_has_and_shows_no_figures()
    {
        await using var host = await WebTestHost.StartPreviewAsync();
        var to = WebTestHost.Now.AddMinutes(-10);
        host.Publisher.Update(s => s with
        {
            ForecastSkill = new ForecastSkillReport(WebTestHost.Now, to.AddDays(-14), to,
            [
                new ForecastSkillBand("load", 0, 2, 31, null, null, null),
                new ForecastSkillBand("solar", 0, 2, 29, null, null, null),
            ]),
        });
        await using var page = await ChromiumPage.OpenAsync(host.BaseAddress, DesktopWidth, DesktopHeight);

        var card = await page.EvaluateAsync(SkillProbe);

        Assert.Equal("Not enough history yet (31 slots).", card.GetProperty("note").GetString());
        Assert.Empty(card.GetProperty("rows").EnumerateArray());
    }
}
