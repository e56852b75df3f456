using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Domain.Tests;

public class SlotModeClassifierTests
{
    private static readonly PlanProblem s_problem = PlanProblems.Small([10], pvKwh: [0], socKwh: 2);

    [Theory]
    // import, export, charge, discharge, pvUsed → mode (load 0.5 kWh, no PV, battery 2 kWh of 5)
    [InlineData(1.5, 0, 1.0, 0, 0, SlotMode.Charge)]
    [InlineData(0, 0, 0, 0.5, 0, SlotMode.SelfUse)]
    [InlineData(0.3, 0, 0, 0.2, 0, SlotMode.Discharge)]
    [InlineData(0, 0.5, 0, 1.0, 0, SlotMode.Export)]
    [InlineData(0.5, 0, 0, 0, 0, SlotMode.Hold)]
    public void Names_the_inverter_mode_the_flows_need(double import, double export, double charge, double discharge, double pvUsed, SlotMode expected) =>
        Assert.Equal(expected, SlotModeClassifier.Classify(s_problem, 0, 2, new PlanSlotFlows(import, export, charge, discharge, pvUsed, 0)));

    [Fact]
    public void Importing_with_the_battery_at_its_floor_is_self_use_not_hold()
    {
        var empty = PlanProblems.Small([10], socKwh: 0);
        Assert.Equal(SlotMode.SelfUse, SlotModeClassifier.Classify(empty, 0, 0, new PlanSlotFlows(0.5, 0, 0, 0, 0, 0)));
    }

    [Fact]
    public void Storing_all_the_solar_surplus_is_self_use_and_storing_part_of_it_is_charge()
    {
        var sunny = PlanProblems.Small([10], pvKwh: [1.5], socKwh: 0);
        Assert.Equal(SlotMode.SelfUse, SlotModeClassifier.Classify(sunny, 0, 0, new PlanSlotFlows(0, 0, 1.0, 0, 1.5, 0)));
        Assert.Equal(SlotMode.Charge, SlotModeClassifier.Classify(sunny, 0, 0, new PlanSlotFlows(0, 0.5, 0.5, 0, 1.5, 0)));
    }
}
