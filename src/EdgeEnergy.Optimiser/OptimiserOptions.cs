namespace EdgeEnergy.Optimiser;

/// <summary>Solver settings. The model itself is fixed by the contract.</summary>
public sealed record OptimiserOptions
{
    /// <summary>Wall-clock limit for the mixed-integer stage; past it the best plan found (or the heuristic) is used.</summary>
    public TimeSpan MipTimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>OR-Tools backend for the mixed-integer stage ("SCIP" or "CBC").</summary>
    public string MipSolver { get; init; } = "SCIP";

    /// <summary>Time zone used for times named in reasons.</summary>
    public string ReasonTimeZone { get; init; } = "Europe/London";
}
