using System.Diagnostics.CodeAnalysis;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Host.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Configuration;

// The options classes' data annotations ([Range], [Required], [RegularExpression]), checked by code the options
// validation source generator writes: no reflection over the classes, so the Native AOT binary checks them too.
// Failures read "Member: message"; ConfigurationCheck prefixes the section's (or list item's) key.

// SYSLIB1213 asks for [ValidateEnumeratedItems] on Site:Immersions. Not here: the items are checked one by one by
// ConfigurationCheck (ImmersionOptionsAnnotations) so that each failure names its key, Site:Immersions:N:Member;
// through this validator they would be reported again under Site:Member.
#pragma warning disable SYSLIB1213
/// <summary>Site:* annotations (each immersion heater's by <see cref="ImmersionOptionsAnnotations"/>).</summary>
[OptionsValidator]
internal sealed partial class SiteOptionsAnnotations : IValidateOptions<SiteOptions>;
#pragma warning restore SYSLIB1213

/// <summary>Site:Immersions:N:* annotations, checked item by item by ConfigurationCheck.</summary>
[OptionsValidator]
internal sealed partial class ImmersionOptionsAnnotations : IValidateOptions<ImmersionOptions>;

/// <summary>Control:* annotations.</summary>
[OptionsValidator]
internal sealed partial class ControlOptionsAnnotations : IValidateOptions<ControlOptions>;

/// <summary>Ev:* annotations.</summary>
[OptionsValidator]
internal sealed partial class EvOptionsAnnotations : IValidateOptions<EvOptions>;

/// <summary>Fleet:* annotations.</summary>
[OptionsValidator]
internal sealed partial class FleetOptionsAnnotations : IValidateOptions<FleetOptions>;

/// <summary>FoxEss:* annotations.</summary>
[OptionsValidator]
internal sealed partial class FoxEssOptionsAnnotations : IValidateOptions<FoxEssOptions>;

/// <summary>Registers a section's annotation validator beside its other validators.</summary>
internal static class AnnotationValidation
{
    public static OptionsBuilder<TOptions> ValidateAnnotations<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this OptionsBuilder<TOptions> builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }
}
