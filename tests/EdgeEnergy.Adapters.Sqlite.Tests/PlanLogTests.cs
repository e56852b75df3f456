using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Adapters.Sqlite.Tests;

public sealed class PlanLogTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private static PlanProblem Problem() => new()
    {
        Start = new DateTimeOffset(2024, 1, 10, 16, 0, 0, TimeSpan.Zero),
        Battery = new BatterySpec
        {
            CapacityKwh = 10.4, SocKwh = 5, MinSocKwh = 1.04, MaxSocKwh = 10.4, MaxChargeKw = 3, MaxDischargeKw = 3,
            ChargeEfficiency = 0.95, DischargeEfficiency = 0.95, CycleCostPencePerKwh = 1,
        },
        Grid = new GridSpec { MaxImportKw = 15, MaxExportKw = 3.68 },
        TerminalValuePencePerKwh = 12,
        Immersions = [new ImmersionSpec { Id = "tank", PowerKw = 3, ValuePencePerKwh = 6.5, Windows = [new ImmersionWindow { FromSlot = 0, ToSlot = 2, MinKwh = 1, MaxKwh = 3 }] }],
        Slots = [new SlotInput { ImportPence = 21.4, ExportPence = 12.1, LoadKwh = 0.42, PvKwh = 0 }, new SlotInput { ImportPence = 35.2, ExportPence = 15, LoadKwh = 0.6, PvKwh = 0.1 }],
    };

    private static Plan PlanFor(PlanProblem problem) => new()
    {
        Status = PlanStatus.Optimal,
        ObjectivePence = 12.5,
        SolveMilliseconds = 3,
        Slots =
        [
            new PlanSlot
            {
                Start = problem.Start, ImportKwh = 1.42, ExportKwh = 0, ChargeKwh = 1, DischargeKwh = 0, PvUsedKwh = 0, SocKwh = 5.95,
                ImmersionKwh = new Dictionary<string, double> { ["tank"] = 0 }, Mode = SlotMode.Charge, Reason = "cheapest slot",
            },
        ],
    };

    [Fact]
    public async Task A_stored_problem_replays_through_the_plan_parser_without_warnings()
    {
        var log = new SqlitePlanLog(_db.Database);
        var problem = Problem();
        var id = await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:00:05Z"), PlanningTrigger.NewPrices, problem, PlanFor(problem), CancellationToken.None);
        var json = await log.GetProblemJsonAsync(id, CancellationToken.None);
        var replayed = PlanProblemParser.Parse(json!, $"plan {id}");
        Assert.Null(replayed.Error);
        Assert.Empty(replayed.Warnings);
        Assert.Equal(problem.Slots, replayed.Problem!.Slots);
        Assert.Equal(problem.Battery, replayed.Problem.Battery);
        Assert.Equal(problem.Immersions[0].Windows, replayed.Problem.Immersions[0].Windows);
    }

    [Fact]
    public async Task The_latest_record_has_its_trigger_problem_and_plan()
    {
        var log = new SqlitePlanLog(_db.Database);
        var problem = Problem();
        await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:00:05Z"), PlanningTrigger.Scheduled, problem, PlanFor(problem), CancellationToken.None);
        var id = await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:05:05Z"), PlanningTrigger.Override, problem with { TerminalValuePencePerKwh = 9 }, PlanFor(problem), CancellationToken.None);
        var latest = await log.GetLatestAsync(CancellationToken.None);
        Assert.Equal(id, latest!.Id);
        Assert.Equal(PlanningTrigger.Override, latest.Trigger);
        Assert.Equal(9, latest.Problem.TerminalValuePencePerKwh);
        Assert.Equal(PlanStatus.Optimal, latest.Plan.Status);
        Assert.Equal(SlotMode.Charge, latest.Plan.Slots.Single().Mode);
        Assert.Equal(5.95, latest.Plan.Slots.Single().SocKwh);
        Assert.Null(await log.GetAsync(id + 100, CancellationToken.None));
    }

    [Fact]
    public async Task Planned_forecasts_are_each_slots_load_and_solar_of_the_first_plan_made_in_each_half_hour()
    {
        var log = new SqlitePlanLog(_db.Database);
        var problem = Problem(); // starts 16:00, slots 0.42/0 and 0.6/0.1 kWh
        var late = problem with { Start = problem.Start.AddMinutes(30), Slots = [.. problem.Slots.Select(x => x with { LoadKwh = x.LoadKwh + 1 })] };
        await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T15:59:00Z"), PlanningTrigger.Scheduled, problem, PlanFor(problem), CancellationToken.None); // before the range
        await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:02:00Z"), PlanningTrigger.Scheduled, problem, PlanFor(problem), CancellationToken.None);
        // A replan in the same half hour (an event) is not scored again: one forecast per half hour of making.
        await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:07:00Z"), PlanningTrigger.NewPrices, problem with { Slots = [.. problem.Slots.Select(x => x with { LoadKwh = 9 })] }, PlanFor(problem), CancellationToken.None);
        await log.RecordAsync(DateTimeOffset.Parse("2024-01-10T16:31:00Z"), PlanningTrigger.Scheduled, late, PlanFor(late), CancellationToken.None);

        var forecasts = await log.GetPlannedForecastsAsync(DateTimeOffset.Parse("2024-01-10T16:00:00Z"), DateTimeOffset.Parse("2024-01-10T17:00:00Z"), CancellationToken.None);

        var made1 = DateTimeOffset.Parse("2024-01-10T16:02:00Z");
        var made2 = DateTimeOffset.Parse("2024-01-10T16:31:00Z");
        Assert.Equal(
        [
            new PlannedSlotForecast(made1, DateTimeOffset.Parse("2024-01-10T16:00:00Z"), 0.42, 0),
            new PlannedSlotForecast(made1, DateTimeOffset.Parse("2024-01-10T16:30:00Z"), 0.6, 0.1),
            new PlannedSlotForecast(made2, DateTimeOffset.Parse("2024-01-10T16:30:00Z"), 1.42, 0),
            new PlannedSlotForecast(made2, DateTimeOffset.Parse("2024-01-10T17:00:00Z"), 1.6, 0.1),
        ], forecasts);
    }
}
