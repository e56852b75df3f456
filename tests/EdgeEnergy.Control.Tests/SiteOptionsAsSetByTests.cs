namespace EdgeEnergy.Control.Tests;

/// <summary>The site the planner and the control loop work to once a person has changed things from Home Assistant.</summary>
public class SiteOptionsAsSetByTests
{
    private static SiteOptions Site() => new()
    {
        BatteryCapacityKwh = 10,
        BatteryMinSocPercent = 10,
        ReserveSocPercent = 20,
        Immersions = [new ImmersionOptions { Id = "tank" }, new ImmersionOptions { Id = "pool" }],
    };

    [Fact]
    public void The_persons_reserve_and_switched_off_heaters_apply_and_the_configured_site_is_untouched()
    {
        var site = Site();

        var asSet = site.AsSetBy(35, new HashSet<string>(["pool"], StringComparer.Ordinal));

        Assert.Equal(3.5, asSet.ReserveKwh, 9);
        Assert.Equal(["tank"], asSet.Immersions.Select(i => i.Id));
        Assert.Equal(2, site.ReserveKwh, 9);
        Assert.Equal(["tank", "pool"], site.Immersions.Select(i => i.Id));
    }

    [Fact]
    public void Nothing_set_means_the_configured_site()
    {
        var site = Site();
        Assert.Same(site, site.AsSetBy(null, new HashSet<string>(StringComparer.Ordinal)));
        Assert.Same(site, site.AsSetBy(20, new HashSet<string>(["garage"], StringComparer.Ordinal)));
    }
}
