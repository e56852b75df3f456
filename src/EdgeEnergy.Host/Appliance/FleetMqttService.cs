using EdgeEnergy.Adapters.Mqtt;
using EdgeEnergy.Adapters.Mqtt.Fleet;
using EdgeEnergy.Control;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Web;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Appliance;

/// <summary>
/// Runs this home's <see cref="FleetMqttLink"/> when <c>Fleet:Mqtt:Host</c> is set (issue 21 §1, docs/fleet.md): site
/// <c>Site:Id</c>, topics under <c>Mqtt:BaseTopic</c>, commands refused when <c>Fleet:AcceptCommands</c> is false. The
/// link's state is the <c>fleet-mqtt</c> component in <c>/healthz</c> (degraded with the reason while the fleet broker is
/// unreachable). It runs beside the control loop and never holds it up.
/// </summary>
/// <remarks>What the link needs is resolved only when a fleet broker is configured, so hosts without one (tests of the
/// Home Assistant side) need not register it.</remarks>
internal sealed partial class FleetMqttService(
    IOptions<FleetOptions> fleet, IOptions<SiteOptions> site, IOptions<MqttOptions> mqtt, IServiceProvider services,
    TimeProvider time, ILogger<FleetMqttService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = fleet.Value.Mqtt;
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            return;
        }

        var siteId = SiteIdentity.Of(site.Value);
        if (!FleetTopics.IsValidSiteId(siteId))
        {
            Report($"Site:Id '{siteId}' cannot name a home in fleet topics (1-64 of A-Z a-z 0-9 . _ -): set Site:Id");
            return;
        }

        await using var link = new FleetMqttLink(
            options, new FleetIdentity(siteId, mqtt.Value.BaseTopic, fleet.Value.AcceptCommands), services.GetRequiredService<IApplianceStatus>(),
            services.GetRequiredService<IApplianceCommands>(), services.GetRequiredService<OverrideLimits>(), services.GetService<IAuditLog>(), time,
            services.GetRequiredService<ILogger<FleetMqttLink>>(), Report);
        LogFleetStarting(logger, options.Host, options.Port, siteId, fleet.Value.AcceptCommands);
        await link.RunAsync(stoppingToken);
    }

    private void Report(string? problem)
    {
        var now = time.GetUtcNow();
        var health = problem is null
            ? new ComponentHealth(FleetMqttLink.Component, HealthState.Healthy, $"connected to the fleet broker {fleet.Value.Mqtt.Host}", now)
            : new ComponentHealth(FleetMqttLink.Component, HealthState.Degraded, problem, now);
        services.GetRequiredService<IApplianceStatusPublisher>().Update(s => s.WithComponent(health));
    }

    [LoggerMessage(6091, LogLevel.Information, "Fleet broker {Host}:{Port}: publishing as site {SiteId}; fleet commands accepted: {AcceptCommands}")]
    private static partial void LogFleetStarting(ILogger logger, string host, int port, string siteId, bool acceptCommands);
}
