using System.Text.Json;
using EdgeEnergy.Domain.Planning;

namespace EdgeEnergy.Testing;

/// <summary>The real-data plan problems of Fixtures/plan-problems and their independently computed optima.</summary>
public static class PlanProblems
{
    private static readonly Lazy<IReadOnlyDictionary<string, double>> s_reference = new(() =>
    {
        using var doc = JsonDocument.Parse(Fixture.Text("plan-problems", "reference-objectives.json"));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("objectivePence").GetDouble());
    });

    public static IReadOnlyDictionary<string, double> ReferenceObjectives => s_reference.Value;

    public static IEnumerable<string> Names => ReferenceObjectives.Keys.Order(StringComparer.Ordinal);

    public static string PathOf(string name) => Fixture.Path("plan-problems", name + ".json");

    public static PlanProblem Load(string name)
    {
        var parsed = PlanProblemParser.Parse(File.ReadAllText(PathOf(name)), name + ".json");
        return parsed.Problem ?? throw new InvalidOperationException(parsed.Error);
    }

    /// <summary>A small hand-made problem: one battery, flat load, the given prices, no PV unless given.</summary>
    public static PlanProblem Small(double[] importPence, double[]? exportPence = null, double socKwh = 0, double[]? pvKwh = null,
        double loadKwh = 0.5, double terminalValue = 0, double maxExportKw = 5, double capacityKwh = 5, double minSocKwh = 0)
    {
        return new PlanProblem
        {
            Start = new DateTimeOffset(2024, 1, 10, 0, 0, 0, TimeSpan.Zero),
            Battery = new BatterySpec
            {
                CapacityKwh = capacityKwh, SocKwh = socKwh, MinSocKwh = minSocKwh, MaxSocKwh = capacityKwh,
                MaxChargeKw = 2, MaxDischargeKw = 2, ChargeEfficiency = 0.95, DischargeEfficiency = 0.95,
            },
            Grid = new GridSpec { MaxImportKw = 10, MaxExportKw = maxExportKw },
            TerminalValuePencePerKwh = terminalValue,
            Slots = importPence.Select((p, t) => new SlotInput
            {
                ImportPence = p,
                ExportPence = exportPence?[t] ?? 0,
                LoadKwh = loadKwh,
                PvKwh = pvKwh?[t] ?? 0,
            }).ToArray(),
        };
    }
}
