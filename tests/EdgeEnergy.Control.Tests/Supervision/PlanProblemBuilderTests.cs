using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Control.Tests.Supervision;

public class PlanProblemBuilderTests
{
    private static readonly DateTimeOffset s_start = new(2024, 1, 10, 16, 0, 0, TimeSpan.Zero);
    private static readonly SiteOptions s_site = new() { Immersions = [new ImmersionOptions { Id = "tank", ReadyBy = "07:00", DailyMinKwh = 4, DailyMaxKwh = 9 }] };

    private static RateSeries Series(int slots, int skip = -1) =>
        new(Enumerable.Range(0, slots).Where(i => i != skip).Select(i => new Rate(s_start.AddMinutes(30 * i), s_start.AddMinutes(30 * (i + 1)), 10 + i)));

    private static PlanningInputs Inputs(RateSeries import, RateSeries export, bool exportConfigured = true) =>
        new(s_start.AddMinutes(7), 5, import, export, exportConfigured, [], [0.3], null);

    [Fact]
    public void The_horizon_ends_before_a_missing_import_rate_never_at_0p()
    {
        var p = PlanProblemBuilder.Build(Inputs(Series(20, skip: 12), Series(20)), s_site, 48, out _)!;

        Assert.Equal(12, p.Slots.Count);
        Assert.Equal(s_start, p.Start);
        Assert.DoesNotContain(p.Slots, s => s.ImportPence == 0);
    }

    [Fact]
    public void A_configured_export_tariff_with_a_gap_also_ends_the_horizon() =>
        Assert.Equal(5, PlanProblemBuilder.Build(Inputs(Series(20), Series(20, skip: 5)), s_site, 48, out _)!.Slots.Count);

    [Fact]
    public void Without_an_export_tariff_export_earns_nothing()
    {
        var p = PlanProblemBuilder.Build(Inputs(Series(20), RateSeries.Empty, exportConfigured: false), s_site, 48, out _)!;

        Assert.Equal(20, p.Slots.Count);
        Assert.All(p.Slots, s => Assert.Equal(0, s.ExportPence));
    }

    [Fact]
    public void No_price_for_now_means_no_problem_and_a_reason()
    {
        Assert.Null(PlanProblemBuilder.Build(Inputs(RateSeries.Empty, RateSeries.Empty), s_site, 48, out var why));
        Assert.Contains("no import price", why);
    }

    [Fact]
    public void The_immersion_window_ends_at_the_ready_by_time_and_the_problem_is_valid()
    {
        var p = PlanProblemBuilder.Build(Inputs(Series(40), Series(40)), s_site, 48, out _)!;
        var window = Assert.Single(p.Immersions).Windows[0];

        Assert.Equal(0, window.FromSlot);
        Assert.Equal(30, window.ToSlot); // 16:00 → 07:00 GMT is 15 hours
        Assert.True(window.MinKwh > 0);
        Assert.Empty(PlanProblemValidator.Validate(p));
    }

    [Fact]
    public void Solar_forecast_points_are_spread_over_the_slots_they_overlap()
    {
        PvForecastPoint[] pv = [new(s_start, s_start.AddMinutes(60), 0.2, 0.4, 0.6)];
        var p = PlanProblemBuilder.Build(Inputs(Series(4), Series(4)) with { PvForecast = pv }, s_site, 48, out _)!;

        Assert.Equal(0.2, p.Slots[0].PvKwh, 9);
        Assert.Equal(0.2, p.Slots[1].PvKwh, 9);
        Assert.Equal(0, p.Slots[2].PvKwh, 9);
    }

    [Fact]
    public void A_tank_found_hot_today_gets_nothing_until_midnight_and_owes_no_minimum()
    {
        var hot = new Dictionary<string, DateOnly> { ["tank"] = new DateOnly(2024, 1, 10) };
        var p = PlanProblemBuilder.Build(Inputs(Series(40), Series(40)) with { ImmersionSatisfiedOn = hot }, s_site, 48, out _)!;
        var windows = p.Immersions[0].Windows;

        Assert.Equal(0, windows[0].MinKwh);
        Assert.Contains(windows, w => w.FromSlot == 0 && w.ToSlot == 16 && w.MaxKwh == 0); // 16:00 → midnight GMT
        Assert.Empty(PlanProblemValidator.Validate(p));
        var plan = new EdgeEnergy.Optimiser.OrToolsScheduleOptimiser().Solve(p);
        Assert.All(plan.Slots.Take(16), s => Assert.Equal(0, s.ImmersionKwh["tank"], 6));
    }
}
