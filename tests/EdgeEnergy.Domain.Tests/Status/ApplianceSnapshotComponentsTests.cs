using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Domain.Tests.Status;

/// <summary>/healthz lists each component once, with its latest report, whatever order the components report in.</summary>
public sealed class ApplianceSnapshotComponentsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_report_replaces_the_components_earlier_one_and_leaves_the_others()
    {
        var snapshot = ApplianceSnapshot.Empty
            .WithComponent(new ComponentHealth("prices", HealthState.Healthy, "fresh", Now))
            .WithComponent(new ComponentHealth("inverter", HealthState.Healthy, "polled", Now))
            .WithComponent(new ComponentHealth("prices", HealthState.Degraded, "Octopus answered 503", Now.AddMinutes(5)));

        Assert.Equal(["inverter", "prices"], snapshot.Components.Select(c => c.Component).Order(StringComparer.Ordinal));
        var prices = Assert.Single(snapshot.Components, c => c.Component == "prices");
        Assert.Equal((HealthState.Degraded, "Octopus answered 503"), (prices.State, prices.Detail));
    }

    [Fact]
    public void Without_removes_only_that_component_and_is_harmless_when_it_is_absent()
    {
        var snapshot = ApplianceSnapshot.Empty
            .WithComponent(new ComponentHealth("settings", HealthState.Degraded, "reserve 120 % refused", Now))
            .WithComponent(new ComponentHealth("inverter", HealthState.Healthy, "polled", Now));

        var cleared = snapshot.WithoutComponent("settings").WithoutComponent("ev");

        Assert.Equal("inverter", Assert.Single(cleared.Components).Component);
        Assert.Equal(2, snapshot.Components.Count); // the snapshot is a value: the original is unchanged
    }
}
