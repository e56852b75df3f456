using EdgeEnergy.Control.Forecasting;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Control.Tests.Forecasting;

/// <summary>
/// The live forecast skill (issue 15 §1): <see cref="ForecastEvaluation.SkillOfPlanned"/> on hand-built forecasts and
/// measurements whose answers are worked out in the comments, and <see cref="ForecastSkillSummary"/>'s "not enough history".
/// </summary>
public class PlannedForecastSkillTests
{
    /// <summary>Slot 0 of the measured series; its first day (slots 0–47) serves persistence only.</summary>
    private static readonly DateTimeOffset s_day1 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_day2 = s_day1.AddDays(1);

    /// <summary>Two days: day 1 load 0.5 and no solar in every slot; day 2 as set below, else the same.</summary>
    private static (double[] Load, double[] Pv) Measured()
    {
        var load = Enumerable.Repeat(0.5, 96).ToArray();
        var pv = new double[96];
        load[48] = 1.0;     // 00:00
        load[49] = 0.2;     // 00:30
        load[50] = double.NaN; // 01:00: no telemetry stored for the load
        load[52] = 0.9;     // 02:00
        pv[52] = 1.0;
        load[60] = 0.8;     // 06:00
        return (load, pv);
    }

    private static PlannedSlotForecast F(DateTimeOffset made, DateTimeOffset slot, double load, double pv = 0) => new(made, slot, load, pv);

    /// <summary>A (made 00:05, slot 00:00, in progress) B (00:05 → 00:30) C (00:05 → 01:00, load unmeasured) F1 (00:05 → 02:00,
    /// lead 1 h 55) in 0–2 h; D (00:05 → 06:00, lead 5 h 55) and F2 (00:00 → 02:00, lead exactly 2 h) in 2–6 h.</summary>
    private static PlannedSlotForecast[] Forecasts()
    {
        var at0005 = s_day2.AddMinutes(5);
        return
        [
            F(at0005, s_day2, 0.7),                     // A: load error +0.3, persistence 1.0 − 0.5 = +0.5
            F(at0005, s_day2.AddMinutes(30), 0.6),      // B: −0.4, persistence −0.3
            F(at0005, s_day2.AddHours(1), 0.3),         // C: load unmeasured; solar 0 − 0 = 0 scores
            F(at0005, s_day2.AddHours(2), 0.5, 0.8),    // F1: load +0.4 (persistence +0.4); solar +0.2 (persistence +1.0)
            F(at0005, s_day2.AddHours(6), 1.0),         // D: load −0.2, persistence +0.3
            F(s_day2, s_day2.AddHours(2), 1.2, 1.3),    // F2: load −0.3 (persistence +0.4); solar −0.3 (persistence +1.0)
        ];
    }

    private static SkillAgainstPersistence Of(IReadOnlyList<SkillAgainstPersistence> skills, string quantity) => skills.Single(s => s.Quantity == quantity);

    [Fact]
    public void Mae_bias_and_persistence_are_exact_on_a_hand_built_set()
    {
        var (load, pv) = Measured();
        var skills = ForecastEvaluation.SkillOfPlanned(Forecasts(), s_day1, load, pv);

        var loadSkill = Of(skills, "load");
        var near = loadSkill.Planned.ByLead[0]; // A, B, F1: |0.3| + |−0.4| + |0.4| = 1.1 over 3; bias 0.3 / 3
        Assert.Equal((0, 2, 3), (near.FromHours, near.ToHours, near.Slots));
        Assert.Equal(1.1 / 3, near.MaeKwh, 12);
        Assert.Equal(0.1, near.BiasKwh, 12);
        Assert.Equal(1.2 / 3, loadSkill.Persistence.ByLead[0].MaeKwh, 12); // 0.5 + 0.3 + 0.4
        Assert.Equal(3, loadSkill.Persistence.ByLead[0].Slots);
        var next = loadSkill.Planned.ByLead[1]; // D, F2: −0.2, −0.3
        Assert.Equal((2, 6, 2), (next.FromHours, next.ToHours, next.Slots));
        Assert.Equal(0.25, next.MaeKwh, 12);
        Assert.Equal(-0.25, next.BiasKwh, 12);
        Assert.Equal(0.35, loadSkill.Persistence.ByLead[1].MaeKwh, 12); // 0.3, 0.4

        var solar = Of(skills, "solar");
        Assert.Equal(4, solar.Planned.ByLead[0].Slots); // A, B, C (its solar was measured), F1
        Assert.Equal(0.05, solar.Planned.ByLead[0].MaeKwh, 12); // 0.2 / 4
        Assert.Equal(0.05, solar.Planned.ByLead[0].BiasKwh, 12);
        Assert.Equal(0.25, solar.Persistence.ByLead[0].MaeKwh, 12); // 1.0 / 4
        Assert.Equal(0.15, solar.Planned.ByLead[1].MaeKwh, 12); // D 0, F2 −0.3
        Assert.Equal(-0.15, solar.Planned.ByLead[1].BiasKwh, 12);
        Assert.Equal(0.5, solar.Persistence.ByLead[1].MaeKwh, 12);

        // No forecast 6 h or more ahead: no figure, and NaN says so (never a 0 error).
        Assert.All(skills.SelectMany(s => s.Planned.ByLead.Skip(2).Concat(s.Persistence.ByLead.Skip(2))), b =>
        {
            Assert.Equal(0, b.Slots);
            Assert.True(double.IsNaN(b.MaeKwh) && double.IsNaN(b.BiasKwh));
        });
    }

    [Theory]
    [InlineData(0, 0)]       // made at the slot's start
    [InlineData(-25, 0)]     // the slot in progress when the plan was made (made 25 min into it)
    [InlineData(115, 0)]     // 1 h 55 ahead
    [InlineData(120, 1)]     // exactly 2 h ahead: the next band
    [InlineData(359, 1)]
    [InlineData(360, 2)]
    [InlineData(719, 2)]
    [InlineData(720, 3)]
    [InlineData(1439, 3)]
    public void The_lead_band_is_the_slots_start_minus_when_the_plan_was_made(int leadMinutes, int band)
    {
        var (load, pv) = Measured();
        var slot = s_day2.AddHours(12);
        var skills = ForecastEvaluation.SkillOfPlanned([F(slot.AddMinutes(-leadMinutes), slot, 0.5)], s_day1, load, pv);

        var counts = Of(skills, "load").Planned.ByLead.Select(b => b.Slots).ToArray();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => i == band ? 1 : 0), counts);
    }

    [Fact]
    public void A_forecast_a_day_or_more_ahead_is_not_scored()
    {
        var (load, pv) = Measured();
        var slot = s_day2.AddHours(12);
        var skills = ForecastEvaluation.SkillOfPlanned([F(slot.AddHours(-24), slot, 0.5), F(slot.AddHours(-30), slot, 0.5)], s_day1, load, pv);
        Assert.All(skills, s => Assert.Equal(0, s.Planned.ByLead.Sum(b => b.Slots)));
    }

    [Fact]
    public void Unmeasured_slots_and_slots_without_a_measured_day_before_are_skipped()
    {
        var (load, pv) = Measured();
        load[10] = double.NaN; // day 1, 05:00: persistence has nothing for day 2, 05:00
        var made = s_day2;
        var skills = ForecastEvaluation.SkillOfPlanned(
        [
            F(made, s_day2.AddHours(1), 99),       // load unmeasured (NaN): skipped, not a 99 kWh error
            F(made, s_day2.AddHours(5), 99),       // yesterday unmeasured: no persistence, so neither is scored
            F(made.AddDays(-1), s_day1.AddHours(3), 99), // in the first day: no yesterday in the series
            F(made, s_day2.AddDays(1), 99),        // after the series
            F(made, s_day2.AddHours(4), 0.5),      // the one scored: 0.5 − 0.5 = 0
        ], s_day1, load, pv);

        var near = Of(skills, "load").Planned.ByLead;
        Assert.Equal(1, near.Sum(b => b.Slots));
        Assert.Equal(0, near[1].MaeKwh); // 4 h ahead
        Assert.Equal(near.Select(b => b.Slots), Of(skills, "load").Persistence.ByLead.Select(b => b.Slots)); // the same slots
    }

    [Fact]
    public void With_no_history_the_summary_has_no_figures_not_zeros()
    {
        var (load, pv) = Measured();
        var now = s_day2.AddHours(13);
        var report = ForecastSkillSummary.Of(ForecastEvaluation.SkillOfPlanned([], s_day1, load, pv), now, s_day2, now);

        Assert.False(report.HasFigures);
        Assert.Equal(0, report.Slots);
        Assert.Equal(8, report.Bands.Count); // load and solar × four bands, each saying it has 0 slots
        Assert.All(report.Bands, b => Assert.True(b.Slots == 0 && b.MaeKwh is null && b.BiasKwh is null && b.PersistenceMaeKwh is null));
        Assert.Equal(["0-2h", "2-6h", "6-12h", "12-24h"], report.Bands.Where(b => b.Quantity == "load").Select(b => b.Lead));
    }

    [Fact]
    public void A_band_gets_its_figures_once_it_has_a_days_worth_of_slots()
    {
        // Day 2's first 48 slots each forecast 0.1 kWh low, made 30 min ahead; one short of the minimum, then all.
        var (load, pv) = Measured();
        Array.Fill(load, 0.5);
        var all = Enumerable.Range(0, 48).Select(i => F(s_day2.AddMinutes(30 * (i - 1)), s_day2.AddMinutes(30 * i), 0.4)).ToArray();
        var now = s_day2.AddDays(1);

        var short1 = ForecastSkillSummary.Of(ForecastEvaluation.SkillOfPlanned(all[1..], s_day1, load, pv), now, s_day2, now);
        var full = ForecastSkillSummary.Of(ForecastEvaluation.SkillOfPlanned(all, s_day1, load, pv), now, s_day2, now);

        Assert.Equal(ForecastSkillReport.MinimumSlots - 1, short1.Bands[0].Slots);
        Assert.Null(short1.Bands[0].MaeKwh);
        Assert.False(short1.HasFigures);
        var band = full.Bands.Single(b => b.Quantity == "load" && b.FromHours == 0);
        Assert.Equal(ForecastSkillReport.MinimumSlots, band.Slots);
        Assert.Equal(0.1, band.MaeKwh!.Value, 12);
        Assert.Equal(0.1, band.BiasKwh!.Value, 12);
        Assert.Equal(0, band.PersistenceMaeKwh);
        Assert.True(full.HasFigures);
    }
}
