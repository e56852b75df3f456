using EdgeEnergy.Domain.Status;
using Prometheus;

namespace EdgeEnergy.Host.Web;

/// <summary>The routes: the REST API (docs/web.md, issue 7), /healthz, /metrics and the dashboard.</summary>
internal static class WebEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/recommendation/now", (HttpContext context, RecommendationResponder responder) => responder.WriteAsync(context));

        app.MapGet("/api/v1/plan", (IApplianceStatus status, TimeProvider time) =>
            status.Current.Plan is { } plan
                ? WebJson.Result(PlanView.From(plan, time.GetUtcNow()))
                : WebJson.Error("No plan yet: prices or forecasts have not arrived, or the first solve has not finished.", StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/api/v1/status", (IApplianceStatus status, TimeProvider time) =>
            WebJson.Result(StatusView.From(status.Current, time.GetUtcNow())));

        app.MapGet("/api/v1/tariffs/compare", (IServiceProvider services, CancellationToken cancellationToken) => TariffCompareView.ResultAsync(services, cancellationToken));

        app.MapPost("/api/v1/prices/update", (PriceRefreshGate gate, CancellationToken cancellationToken) => gate.RefreshAsync(cancellationToken));

        app.MapGet("/healthz", (IApplianceStatus status, TimeProvider time) =>
        {
            var health = HealthView.From(status.Current, time.GetUtcNow());
            return WebJson.Result(health, health.Status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });

        var bridge = app.ServiceProvider.GetRequiredService<PrometheusMeterBridge>();
        app.MapMetrics(settings => settings.Registry = bridge.Registry, "/metrics");

        var assets = app.ServiceProvider.GetRequiredService<DashboardAssets>();
        app.MapGet("/", (HttpContext context) => assets.ServeAsync(context, "/index.html"));
        foreach (var path in assets.Paths)
        {
            app.MapGet(path, (HttpContext context) => assets.ServeAsync(context, path));
        }
    }
}
