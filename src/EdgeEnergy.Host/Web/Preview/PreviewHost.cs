using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Diagnostics;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Host.Composition;

namespace EdgeEnergy.Host.Web.Preview;

/// <summary>
/// A web host serving the API, /metrics and the dashboard over a <see cref="PreviewScenario"/>: the
/// <c>web-preview</c> command and the web tests use it. The lead's <c>run</c>/<c>demo</c> host uses the same
/// <see cref="WebRegistration"/> calls with the real control loop as publisher.
/// </summary>
public static class PreviewHost
{
    public static WebApplication Build(IDictionary<string, string?> configuration, PreviewMode mode, TimeProvider? timeProvider = null, IScheduleOptimiser? optimiser = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.Services.AddSingleton(new PreviewScenario(optimiser ?? new Optimiser.OrToolsScheduleOptimiser(), mode));
        builder.Services.AddSingleton<PreviewRefresher>();
        builder.Services.AddSingleton<IPriceRefreshTrigger>(sp => sp.GetRequiredService<PreviewRefresher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PreviewRefresher>());
        builder.Services.AddEdgeEnergyWeb(builder.Configuration);
        var app = builder.Build();
        app.MapEdgeEnergyWeb();
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (port 0 resolved), once started.</summary>
    public static IReadOnlyList<string> BoundAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var server = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        return server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }
}

/// <summary>
/// Keeps the preview alive: builds the snapshot at start, re-solves at every slot boundary, freshens the inverter
/// reading every few seconds, and answers the price-refresh trigger by re-solving from the bundled prices.
/// </summary>
internal sealed class PreviewRefresher(PreviewScenario scenario, IApplianceStatus status, IApplianceStatusPublisher publisher, EdgeEnergyMetrics metrics, TimeProvider timeProvider)
    : BackgroundService, IPriceRefreshTrigger
{
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(5);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Publish();
        return base.StartAsync(cancellationToken);
    }

    public Task<PriceRefreshResult> RefreshAsync(CancellationToken cancellationToken)
    {
        var plan = Publish();
        return Task.FromResult(new PriceRefreshResult(true, plan.Slots.Count, "preview: re-solved from the bundled Agile prices (no network fetch)"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Wake at the slot boundary too, so the next slot's recommendation is out before the last one expires.
            var wait = s_tick;
            if (status.Current.Plan is { } active)
            {
                var slotEnd = active.Problem.Start.AddMinutes(active.Problem.SlotMinutes * (Math.Max(0, active.SlotAt(timeProvider.GetUtcNow())) + 1));
                var untilBoundary = slotEnd - timeProvider.GetUtcNow();
                if (untilBoundary > TimeSpan.Zero && untilBoundary < wait)
                {
                    wait = untilBoundary;
                }
            }

            try
            {
                await Task.Delay(wait, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = timeProvider.GetUtcNow();
            var current = status.Current;
            if (current.Plan is { } plan && plan.SlotAt(now) != 0)
            {
                Publish();
                continue;
            }

            publisher.Update(s => s with
            {
                Telemetry = s.Telemetry is { } t ? t with { MeasuredAtUtc = now, SocMeasuredAtUtc = now } : null,
                Sources = s.Sources.Select(f => f.Source == ControlStatusPublisher.Inverter ? f with { LastSuccessUtc = now, LastAttemptUtc = now } : f).ToArray(),
            });
        }
    }

    private Plan Publish()
    {
        var snapshot = scenario.Build(timeProvider.GetUtcNow(), out var plan);
        metrics.RecordPlanSolved(TimeSpan.FromMilliseconds(plan.SolveMilliseconds), plan.Status);
        publisher.Update(_ => snapshot);
        return plan;
    }
}
