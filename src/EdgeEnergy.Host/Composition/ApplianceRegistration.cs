using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Forecasting.LoadModel;
using EdgeEnergy.Control.Planning;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Control.UserOverrides;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Forecasts;
using EdgeEnergy.Domain.History;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Domain.Planning;
using EdgeEnergy.Domain.Prices;
using EdgeEnergy.Domain.Status;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Forecasting.Ml;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Optimiser;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using EdgeEnergy.Host.Configuration;

namespace EdgeEnergy.Host.Composition;

/// <summary>The appliance's core: site and control options, the optimiser, planning, overrides and the control loop.</summary>
public static class ApplianceRegistration
{
    public static IServiceCollection AddEdgeEnergyCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<SiteOptions>().Bind(configuration.GetSection(SiteOptions.SectionName)).ValidateAnnotations<SiteOptions, SiteOptionsAnnotations>()
            .Validate(s => s.BatteryMinSocPercent < s.BatteryMaxSocPercent, "Site:BatteryMinSocPercent must be below Site:BatteryMaxSocPercent")
            .Validate(s => s.Immersions.All(i => i.DailyMinKwh <= i.DailyMaxKwh), "Site:Immersions: DailyMinKwh must not exceed DailyMaxKwh");
        services.AddOptionsWithValidateOnStart<ControlOptions>().Bind(configuration.GetSection(ControlOptions.SectionName)).ValidateAnnotations<ControlOptions, ControlOptionsAnnotations>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ControlOptions>, ControlOptionsValidator>());
        services.TryAddControlMode();
        services.TryAddSingleton<IScheduleOptimiser>(new OrToolsScheduleOptimiser());

        // Overrides: the hard limits, from the site unless an Overrides:* key sets one (checked against the site at start).
        services.AddHardLimits(configuration);
        // The override store is the SQLite one (AddHistory): the override in force and its history survive a restart.
        services.TryAddSingleton(sp => new OverrideService(
            sp.GetRequiredService<IOverrideStore>(), sp.GetRequiredService<OverrideLimits>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OverrideService>>()));
        services.TryAddSingleton<UserSettings>();
        // The person's choices for the car (Home Assistant) are user settings: persisted and restored with them.
        services.TryAddSingleton<Domain.Ev.IEvChoices>(sp => sp.GetRequiredService<UserSettings>());
        services.TryAddSingleton<IApplianceCommands>(sp => new ApplianceCommands(
            sp.GetRequiredService<OverrideService>(), sp.GetRequiredService<UserSettings>(), sp.GetRequiredService<IApplianceStatusPublisher>(),
            sp.GetRequiredService<IOptions<SiteOptions>>(), sp.GetService<IReplanRequester>(), sp.GetService<ImmersionSwitcher>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ControlModeService>()));

        services.TryAddSingleton(sp =>
        {
            var octopus = sp.GetService<IOptions<OctopusOptions>>()?.Value;
            return new PlanningSources(
                sp.GetRequiredService<IRateStore>(),
                sp.GetRequiredService<IPvForecastStore>(),
                sp.GetService<IOptions<SolcastOptions>>()?.Value.Sites.ToArray() ?? [],
                sp.GetRequiredService<ITelemetryStore>(),
                !string.IsNullOrWhiteSpace(octopus?.ExportProduct))
            {
                // The same rule the price updater fetches by (OctopusOptions.Knowledge); Agile's without Octopus options.
                ImportTariff = octopus?.Knowledge(RateKind.Import) ?? TariffKnowledge.Agile,
                ExportTariff = octopus?.Knowledge(RateKind.Export) ?? TariffKnowledge.Agile,
                Dispatches = sp.GetService<IPlannedDispatches>(),
            };
        });
        // The learned load model: trained by the LoadModelJob (FastTree, one thread), read by planning.
        services.TryAddSingleton<ILoadModelTrainer>(new FastTreeLoadModelTrainer());
        services.TryAddSingleton<LoadModelTraining>();
        services.TryAddSingleton<PlanInForce>();
        // One record of the heat the relays delivered: the switcher adds to it, the planning cycle reads it.
        services.TryAddSingleton(sp => new ImmersionDelivery(
            [.. sp.GetRequiredService<IOptions<SiteOptions>>().Value.Immersions.Select(i => i.Heater())],
            sp.GetService<IImmersionDeliveryStore>(), sp.GetRequiredService<ILogger<ImmersionDelivery>>()));
        // Saving Sessions (issue 18 §4): no account, no sessions; the Octopus account's GraphQL source replaces this.
        services.TryAddSingleton<Domain.SavingSessions.ISavingSessionSource, Domain.SavingSessions.NoSavingSessions>();
        services.TryAddSingleton(sp => new SavingSessionPlanner(
            sp.GetRequiredService<Domain.SavingSessions.ISavingSessionSource>(),
            sp.GetService<IOptions<OctopusOptions>>()?.Value.SavingSessions ?? new Domain.SavingSessions.SavingSessionOptions(),
            sp.GetRequiredService<ITelemetryStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SavingSessionPlanner>>()));
        services.TryAddSingleton<IPlanningCycle, PlanningCycle>();

        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<UserSettings>();
            var homeAssistant = sp.GetService<IOptions<HomeAssistantOptions>>()?.Value is { BatteryPathConfigured: true } && sp.GetService<HomeAssistantBattery>() is { } ha
                ? new BatteryPath("home-assistant", ha, ha)
                : null;
            return new ControlLoop(
                new ControlLoopParts
                {
                    Primary = new BatteryPath("fox-modbus", sp.GetRequiredService<IInverterTelemetrySource>(), sp.GetRequiredService<IBatteryModeController>()),
                    HomeAssistant = homeAssistant,
                    NativeSchedule = sp.GetService<INativeScheduleWriter>(),
                    Rates = sp.GetRequiredService<IRateStore>(),
                    TelemetryStore = sp.GetRequiredService<ITelemetryStore>(),
                    Audit = sp.GetRequiredService<IAuditLog>(),
                    Plan = sp.GetRequiredService<PlanInForce>(),
                    Status = sp.GetRequiredService<IApplianceStatusPublisher>(),
                    Overrides = sp.GetRequiredService<OverrideService>(),
                    Replan = sp.GetService<IReplanRequester>(),
                    ClockSteps = sp.GetService<IClockStepListener>(),
                    Site = sp.GetRequiredService<IOptions<SiteOptions>>().Value,
                    Options = sp.GetRequiredService<IOptions<ControlOptions>>().Value,
                    ReserveSocPercent = () => settings.ReserveSocPercent,
                    Immersions = sp.GetService<ImmersionSwitcher>(),
                    Gate = sp.GetRequiredService<WriteGate>(),
                    Car = sp.GetService<Control.Ev.EvCharging>() is { Enabled: true } car ? car : null,
                },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ControlLoop>>());
        });
        // Before the control loop and MQTT: the mode (published and logged), and what the person set before a restart,
        // are in force from the first poll.
        services.AddHostedService(sp => sp.GetRequiredService<ControlModeService>());
        services.AddHostedService<AbScheduleService>();
        services.AddHostedService<UserStateLoader>();
        services.AddHostedService<ControlLoopService>();
        return services;
    }
}
