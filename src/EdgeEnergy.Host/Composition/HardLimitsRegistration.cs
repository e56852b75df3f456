using System.Globalization;
using EdgeEnergy.Control;
using EdgeEnergy.Domain.UserOverrides;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Composition;

/// <summary>
/// The one source of the hard limits every command is checked against (<see cref="OverrideLimits"/>, section
/// <c>Overrides</c>): each limit starts from the site (a command can never ask for more than the battery may do), an
/// <c>Overrides:*</c> key replaces it, and the result is checked at start, against the site too. The override service,
/// the user settings, the MQTT bridge and the API all get this one instance.
/// </summary>
public static class HardLimitsRegistration
{
    /// <summary>Configuration section of the hard limits.</summary>
    public const string SectionName = "Overrides";

    public static IServiceCollection AddHardLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<OverrideLimits, OverrideLimitsValidator>()
            .Bind(configuration.GetSection(SectionName));
        services.AddSingleton<IOptionsFactory<OverrideLimits>, SiteOverrideLimitsFactory>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OverrideLimits>>().Value);
        return services;
    }

    /// <summary>The limits the site gives before any <c>Overrides:*</c> key is applied.</summary>
    public static OverrideLimits FromSite(SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return new OverrideLimits
        {
            MaxChargePowerW = site.BatteryMaxChargeKw * 1000,
            MaxDischargePowerW = Math.Min(site.BatteryMaxDischargeKw, site.GridMaxExportKw) * 1000,
            MinReserveSocPercent = Math.Max(site.BatteryMinSocPercent, 0),
        };
    }

    /// <summary>Starts the options from the site's limits instead of the type's defaults; binding and validation follow.</summary>
    private sealed class SiteOverrideLimitsFactory(
        IOptions<SiteOptions> site,
        IEnumerable<IConfigureOptions<OverrideLimits>> setups,
        IEnumerable<IPostConfigureOptions<OverrideLimits>> postConfigures,
        IEnumerable<IValidateOptions<OverrideLimits>> validations) : OptionsFactory<OverrideLimits>(setups, postConfigures, validations)
    {
        protected override OverrideLimits CreateInstance(string name) => FromSite(site.Value);
    }
}

/// <summary>Checks the <c>Overrides:*</c> hard limits, alone and against the site; messages name the keys.</summary>
public sealed class OverrideLimitsValidator(IOptions<SiteOptions> site) : IValidateOptions<OverrideLimits>
{
    public ValidateOptionsResult Validate(string? name, OverrideLimits options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().Select(p => $"{HardLimitsRegistration.SectionName}: {p}").ToList();
        var s = site.Value;
        var fromSite = HardLimitsRegistration.FromSite(s);
        var maxChargeW = fromSite.MaxChargePowerW;
        if (options.MaxChargePowerW > maxChargeW)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{HardLimitsRegistration.SectionName}:MaxChargePowerW {options.MaxChargePowerW} W is above the {maxChargeW} W of Site:BatteryMaxChargeKw"));
        }

        var maxDischargeW = fromSite.MaxDischargePowerW;
        if (options.MaxDischargePowerW > maxDischargeW)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{HardLimitsRegistration.SectionName}:MaxDischargePowerW {options.MaxDischargePowerW} W is above the {maxDischargeW} W of Site:BatteryMaxDischargeKw and Site:GridMaxExportKw"));
        }

        if (options.MinReserveSocPercent < s.BatteryMinSocPercent)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{HardLimitsRegistration.SectionName}:MinReserveSocPercent {options.MinReserveSocPercent} % is below Site:BatteryMinSocPercent ({s.BatteryMinSocPercent} %)"));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
