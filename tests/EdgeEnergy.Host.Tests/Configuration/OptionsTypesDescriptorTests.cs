using System.Reflection;
using System.Xml.Linq;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Testing;

namespace EdgeEnergy.Host.Tests.Configuration;

/// <summary>
/// The Native AOT binary keeps reflection metadata only for what it is told to: the configuration check walks the
/// options classes' properties, so every class reachable from <see cref="ConfigurationCheck.Sections"/> must be rooted
/// whole by src/EdgeEnergy.Host/Configuration/OptionsTypes.xml. A new options class or nested section missing from it
/// would make the AOT binary's check skip its keys (unknown-key warnings, no conversion errors) without a word.
/// </summary>
public class OptionsTypesDescriptorTests
{
    [Fact]
    public void Every_options_class_the_check_walks_is_rooted_whole()
    {
        var descriptor = XDocument.Load(Path.Combine(Fixture.RepositoryRoot(), "src", "EdgeEnergy.Host", "Configuration", "OptionsTypes.xml"));
        var rooted = descriptor.Root!.Elements("assembly")
            .SelectMany(a => a.Elements("type").Where(t => (string?)t.Attribute("preserve") == "all")
                .Select(t => $"{(string)t.Attribute("fullname")!}, {(string)a.Attribute("fullname")!}"))
            .ToHashSet(StringComparer.Ordinal);

        var walked = new HashSet<Type>();
        foreach (var type in ConfigurationCheck.Sections.Values)
        {
            Reach(type, walked);
        }

        var missing = walked.Select(t => $"{t.FullName}, {t.Assembly.GetName().Name}").Where(n => !rooted.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "not rooted in OptionsTypes.xml: " + string.Join("; ", missing));
        Assert.True(walked.Count >= ConfigurationCheck.Sections.Count);
    }

    /// <summary>The class and every class its settable properties (and list items) hold, as the check walks them.</summary>
    private static void Reach(Type type, HashSet<Type> walked)
    {
        if (ConfigurationCheck.IsScalar(type) || !walked.Add(type))
        {
            return;
        }

        foreach (var property in ConfigurationCheck.Settable(type))
        {
            var declared = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var t = ConfigurationCheck.Element(declared) ?? declared;
            if (!ConfigurationCheck.IsScalar(Nullable.GetUnderlyingType(t) ?? t))
            {
                Reach(t, walked);
            }
        }
    }
}
