namespace EdgeEnergy.Domain.Planning;

/// <summary>One equally likely future of the house load and the solar over a problem's slots (kWh per slot, ≥ 0).</summary>
public sealed record ForecastScenario(IReadOnlyList<double> LoadKwh, IReadOnlyList<double> PvKwh);

/// <summary>
/// The futures a plan allows for (issue 15 §3): equally likely scenarios of load and solar, each as long as the problem.
/// The battery and immersion decisions of the first <see cref="SharedSlots"/> slots are the same in every scenario,
/// because they are made before anyone knows which comes true; later slots may differ. <see cref="Source"/> says in a
/// few words where the scenarios came from, for the plan's reason.
/// </summary>
public sealed record ScenarioSet(IReadOnlyList<ForecastScenario> Scenarios, int SharedSlots, string Source)
{
    /// <summary>Why this set cannot be planned on with <paramref name="problem"/>, or null when it can.</summary>
    public string? Problem(PlanProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (SharedSlots < 1 || SharedSlots > problem.Slots.Count)
        {
            return $"shared slots {SharedSlots} outside 1..{problem.Slots.Count}";
        }

        for (var k = 0; k < Scenarios.Count; k++)
        {
            var s = Scenarios[k];
            if (s.LoadKwh.Count != problem.Slots.Count || s.PvKwh.Count != problem.Slots.Count)
            {
                return $"scenario {k} has {s.LoadKwh.Count} load and {s.PvKwh.Count} solar values for {problem.Slots.Count} slots";
            }

            if (s.LoadKwh.Concat(s.PvKwh).Any(v => !double.IsFinite(v) || v < 0))
            {
                return $"scenario {k} has a negative or non-finite value";
            }
        }

        return null;
    }
}
