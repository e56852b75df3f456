using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Host.Appliance;

namespace EdgeEnergy.Host.Reporting;

/// <summary>What the report core (<see cref="BillReportEngine"/>) needs, read from the store: for <c>edgeenergy report</c>
/// and the daily bills job alike.</summary>
internal static class BillReportReader
{
    /// <summary>Read beyond the last day: the end-of-day state, tomorrow's stored value of energy and prices.</summary>
    private static readonly TimeSpan s_after = TimeSpan.FromDays(2);

    /// <summary>The store's telemetry, billed rates and plans for the days, the mode in force, each day's recorded mode
    /// (<see cref="AbSchedule.DayKey"/>), the A/B schedule and the configured site.</summary>
    public static async Task<BillReportInput> ReadAsync(
        IServiceProvider provider, DateOnly from, DateOnly to, SiteOptions site, ControlOptions control, CancellationToken cancellationToken)
    {
        var settings = provider.GetRequiredService<ISettingsStore>();
        var mode = ControlModeService.Resolve(
            control.ParsedMode,
            await settings.GetAsync(ControlModeService.ModeKey, cancellationToken),
            await settings.GetAsync(ControlModeService.ModeConfigKey, cancellationToken)).Mode;
        var days = new Dictionary<DateOnly, string>();
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (await settings.GetAsync(AbSchedule.DayKey(date), cancellationToken) is { Length: > 0 } recorded)
            {
                days[date] = recorded;
            }
        }

        var shape = new BillReportInput
        {
            From = from, To = to, Mode = mode, DayModes = days, AbSchedule = control.ParseAbSchedule(), Battery = site.Battery(0), Grid = site.Grid,
            Telemetry = [], ImportRates = [], ExportRates = [], Plans = [],
            PlanMaxAge = TimeSpan.FromMinutes(control.PlanMaxAgeMinutes),
            MinimumDwell = TimeSpan.FromSeconds(control.MinimumDwellSeconds),
            PowerHysteresisW = control.PowerHysteresisW,
        };
        var (start, end) = shape.Span;
        var rates = provider.GetRequiredService<IRateStore>();
        var range = new TimeRange(start, end + s_after);
        return shape with
        {
            Telemetry = await provider.GetRequiredService<ITelemetryStore>().GetAsync(start, end + s_after, cancellationToken),
            ImportRates = await rates.GetAsync(RateKind.Import, range, cancellationToken),
            ExportRates = await rates.GetAsync(RateKind.Export, range, cancellationToken),
            // From a day early: the plan in force at the first midnight was made before it.
            Plans = await provider.GetRequiredService<IPlanHistory>().GetCreatedAsync(start.AddDays(-1), end + s_after, cancellationToken),
            Billed = await ReadBilledAsync(provider, new TimeRange(start, end), cancellationToken),
        };
    }

    /// <summary>
    /// The supplier's readings of the days when its meters are configured (null otherwise). A refused key or meter and an
    /// outage both come back as the reason (every day's billed figures incomplete with it): the report command turns a
    /// refusal into exit 2, the daily job into a degraded component.
    /// </summary>
    private static async Task<BilledMeters?> ReadBilledAsync(IServiceProvider provider, TimeRange range, CancellationToken cancellationToken)
    {
        var source = provider.GetService<IBilledConsumptionSource>();
        if (source is null || !source.Supports(MeterDirection.Import))
        {
            return null;
        }

        try
        {
            var import = await source.FetchAsync(MeterDirection.Import, range, cancellationToken);
            var export = source.Supports(MeterDirection.Export) ? await source.FetchAsync(MeterDirection.Export, range, cancellationToken) : null;
            return new BilledMeters(import.Slots, export?.Slots);
        }
        catch (MeterRefusedException e)
        {
            return BilledMeters.Failed(e.Message, refused: true);
        }
        catch (ConsumptionSourceException e)
        {
            return BilledMeters.Failed(e.Message, refused: false);
        }
    }
}
