using EdgeEnergy.Domain;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests;

public class PlanProblemParserTests
{
    private const string Valid = """
        {
          "start": "2024-01-10T16:00:00Z", "slotMinutes": 30,
          "battery": { "capacityKwh": 10.4, "socKwh": 5.0, "minSocKwh": 1.04, "maxSocKwh": 10.4,
                       "maxChargeKw": 3.0, "maxDischargeKw": 3.0, "chargeEfficiency": 0.95, "dischargeEfficiency": 0.95,
                       "cycleCostPencePerKwh": 1.0 },
          "grid": { "maxImportKw": 15.0, "maxExportKw": 3.68 },
          "terminalValuePencePerKwh": 12.0,
          "immersions": [ { "id": "tank", "powerKw": 3.0, "valuePencePerKwh": 6.5,
                            "windows": [ { "fromSlot": 0, "toSlot": 2, "minKwh": 1.0, "maxKwh": 3.0 } ] } ],
          "slots": [ { "importPence": 21.4, "exportPence": 12.1, "loadKwh": 0.42, "pvKwh": 0.0 },
                     { "importPence": 25.0, "exportPence": 12.1, "loadKwh": 0.40 } ]
        }
        """;

    private static string Error(string json)
    {
        var parsed = PlanProblemParser.Parse(json, "p.json");
        Assert.Null(parsed.Problem);
        Assert.NotNull(parsed.Error);
        Assert.DoesNotContain('\n', parsed.Error);
        Assert.StartsWith("p.json: ", parsed.Error);
        return parsed.Error!;
    }

    [Fact]
    public void Reads_the_contract_example()
    {
        var parsed = PlanProblemParser.Parse(Valid, "p.json");

        Assert.Null(parsed.Error);
        Assert.Empty(parsed.Warnings);
        var p = parsed.Problem!;
        Assert.Equal(new DateTimeOffset(2024, 1, 10, 16, 0, 0, TimeSpan.Zero), p.Start);
        Assert.Equal(3.68, p.Grid.MaxExportKw);
        Assert.Equal(0.0, p.Slots[1].PvKwh);
        Assert.Equal(3.0, p.Immersions[0].Windows[0].MaxKwh);
    }

    [Fact]
    public void Every_fixture_problem_parses() =>
        Assert.All(PlanProblems.Names, n => Assert.NotNull(PlanProblems.Load(n)));

    [Fact]
    public void Malformed_json_names_the_line() =>
        Assert.Contains("line 2:", Error(Valid.Replace("\"slotMinutes\": 30,", "\"slotMinutes\": 30,,", StringComparison.Ordinal)));

    [Fact]
    public void A_missing_required_field_is_named() =>
        Assert.Contains("capacityKwh", Error(Valid.Replace("\"capacityKwh\": 10.4, ", "", StringComparison.Ordinal)));

    [Theory]
    [InlineData("\"chargeEfficiency\": 0.95", "\"chargeEfficiency\": 1.5", "battery.chargeEfficiency: must be in (0,1]")]
    [InlineData("\"dischargeEfficiency\": 0.95", "\"dischargeEfficiency\": 0", "battery.dischargeEfficiency: must be in (0,1]")]
    [InlineData("\"capacityKwh\": 10.4", "\"capacityKwh\": -1", "battery.capacityKwh: must be > 0")]
    [InlineData("\"loadKwh\": 0.40", "\"loadKwh\": -0.40", "slots[1].loadKwh: must be >= 0")]
    [InlineData("\"toSlot\": 2", "\"toSlot\": 3", "immersions[0].windows[0].toSlot: 3 is beyond the horizon of 2 slots")]
    [InlineData("\"minKwh\": 1.0, \"maxKwh\": 3.0", "\"minKwh\": 3.5, \"maxKwh\": 9.0", "immersions[0].windows[0].minKwh: 3.5 kWh is impossible")]
    [InlineData("\"socKwh\": 5.0", "\"socKwh\": 11", "battery.socKwh: 11 exceeds capacityKwh")]
    [InlineData("\"maxExportKw\": 3.68", "\"maxExportKw\": -3.68", "grid.maxExportKw: must be >= 0")]
    [InlineData("\"slotMinutes\": 30", "\"slotMinutes\": 0", "slotMinutes: must be between 1 and 1440")]
    public void Impossible_values_are_named_with_the_field(string from, string to, string expected) =>
        Assert.Contains(expected, Error(Valid.Replace(from, to, StringComparison.Ordinal)));

    [Fact]
    public void A_number_given_as_text_is_rejected() =>
        Assert.Contains("battery.maxChargeKw", Error(Valid.Replace("\"maxChargeKw\": 3.0", "\"maxChargeKw\": \"3\"", StringComparison.Ordinal)));

    [Fact]
    public void An_empty_horizon_is_rejected() =>
        Assert.Contains("slots: must hold at least one slot", Error(
            Valid[..Valid.IndexOf("\"slots\"", StringComparison.Ordinal)] + "\"slots\": [] }"));

    [Fact]
    public void Unknown_fields_are_warned_about_and_ignored()
    {
        var parsed = PlanProblemParser.Parse(Valid.Replace("\"terminalValuePencePerKwh\"", "\"note\": \"x\", \"terminalValuePencePerKwh\"", StringComparison.Ordinal), "p.json");

        Assert.NotNull(parsed.Problem);
        Assert.Contains(parsed.Warnings, w => w.Contains("unknown field 'note'", StringComparison.Ordinal));
    }

    [Fact]
    public void Null_document_is_rejected() => Assert.Contains("null", Error("null"));

    /// <summary>The contract example with the car of docs/contracts.md section 8 (needs over the example's 2 slots).</summary>
    private static readonly string s_withCar = Valid.Replace("\"slots\": [", """
        "ev": { "id": "car", "minKw": 1.4, "maxKw": 7.4, "efficiency": 0.92,
                "needs": [ { "fromSlot": 0, "toSlot": 2, "kwh": 6.0 } ] },
          "slots": [
        """, StringComparison.Ordinal);

    [Fact]
    public void Reads_the_car_as_the_contract_gives_it()
    {
        var parsed = PlanProblemParser.Parse(s_withCar, "p.json");

        Assert.Null(parsed.Error);
        Assert.Empty(parsed.Warnings);
        var ev = parsed.Problem!.Ev!;
        Assert.Equal(("car", 1.4, 7.4, 0.92), (ev.Id, ev.MinKw, ev.MaxKw, ev.Efficiency));
        Assert.Equal(new EvNeed { FromSlot = 0, ToSlot = 2, Kwh = 6.0 }, Assert.Single(ev.Needs));
    }

    [Fact]
    public void A_problem_without_a_car_has_none_and_writes_no_ev_field()
    {
        var problem = PlanProblemParser.Parse(Valid, "p.json").Problem!;

        Assert.Null(problem.Ev);
        Assert.DoesNotContain("\"ev\"", System.Text.Json.JsonSerializer.Serialize(problem, PlanJson.Output), StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_with_a_car_writes_it_back_as_it_was_read()
    {
        var problem = PlanProblemParser.Parse(s_withCar, "p.json").Problem!;
        var again = PlanProblemParser.Parse(System.Text.Json.JsonSerializer.Serialize(problem, PlanJson.Output), "again.json").Problem!;

        Assert.Equal(problem.Ev!.Id, again.Ev!.Id);
        Assert.Equal(problem.Ev.Needs, again.Ev.Needs);
        Assert.Equal((problem.Ev.MinKw, problem.Ev.MaxKw, problem.Ev.Efficiency), (again.Ev.MinKw, again.Ev.MaxKw, again.Ev.Efficiency));
    }

    [Theory]
    [InlineData("\"minKw\": 1.4", "\"minKw\": 8", "ev.minKw: 8 exceeds maxKw 7.4")]
    [InlineData("\"minKw\": 1.4", "\"minKw\": -1", "ev.minKw: must be >= 0")]
    [InlineData("\"maxKw\": 7.4", "\"maxKw\": 0", "ev.maxKw: must be > 0")]
    [InlineData("\"efficiency\": 0.92", "\"efficiency\": 1.2", "ev.efficiency: must be in (0,1], got 1.2")]
    [InlineData("\"efficiency\": 0.92", "\"efficiency\": 0", "ev.efficiency: must be in (0,1], got 0")]
    [InlineData("\"fromSlot\": 0, \"toSlot\": 2, \"kwh\"", "\"fromSlot\": 2, \"toSlot\": 2, \"kwh\"", "ev.needs[0].fromSlot: 2 is beyond the horizon of 2 slots")]
    [InlineData("\"fromSlot\": 0, \"toSlot\": 2, \"kwh\"", "\"fromSlot\": 1, \"toSlot\": 1, \"kwh\"", "ev.needs[0].toSlot: must be after fromSlot 1, got 1")]
    [InlineData("\"fromSlot\": 0, \"toSlot\": 2, \"kwh\"", "\"fromSlot\": 0, \"toSlot\": 3, \"kwh\"", "ev.needs[0].toSlot: 3 is beyond the horizon of 2 slots")]
    [InlineData("\"fromSlot\": 0, \"toSlot\": 2, \"kwh\"", "\"fromSlot\": -1, \"toSlot\": 2, \"kwh\"", "ev.needs[0].fromSlot: must be >= 0, got -1")]
    [InlineData("\"kwh\": 6.0", "\"kwh\": -6.0", "ev.needs[0].kwh: must be >= 0, got -6")]
    [InlineData("\"id\": \"car\"", "\"id\": \" \"", "ev.id: must be a non-empty name")]
    public void Impossible_car_values_are_named_with_the_field(string from, string to, string expected)
    {
        Assert.Contains(from, s_withCar, StringComparison.Ordinal);
        Assert.Contains(expected, Error(s_withCar.Replace(from, to, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_car_value_that_is_not_a_number_is_rejected_naming_the_field()
    {
        // JSON has no NaN; a "NaN" string is a wrong type, named by its path.
        Assert.Contains("ev.maxKw", Error(s_withCar.Replace("\"maxKw\": 7.4", "\"maxKw\": \"NaN\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_nan_built_in_code_is_caught_by_the_validator()
    {
        var problem = PlanProblemParser.Parse(s_withCar, "p.json").Problem!;
        var bad = problem with { Ev = problem.Ev! with { MaxKw = double.NaN, Needs = [new EvNeed { FromSlot = 0, ToSlot = 1, Kwh = double.NaN }] } };

        var errors = PlanProblemValidator.Validate(bad);

        Assert.Contains(errors, e => e.StartsWith("ev.maxKw: must be > 0, got NaN", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ev.needs[0].kwh: must be >= 0, got NaN", StringComparison.Ordinal));
    }

    [Fact]
    public void A_car_without_its_required_fields_names_them() =>
        Assert.Contains("efficiency", Error(s_withCar.Replace("\"efficiency\": 0.92,", "", StringComparison.Ordinal)));

    [Fact]
    public void The_contract_json_knows_problems_and_plans_and_refuses_any_other_type_instead_of_writing_it_by_reflection()
    {
        // The Native AOT binary has no reflection-based JSON: there an unlisted type would be written as {}. The
        // source-generated resolver makes it an error in every build.
        Assert.Equal(typeof(PlanProblem), PlanJson.Strict.For<PlanProblem>().Type);
        Assert.Equal(typeof(Plan), PlanJson.Output.For<Plan>().Type);
        Assert.Throws<NotSupportedException>(() => PlanJson.Output.For<ParsedProblem>());
        Assert.Throws<NotSupportedException>(() => System.Text.Json.JsonSerializer.Serialize(new ParsedProblem(null, "x", []), PlanJson.Output));
    }
}
