namespace EdgeEnergy.Optimiser;

/// <summary>Solver settings. The model itself is fixed by the contract.</summary>
public sealed record OptimiserOptions
{
    /// <summary>Wall-clock limit for the mixed-integer stage; past it the best plan found (or the heuristic) is used.</summary>
    public TimeSpan MipTimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No backend after the branch and bound: its best answer is the plan when its search does not close.</summary>
    public const string NoMipBackend = "none";

    /// <summary>OR-Tools backend for the mixed-integer stage after the branch and bound ("SCIP", "CBC" or <see cref="NoMipBackend"/>).</summary>
    public string MipSolver { get; init; } = "SCIP";

    /// <summary>
    /// Nodes the GLOP branch and bound may open before the MIP backend takes over (0: straight to the backend). Each
    /// node is a warm-started LP, about 0.1–0.5 ms at 96 slots. With the whole-slot hull (PlanModel.AddSlotHull) the
    /// negative-price fixtures close within about 300 nodes, where handing them to SCIP after 30 cost 0.1–1 s
    /// (docs/reports/2026-12-03-solve-tail.md).
    /// </summary>
    public int BranchAndBoundNodes { get; init; } = 300;

    /// <summary>
    /// Hold the linear programmes' slots where export pays more than import to the whole slot's convex hull (PlanModel's
    /// AddSlotHull) rather than the pairwise hulls. The optimum is the same either way; what changes is how soon the
    /// branch and bound proves it and which plan a search cut short ends on. Measured 2026-12-03 (idle;
    /// docs/reports/2026-12-03-solve-tail.md): with it, the exact solve's p99 at 96 slots fell from 497 to 70 ms and a
    /// 2022 solar year's backtest from 30.0 to 25.9 s with the same capture (±0.1 point on six home-years); but a
    /// 10-node replay of Go against a flat 15p export (every off-peak night pays for both flows) took 55 % more CPU and
    /// ended £19.50 a year dearer. So <c>tariffs compare</c>, which replays window tariffs against flat exports, turns it
    /// off.
    /// </summary>
    public bool WholeSlotHulls { get; init; } = true;

    /// <summary>
    /// The node budget of a replay of history (backtest, tariff compare), where no mixed-integer backend follows. A plan
    /// the search has not closed in 10 nodes rarely closes in 30 (the gap left at 30 is 19p at the median on a 2022
    /// solar year) and the best answer found usually comes from the dive before the search, so the 20 nodes more bought
    /// 0 to 7p a year on six 2022 homes for 12–20 % of the replay's CPU (docs/reports/2026-12-02-solar-homes.md, Speed).
    /// </summary>
    public const int ReplayBranchAndBoundNodes = 10;

    /// <summary>
    /// Slots the scenario programme looks ahead (24 h); beyond them a stored kWh is worth what the deterministic plan's
    /// dual says it is worth there. The programme's size grows with scenarios × slots, and a day ahead holds what a
    /// first-hour decision can still change.
    /// </summary>
    public int ScenarioHorizonSlots { get; init; } = 48;

    /// <summary>Time zone used for times named in reasons.</summary>
    public string ReasonTimeZone { get; init; } = "Europe/London";
}
