using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;

namespace EdgeEnergy.Testing.Planning;

/// <summary>
/// The stores a planning cycle reads, in memory, for planning tests: half-hour prices from <see cref="Pence"/>, the
/// measured history from <see cref="Telemetry"/> (none by default: a typical home's load), no solar service, and a plan
/// log that keeps nothing. Writes are not expected and throw.
/// </summary>
public abstract class PlanningStores : IRateStore, ITelemetryStore, IPvForecastStore, IPlanLog
{
    /// <summary>The price (pence/kWh) of the half hour starting at <paramref name="slotStart"/>.</summary>
    protected abstract double Pence(RateKind kind, DateTimeOffset slotStart);

    /// <summary>Measured samples from <paramref name="fromUtc"/> to <paramref name="toUtc"/>; none by default.</summary>
    protected virtual IReadOnlyList<TelemetrySample> Telemetry(DateTimeOffset fromUtc, DateTimeOffset toUtc) => [];

    public Task<IReadOnlyList<Rate>> GetAsync(RateKind kind, TimeRange range, CancellationToken cancellationToken)
    {
        var rates = new List<Rate>();
        for (var t = range.FromUtc; t < range.ToUtc; t = t.AddMinutes(30))
        {
            rates.Add(new Rate(t, t.AddMinutes(30), Pence(kind, t)));
        }

        return Task.FromResult<IReadOnlyList<Rate>>(rates);
    }

    public Task<int> SaveAsync(RateKind kind, IReadOnlyList<Rate> rates, DateTimeOffset fetchedUtc, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<TelemetrySample>> GetAsync(DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        Task.FromResult(Telemetry(fromUtc, toUtc));

    public Task AppendAsync(IReadOnlyList<TelemetrySample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SaveForecastAsync(PvForecast forecast, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SaveActualsAsync(string siteId, IReadOnlyList<PvActualPoint> actuals, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PvForecast?> GetLatestForecastAsync(string siteId, CancellationToken cancellationToken) => Task.FromResult<PvForecast?>(null);

    public Task<IReadOnlyList<PvForecastPoint>> GetPastForecastAsync(string siteId, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PvForecastPoint>>([]);

    public Task<long> RecordAsync(DateTimeOffset createdUtc, PlanningTrigger trigger, PlanProblem problem, Plan plan, CancellationToken cancellationToken) => Task.FromResult(1L);

    public Task<PlanRecord?> GetLatestAsync(CancellationToken cancellationToken) => Task.FromResult<PlanRecord?>(null);

    public Task<PlanRecord?> GetAsync(long id, CancellationToken cancellationToken) => Task.FromResult<PlanRecord?>(null);
}
