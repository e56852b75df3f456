using EdgeEnergy.Backtest.Reporting;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Reporting;
using Microsoft.Extensions.Options;
using Quartz;

namespace EdgeEnergy.Host.Scheduling;

/// <summary>
/// Once a day after UK midnight (and once soon after start): the report core (<see cref="BillReportEngine"/>, as
/// <c>edgeenergy report</c> runs it) over the 7 UK days to yesterday, its figures into the status
/// (<see cref="ApplianceSnapshot.Bills"/>) and so into the Home Assistant sensors, each day's bills with its standing
/// charges (<see cref="IStandingChargeSource"/>). A few hundred solves on one thread.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DailyBillsJob(
    IServiceProvider services, IScheduleOptimiser optimiser, IApplianceStatusPublisher status, IOptions<SiteOptions> site, IOptions<ControlOptions> control,
    TimeProvider time, ILogger<DailyBillsJob> logger) : IJob
{
    public static readonly JobKey Key = new("daily-bills", "data");

    /// <summary>The /healthz component of the Octopus meters' billed consumption.</summary>
    public const string MetersComponent = "octopus-meters";

    /// <summary>The daily run: this long after UK midnight (the last minute of telemetry and the morning's first plans are in).</summary>
    public static readonly TimeSpan AfterMidnight = TimeSpan.FromMinutes(10);

    /// <summary>The run after a start: late enough not to compete with the first planning cycle.</summary>
    public static readonly TimeSpan AfterStart = TimeSpan.FromMinutes(5);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        JobRunner.RunAsync(logger, Key.Name, () => RunAsync(cancellationToken));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var yesterday = DateOnly.FromDateTime(UkTime.ToLocal(now).DateTime).AddDays(-1);
        var input = await BillReportReader.ReadAsync(services, yesterday.AddDays(1 - ReportedBillsSummary.WeekDays), yesterday, site.Value, control.Value, cancellationToken);
        ReportMeters(input.Billed, now);
        var report = new BillReportEngine(optimiser).Run(input, cancellationToken);
        var standing = await StandingAsync(input, cancellationToken);
        var bills = ReportedBillsSummary.Of(report.Days, now, standing);
        status.Update(s => s with { Bills = bills });
        logger.DailyBillsReported(yesterday, bills.YesterdayBills is not null, bills.WeekCompleteDays);
    }

    /// <summary>
    /// Each reported day's standing charges of the tariffs in force (import and export) from the price source, read
    /// once per run. A source that cannot be read leaves every day's charge unknown, with the reason (logged): those
    /// days get no bills, never bills without their standing charge.
    /// </summary>
    private async Task<IReadOnlyDictionary<DateOnly, DayStanding>> StandingAsync(BillReportInput input, CancellationToken cancellationToken)
    {
        var source = services.GetService<IStandingChargeSource>();
        var (start, end) = input.Span;
        StandingCharges? import = null, export = null;
        string? problem = null;
        if (source is null)
        {
            problem = "no standing-charge source is configured";
        }
        else
        {
            try
            {
                var range = new Domain.Prices.TimeRange(start, end);
                import = await source.FetchStandingChargesAsync(RateKind.Import, range, cancellationToken);
                export = await source.FetchStandingChargesAsync(RateKind.Export, range, cancellationToken);
            }
            catch (PriceSourceException e)
            {
                problem = e.Message;
            }
        }

        if (problem is not null)
        {
            logger.StandingChargesUnknown(problem);
        }

        return DayStanding.Of(import, export, problem, input.From, input.To, input.Zone);
    }

    /// <summary>The Octopus meters as a component of /healthz: a refused key or meter, or an outage, degrades it with the
    /// reason (the bills still go out, their billed figures incomplete); no component without meters configured.</summary>
    private void ReportMeters(BilledMeters? billed, DateTimeOffset now)
    {
        if (billed is null)
        {
            return;
        }

        var health = billed.Problem is { } problem
            ? new ComponentHealth(MetersComponent, HealthState.Degraded, billed.Refused ? $"refused by Octopus: {problem}" : problem, now)
            : new ComponentHealth(MetersComponent, HealthState.Healthy,
                $"billed consumption read: {billed.Import.Count} import{(billed.Export is { } export ? $" and {export.Count} export" : "")} half hours over the last {ReportedBillsSummary.WeekDays} days", now);
        if (billed.Problem is not null)
        {
            logger.MetersDegraded(health.Detail);
        }

        status.Update(s => s.WithComponent(health));
    }
}
