using EdgeEnergy.Control.Planning;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Optimiser;

namespace EdgeEnergy.Control.Tests.Horizon;

public class EstimatedSlotsTests
{
    // 10:07 UK on a January Wednesday: prices are published until 23:00 tonight, tomorrow's not yet.
    private static readonly DateTimeOffset s_now = new(2024, 1, 10, 10, 7, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_tonight = new(2024, 1, 10, 23, 0, 0, TimeSpan.Zero);
    private static readonly SiteOptions s_site = new();

    /// <summary>Four days of Agile-like rates up to 23:00 tonight: 12p at night, 30p 16:00–19:00, 20p otherwise.</summary>
    private static RateSeries Published()
    {
        var from = s_tonight.AddDays(-4);
        return new RateSeries(Enumerable.Range(0, 48 * 4).Select(i =>
        {
            var at = from.AddMinutes(30 * i);
            return new Rate(at, at.AddMinutes(30), at.Hour switch { < 6 => 12, >= 16 and < 19 => 30, _ => 20 });
        }));
    }

    private static PlanningInputs Inputs(bool estimate) =>
        new(s_now, 5, Published(), Published(), true, [], [0.3], null, estimate);

    [Fact]
    public void Before_publication_the_horizon_runs_on_to_23_00_tomorrow_on_marked_estimates()
    {
        var p = PlanProblemBuilder.Build(Inputs(estimate: true), s_site, 48, out _, out var terminalReason)!;
        var published = (int)((s_tonight - p.Start).TotalMinutes / 30);

        Assert.Equal(published + 48, p.Slots.Count);
        Assert.All(p.Slots.Take(published), s => Assert.False(s.PricesEstimated));
        Assert.All(p.Slots.Skip(published), s => Assert.True(s.PricesEstimated));
        Assert.Equal(12, p.Slots[published + 2].ImportPence, 6); // 00:00 tomorrow: the night price it has seen every day
        Assert.Equal(30, p.Slots[published + 36].ImportPence, 6); // 17:00 tomorrow: the peak
        Assert.Contains("next day's cheapest", terminalReason);
        Assert.Empty(PlanProblemValidator.Validate(p));
    }

    [Fact]
    public void A_tracker_import_is_estimated_to_the_end_of_its_next_day_not_to_agiles_23_00()
    {
        // 10:07 UK: a Tracker's tomorrow appears at 11:00, and covers the UK day (midnight to midnight).
        var inputs = Inputs(estimate: true) with { ExportTariffConfigured = false };
        var agile = PlanProblemBuilder.Build(inputs, s_site, 48, out _)!;
        var tracker = PlanProblemBuilder.Build(inputs with { ImportTariff = TariffKnowledge.ForProduct("SILVER-24-10-01") }, s_site, 48, out _)!;
        var published = (int)((s_tonight - agile.Start).TotalMinutes / 30);

        Assert.Equal(published + 48, agile.Slots.Count); // to 23:00 tomorrow
        Assert.Equal(published + 50, tracker.Slots.Count); // to 00:00 the day after (UK = UTC in January)
        Assert.All(tracker.Slots.Skip(published), s => Assert.True(s.PricesEstimated));
    }

    [Fact]
    public void Switched_off_it_plans_on_published_prices_only()
    {
        var p = PlanProblemBuilder.Build(Inputs(estimate: false), s_site, 48, out _)!;

        Assert.Equal((int)((s_tonight - p.Start).TotalMinutes / 30), p.Slots.Count);
        Assert.DoesNotContain(p.Slots, s => s.PricesEstimated);
    }

    [Fact]
    public void The_plan_marks_the_estimated_slots_and_its_reasons_say_so()
    {
        var problem = PlanProblemBuilder.Build(Inputs(estimate: true), s_site, 48, out _)!;
        var plan = new OrToolsScheduleOptimiser().Solve(problem, CancellationToken.None);
        var published = (int)((s_tonight - problem.Start).TotalMinutes / 30);

        Assert.Equal(PlanStatus.Optimal, plan.Status);
        Assert.All(plan.Slots.Skip(published), s =>
        {
            Assert.True(s.PricesEstimated);
            Assert.EndsWith("(prices estimated, not yet published)", s.Reason, StringComparison.Ordinal);
        });
        Assert.All(plan.Slots.Take(published), s => Assert.DoesNotContain("estimated", s.Reason, StringComparison.Ordinal));
    }
}
