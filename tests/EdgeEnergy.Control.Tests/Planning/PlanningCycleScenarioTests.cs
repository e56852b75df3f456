using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Optimiser;
using EdgeEnergy.Testing.Planning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeEnergy.Control.Tests.Planning;

/// <summary>The live planning cycle with <c>Control:Scenarios</c>: the plan allows for the home's own recent forecast errors.</summary>
public class PlanningCycleScenarioTests
{
    // 19:05 BST: tomorrow's prices are out; the cycle plans from the 19:00 slot.
    private static readonly DateTimeOffset Now = new(2024, 6, 10, 18, 5, 0, TimeSpan.Zero);

    /// <summary>The status a planning cycle starts from: a reading at <see cref="Now"/> (SoC 50 %, 300 W from the grid into the house).</summary>
    private static ApplianceStatusStore MeasuredStatus() => new(ApplianceSnapshot.Empty with
    {
        Telemetry = new LiveTelemetry
        {
            MeasuredAtUtc = Now, BatterySocPercent = 50, SocMeasuredAtUtc = Now, BatteryPowerW = 0, PvPowerW = 0, GridPowerW = 300, LoadPowerW = 300,
        },
    });

    [Theory]
    [InlineData(5, 10, "over 5 scenarios (the forecast errors of the last 9 days)")]
    [InlineData(5, 3, "planned on the forecast alone: only 2 complete past days of forecast errors (5 needed)")]
    [InlineData(0, 10, null)]
    public async Task The_plan_says_what_it_allowed_for(int scenarios, int measuredDays, string? expected)
    {
        var status = MeasuredStatus();
        var stores = new Stores(measuredDays);
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
            Options.Create(new SiteOptions()), Options.Create(new ControlOptions { Scenarios = scenarios }),
            new FakeTimeProvider(Now), NullLogger<PlanningCycle>.Instance);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        var plan = status.Current.Plan!.Plan;
        Assert.True(plan.Status is PlanStatus.Optimal or PlanStatus.Feasible, plan.Reason);
        Assert.Empty(PlanChecker.Violations(status.Current.Plan.Problem, plan.Slots));
        if (expected is null)
        {
            Assert.DoesNotContain("scenario", plan.Reason ?? string.Empty, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(expected, plan.Reason);
        }
    }

    [Fact]
    public async Task Intelligent_go_dispatches_listed_now_make_their_half_hours_off_peak_in_the_problem()
    {
        // Now 18:05 UTC, the plan starts 18:00. Stored import: 20 p, 9 p 01:00–05:00, 35 p 15:00–18:00 UTC. A smart
        // dispatch 18:10–18:40 makes the 18:00 and 18:30 half hours the off-peak 9 p; 19:00 stays 20 p; a boost
        // 21:00–21:30 stays 20 p.
        async Task<IReadOnlyList<SlotInput>> PlanAsync(DispatchSchedule? schedule)
        {
            var status = MeasuredStatus();
            var stores = new Stores(3);
            var cycle = new PlanningCycle(
                new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true) { Dispatches = new Listed(schedule) },
                new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
                Options.Create(new SiteOptions()), Options.Create(new ControlOptions { Scenarios = 0 }), new FakeTimeProvider(Now), NullLogger<PlanningCycle>.Instance);
            await cycle.RunAsync(PlanningTrigger.DispatchesChanged, CancellationToken.None);
            return status.Current.Plan!.Problem.Slots;
        }

        var start = new DateTimeOffset(2024, 6, 10, 18, 0, 0, TimeSpan.Zero);
        var listed = new DispatchSchedule(
            [new PlannedDispatch(start.AddMinutes(10), start.AddMinutes(40), DispatchKind.Smart), new PlannedDispatch(start.AddHours(3), start.AddHours(3.5), DispatchKind.Boost)],
            Now, null);

        var with = await PlanAsync(listed);
        var withdrawn = await PlanAsync(new DispatchSchedule([], Now, null));

        Assert.Equal([9.0, 9.0, 20.0], with.Take(3).Select(s => s.ImportPence));
        Assert.Equal(20.0, with[6].ImportPence); // the boost's half hour
        Assert.Equal([20.0, 20.0, 20.0], withdrawn.Take(3).Select(s => s.ImportPence));
    }

    private sealed class Listed(DispatchSchedule? schedule) : IPlannedDispatches
    {
        public DispatchSchedule? Current => schedule;
    }

    /// <summary>
    /// Measured history (a sample every 10 minutes for the last <c>days</c> days: an evening peak that varies from day
    /// to day, and a sunny or dull day in turn), Agile-like prices, no forecast service, and a plan log.
    /// </summary>
    [Fact]
    public async Task A_load_model_whose_training_fails_leaves_the_blend_and_the_forecast_component_degraded_with_the_reason()
    {
        var status = MeasuredStatus();
        var stores = new Stores(30);
        var time = new FakeTimeProvider(Now);
        var control = Options.Create(new ControlOptions { LoadForecast = ControlOptions.LearnedLoadForecast });
        var training = new EdgeEnergy.Control.Forecasting.LoadModel.LoadModelTraining(stores, new ThrowingTrainer(), control, time,
            NullLogger<EdgeEnergy.Control.Forecasting.LoadModel.LoadModelTraining>.Instance);
        await training.RunAsync(CancellationToken.None);
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
            Options.Create(new SiteOptions()), control, time, NullLogger<PlanningCycle>.Instance, loadModel: training);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        Assert.True(training.Current!.Choice.Failed);
        Assert.Equal(PlanStatus.Optimal, status.Current.Plan!.Plan.Status);
        var forecast = status.Current.Components.Single(c => c.Component == "forecast");
        Assert.Equal(HealthState.Degraded, forecast.State);
        Assert.Contains("the load model could not be trained: InsufficientMemoryException: out of memory", forecast.Detail, StringComparison.Ordinal);
        Assert.Contains("load: blended", forecast.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, ControlOptions.ScheduledLoadAuto, "; scheduled load 00:30–02:30, 7.0 kW on 4 nights in 7, on working days only, taken out of the house load")]
    [InlineData(true, ControlOptions.ScheduledLoadOff, null)]
    [InlineData(false, ControlOptions.ScheduledLoadAuto, null)]
    public async Task A_car_on_a_charging_timer_is_said_in_the_forecast_component(bool car, string scheduledLoad, string? expected)
    {
        var status = MeasuredStatus();
        var stores = new Stores(30, car);
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), stores, status, status, new PlanInForce(),
            Options.Create(new SiteOptions()), Options.Create(new ControlOptions { ScheduledLoad = scheduledLoad }),
            new FakeTimeProvider(Now), NullLogger<PlanningCycle>.Instance);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        var forecast = status.Current.Components.Single(c => c.Component == "forecast");
        Assert.Equal(HealthState.Healthy, forecast.State);
        if (expected is null)
        {
            Assert.DoesNotContain("scheduled load", forecast.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.EndsWith($"load: blended{expected}", forecast.Detail, StringComparison.Ordinal);
        }

        // The plan starts at 18:00 UTC; tonight's 00:30–02:30 UK is 23:30–01:30 UTC (slots 11–14), midnight UK slot 10.
        // Kept apart, the car is planned at its share of working nights (4 of 5) and does not spill into midnight;
        // in the house load, the blend's smoothing spreads it there. Without a car, nothing is there.
        var slots = status.Current.Plan!.Problem.Slots;
        var tonight = slots.Skip(11).Take(4).Sum(s => s.LoadKwh);
        var midnight = slots[10].LoadKwh;
        var why = $"tonight's car slots {tonight:0.00} kWh, midnight {midnight:0.00} kWh";
        Assert.True((car, expected) switch
        {
            (false, _) => tonight < 1 && midnight < 0.3,
            (true, null) => tonight > 9 && midnight > 0.6,
            (true, _) => tonight > 9 && midnight < 0.3,
        }, why);
    }

    private sealed class ThrowingTrainer : EdgeEnergy.Control.Forecasting.LoadModel.ILoadModelTrainer
    {
        public string Name => "throws";

        public EdgeEnergy.Control.Forecasting.LoadModel.TreeEnsemble Train(EdgeEnergy.Control.Forecasting.LoadModel.LoadTrainingSet rows) =>
            throw new InsufficientMemoryException("out of memory");
    }

    [Fact]
    public async Task A_plan_the_history_cannot_store_is_put_in_force_all_the_same()
    {
        var status = MeasuredStatus();
        var stores = new Stores(3);
        var inForce = new PlanInForce();
        var fullDisk = new FullDiskPlanLog();
        var cycle = new PlanningCycle(
            new PlanningSources(stores, stores, [], stores, ExportTariffConfigured: true),
            new OrToolsScheduleOptimiser(), fullDisk, status, status, inForce,
            Options.Create(new SiteOptions()), Options.Create(new ControlOptions { Scenarios = 0 }), new FakeTimeProvider(Now), NullLogger<PlanningCycle>.Instance);

        await cycle.RunAsync(PlanningTrigger.Scheduled, CancellationToken.None);

        Assert.Equal(1, fullDisk.Attempts);
        var active = inForce.Current!;
        Assert.Equal(PlanStatus.Optimal, active.Plan.Status);
        Assert.Equal(Now, active.CreatedUtc);
        Assert.Same(active, status.Current.Plan);
    }

    private sealed class FullDiskPlanLog : IPlanLog
    {
        public int Attempts { get; private set; }

        public Task<long> RecordAsync(DateTimeOffset createdUtc, PlanningTrigger trigger, PlanProblem problem, Plan plan, CancellationToken cancellationToken)
        {
            Attempts++;
            throw new IOException("database or disk is full");
        }

        public Task<PlanRecord?> GetLatestAsync(CancellationToken cancellationToken) => Task.FromResult<PlanRecord?>(null);

        public Task<PlanRecord?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult<PlanRecord?>(null);
    }

    internal sealed class Stores(int days, bool car = false) : PlanningStores
    {
        protected override double Pence(RateKind kind, DateTimeOffset slotStart)
        {
            var hour = slotStart.UtcDateTime.Hour;
            return kind == RateKind.Export ? 5.0 : hour is >= 15 and < 18 ? 35 : hour is >= 1 and < 5 ? 9 : 20;
        }

        protected override IReadOnlyList<TelemetrySample> Telemetry(DateTimeOffset fromUtc, DateTimeOffset toUtc)
        {
            var samples = new List<TelemetrySample>();
            for (var t = Now.AddDays(-days); t < toUtc; t = t.AddMinutes(10))
            {
                if (t < fromUtc)
                {
                    continue;
                }

                var day = (int)(t - Now.AddDays(-days)).TotalDays;
                var hour = t.UtcDateTime.TimeOfDay.TotalHours;
                var load = 250 + (hour is >= 16 and < 20 ? 800 + 300 * (day % 3) : 0) + (car ? CarW(t) : 0);
                var sun = Math.Max(0, Math.Sin((hour - 4) / 16 * Math.PI)) * (day % 2 == 0 ? 3000 : 800);
                samples.Add(new TelemetrySample(t, 50, 0, load - sun, load, sun));
            }

            return samples;
        }

        /// <summary>A 7 kW car on a timer, 00:30–02:30 UK time on Monday to Thursday mornings, not on bank holidays.</summary>
        private static double CarW(DateTimeOffset t)
        {
            var local = TimeZoneInfo.ConvertTime(t, UkTime.Zone);
            var minutes = local.TimeOfDay.TotalMinutes;
            var working = local.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday
                          && !EdgeEnergy.Control.Forecasting.LoadModel.UkBankHolidays.IsHoliday(DateOnly.FromDateTime(local.DateTime));
            return working && minutes is >= 30 and < 150 ? 7000 : 0;
        }
    }
}
