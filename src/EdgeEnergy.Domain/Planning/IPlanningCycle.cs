namespace EdgeEnergy.Domain.Planning;

/// <summary>Why a planning cycle runs.</summary>
public enum PlanningTrigger
{
    /// <summary>The regular schedule (every few minutes).</summary>
    Scheduled,

    /// <summary>New prices arrived (e.g. tomorrow's Agile rates after 16:00 UK).</summary>
    NewPrices,

    /// <summary>A new PV forecast was stored.</summary>
    NewForecast,

    /// <summary>The user set or cleared an override.</summary>
    Override,

    /// <summary>Measured PV or load departed far from the forecast.</summary>
    ForecastMiss,

    /// <summary>Asked for explicitly (API, CLI).</summary>
    Manual,

    /// <summary>The first reading since start that gave the state of charge (nothing is planned before it).</summary>
    FirstReading,

    /// <summary>The car was plugged in or out, another car came, or its state of charge moved (evcc).</summary>
    CarChanged,

    /// <summary>The Octopus account's import or export tariff changed.</summary>
    TariffChanged,

    /// <summary>Intelligent Octopus Go's planned dispatches changed (new, moved or withdrawn).</summary>
    DispatchesChanged,

    /// <summary>The wall clock stepped (NTP corrected it, or it was set): the plan in force was laid out on the old clock.</summary>
    ClockStep,
}

/// <summary>
/// One planning cycle: gather prices, forecasts and state, solve, store the plan, hand it to the control loop.
/// Implemented by the control side; run by the scheduler, never concurrently with itself.
/// </summary>
public interface IPlanningCycle
{
    Task RunAsync(PlanningTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>Asks for a planning cycle as soon as possible (coalesced with a request still waiting to start); returns at once.</summary>
public interface IReplanRequester
{
    Task RequestReplanAsync(PlanningTrigger trigger, CancellationToken cancellationToken);
}
