using EdgeEnergy.Domain.Status;

namespace EdgeEnergy.Control.Planning;

/// <summary>
/// The plan the controller follows: the planning cycle replaces it, the control loop reads it. Its own channel, apart
/// from the status read model that the dashboard, the API and Home Assistant show (which gets the same plan).
/// </summary>
public sealed class PlanInForce
{
    private ActivePlan? _current;

    public ActivePlan? Current => Volatile.Read(ref _current);

    public void Replace(ActivePlan plan) => Volatile.Write(ref _current, plan);
}
