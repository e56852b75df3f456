using EdgeEnergy.Control.State;
using EdgeEnergy.Domain.State;

namespace EdgeEnergy.Control.Tests;

public class ApplianceStateHolderTests
{
    [Fact]
    public async Task Concurrent_updates_are_never_lost()
    {
        var holder = new ApplianceStateHolder();
        Assert.Same(ApplianceState.Empty, holder.Current);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                holder.Update(s => s with { InverterWrites = s.InverterWrites + 1 });
            }
        })));

        Assert.Equal(8000, holder.Current.InverterWrites);
    }
}
