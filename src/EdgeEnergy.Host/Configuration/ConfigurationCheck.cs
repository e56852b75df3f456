using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using EdgeEnergy.Adapters.Http.HomeAssistant;
using EdgeEnergy.Adapters.Http.Octopus;
using EdgeEnergy.Adapters.Http.Solcast;
using EdgeEnergy.Adapters.Modbus.FoxEss;
using EdgeEnergy.Adapters.Mqtt;
using EdgeEnergy.Adapters.Sqlite;
using EdgeEnergy.Control;
using EdgeEnergy.Control.Supervision;
using EdgeEnergy.Domain.UserOverrides;
using EdgeEnergy.Host.Appliance;
using EdgeEnergy.Host.Composition;
using EdgeEnergy.Host.Scheduling;
using EdgeEnergy.Host.Web;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Configuration;

/// <summary>What the configuration check found: errors stop the start (exit 2); warnings (unknown keys) do not.</summary>
internal sealed record ConfigurationReport(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// The one start-up check of the configuration, run by <c>run</c>, <c>demo</c> and <c>config check</c> before anything
/// is opened or written: every options section is walked against its class (each value converted as the binder
/// would, list items such as <c>Site:Immersions:0:PowerKw</c> included; a key no class has is a warning naming the
/// closest known one), then bound and validated (data annotations per member, and every validator the service
/// registers, cross-key rules included). Every failure is collected, each one line naming its key. Secret values
/// are never echoed.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>
    /// Each section the service binds, and what its class takes, written per class: the configuration binder's source
    /// generator binds only calls whose type it can see, and <see cref="IOptions{TOptions}"/> of a type named at run
    /// time is reflection the Native AOT compiler cannot follow.
    /// </summary>
    private static readonly Dictionary<string, SectionOps> s_sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [SiteOptions.SectionName] = Ops(c => c.Get<SiteOptions>()),
        [ControlOptions.SectionName] = Ops(c => c.Get<ControlOptions>()),
        [HardLimitsRegistration.SectionName] = Ops(c => c.Get<OverrideLimits>()),
        [JobScheduleOptions.SectionName] = Ops(c => c.Get<JobScheduleOptions>()),
        [HttpOptions.SectionName] = Ops(c => c.Get<HttpOptions>()),
        [SolcastOptions.SectionName] = Ops(c => c.Get<SolcastOptions>()),
        [HomeAssistantOptions.SectionName] = Ops(c => c.Get<HomeAssistantOptions>()),
        [OctopusOptions.SectionName] = Ops(c => c.Get<OctopusOptions>()),
        [MqttOptions.SectionName] = Ops(c => c.Get<MqttOptions>()),
        [StorageOptions.SectionName] = Ops(c => c.Get<StorageOptions>()),
        [FoxEssOptions.SectionName] = Ops(c => c.Get<FoxEssOptions>()),
        [EdgeEnergy.Domain.Ev.EvOptions.SectionName] = Ops(c => c.Get<EdgeEnergy.Domain.Ev.EvOptions>()),
        [FleetOptions.SectionName] = Ops(c => c.Get<FleetOptions>()),
    };

    /// <summary>The options classes the service binds, by section (a test checks this against the registrations).</summary>
    public static IReadOnlyDictionary<string, Type> Sections { get; } =
        s_sections.ToDictionary(s => s.Key, s => s.Value.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys whose values are never printed: "set but invalid" instead.</summary>
    public static IReadOnlySet<string> SecretKeys { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Http:Token", "Mqtt:Password", "Fleet:Mqtt:Password", "Solcast:ApiKey", "Octopus:ApiKey", "HomeAssistant:Token",
    };

    public static ConfigurationReport Run(IConfiguration configuration, bool replayPrices)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var warnings = new List<string>();
        var unconvertible = new List<string>();
        foreach (var (section, type) in Sections)
        {
            Walk(configuration.GetSection(section), section, type, errors, warnings, unconvertible);
        }

        // The rest is checked on the configuration without the values that do not convert (as if unset), so that
        // every other problem is reported in the same run, each once.
        var bad = unconvertible.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var convertible = bad.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable().Where(kv => kv.Value is not null && !bad.Contains(kv.Key))).Build();
        var raw = new HashSet<string>(StringComparer.Ordinal);
        var annotated = Sections.Keys.SelectMany(section => Annotations(section, Bind(convertible, section), convertible, raw)).ToList();
        var validated = Validators(convertible, replayPrices, raw);
        // One line a key: a validator's own message says more than the generic annotation one.
        errors.AddRange(annotated.Where(a => !validated.Any(v => v.StartsWith(a[..a.IndexOf(": ", StringComparison.Ordinal)], StringComparison.Ordinal))));
        errors.AddRange(validated);
        return new ConfigurationReport([.. errors.Distinct(StringComparer.Ordinal).Select(e => Masked(e, configuration))], warnings);
    }

    /// <summary>
    /// What <see cref="IOptions{TOptions}.Value"/> of each section reports: every validator the service registers,
    /// less the annotation failures (<paramref name="annotations"/>, reported with their keys by <see cref="Annotations"/>).
    /// </summary>
    private static List<string> Validators(IConfiguration configuration, bool replayPrices, HashSet<string> annotations)
    {
        var errors = new List<string>();
        var services = new ServiceCollection();
        services.AddLogging();
        ApplianceHost.AddAppliance(services, configuration, replayPrices);
        using var provider = services.BuildServiceProvider();
        foreach (var section in s_sections.Values)
        {
            try
            {
                _ = section.Resolve(provider);
            }
            catch (OptionsValidationException v)
            {
                errors.AddRange(v.Failures.Where(f => !annotations.Contains(f)));
            }
            catch (InvalidOperationException i)
            {
                errors.Add(i.Message);
            }
        }

        return errors;
    }

    /// <summary>The options of <paramref name="section"/> bound as the service binds them (defaults where unset).</summary>
    public static object Bind(IConfiguration configuration, string section) => s_sections[section].Bind(configuration.GetSection(section));

    /// <summary>A section's class: bound as the service binds it, and resolved through the service's validators.</summary>
    private sealed record SectionOps(Type Type, Func<IConfiguration, object> Bind, Func<IServiceProvider, object> Resolve);

    private static SectionOps Ops<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(Func<IConfiguration, TOptions?> get)
        where TOptions : class, new() =>
        new(typeof(TOptions), c => get(c) ?? new TOptions(), p => p.GetRequiredService<IOptions<TOptions>>().Value);

    /// <summary>
    /// Walks <paramref name="node"/>'s children against <paramref name="type"/>'s properties; <paramref name="path"/> is
    /// the node's key as the reference spells it (the configuration keeps the spelling it was given).
    /// </summary>
    private static void Walk(IConfigurationSection node, string path, Type type, List<string> errors, List<string> warnings, List<string> unconvertible)
    {
        var properties = Settable(type);
        foreach (var child in node.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var closest = properties.MinBy(p => Distance(p.Name.ToLowerInvariant(), child.Key.ToLowerInvariant()));
                warnings.Add(closest is null
                    ? $"{path}:{child.Key}: unknown key, ignored"
                    : $"{path}:{child.Key}: unknown key, ignored (did you mean {path}:{closest.Name}?)");
                continue;
            }

            Check(child, $"{path}:{property.Name}", property.PropertyType, errors, warnings, unconvertible);
        }
    }

    private static void Check(IConfigurationSection node, string path, Type type, List<string> errors, List<string> warnings, List<string> unconvertible)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(target))
        {
            if (node.Value is null)
            {
                if (node.GetChildren().Any())
                {
                    errors.Add($"{path}: expected one value ({Describe(target)}), got a section");
                    unconvertible.AddRange(node.AsEnumerable().Select(kv => kv.Key));
                }

                return;
            }

            if (target != typeof(string) && !Converts(node.Value, target, Nullable.GetUnderlyingType(type) is not null))
            {
                errors.Add($"{path}: {(node.Value.Length == 0 ? "empty" : $"'{node.Value}' is not {Describe(target)}")} (expected {Describe(target)})");
                unconvertible.Add(node.Path);
            }

            return;
        }

        if (Element(target) is { } element)
        {
            foreach (var item in node.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{path}:{item.Key}: a list takes items 0, 1, 2…, not '{item.Key}'");
                    unconvertible.AddRange(item.AsEnumerable().Select(kv => kv.Key));
                    continue;
                }

                Check(item, $"{path}:{item.Key}", element, errors, warnings, unconvertible);
            }

            return;
        }

        if (node.Value is { Length: > 0 })
        {
            errors.Add($"{path}: expected a section of keys, got '{node.Value}'");
            unconvertible.Add(node.Path);
            return;
        }

        Walk(node, path, target, errors, warnings, unconvertible);
    }

    /// <summary>The annotation validators by class: each section's, and the list items' (Site:Immersions:N).</summary>
    private static readonly Dictionary<Type, Func<object, ValidateOptionsResult>> s_annotations = new()
    {
        [typeof(SiteOptions)] = o => new SiteOptionsAnnotations().Validate(Options.DefaultName, (SiteOptions)o),
        [typeof(ImmersionOptions)] = o => new ImmersionOptionsAnnotations().Validate(Options.DefaultName, (ImmersionOptions)o),
        [typeof(ControlOptions)] = o => new ControlOptionsAnnotations().Validate(Options.DefaultName, (ControlOptions)o),
        [typeof(FoxEssOptions)] = o => new FoxEssOptionsAnnotations().Validate(Options.DefaultName, (FoxEssOptions)o),
        [typeof(EdgeEnergy.Domain.Ev.EvOptions)] = o => new EvOptionsAnnotations().Validate(Options.DefaultName, (EdgeEnergy.Domain.Ev.EvOptions)o),
        [typeof(FleetOptions)] = o => new FleetOptionsAnnotations().Validate(Options.DefaultName, (FleetOptions)o),
    };

    /// <summary>
    /// The data annotations of <paramref name="value"/> (bound from <paramref name="path"/>) and of its list items, as
    /// "KEY: message (got 'value')", from the generated validators; each raw failure goes into <paramref name="raw"/>
    /// so <see cref="Validators"/> does not report it again.
    /// </summary>
    private static IEnumerable<string> Annotations(string path, object value, IConfiguration configuration, HashSet<string> raw)
    {
        if (s_annotations.TryGetValue(value.GetType(), out var validate) && validate(value) is { Failed: true, Failures: { } failures })
        {
            foreach (var failure in failures)
            {
                raw.Add(failure);
                var cut = failure.IndexOf(": ", StringComparison.Ordinal);
                var member = cut < 0 ? null : failure[..cut];
                var key = member is null ? path : $"{path}:{member}";
                var got = configuration[key] is { } text ? $" (got '{text}')" : string.Empty;
                // The generated validator names the member "SiteOptions.BatteryCapacityKwh"; the key already says where.
                var message = member is null ? failure : failure[(cut + 2)..].Replace($"{value.GetType().Name}.{member}", member, StringComparison.Ordinal);
                yield return $"{key}: {message}{got}";
            }
        }

        foreach (var property in Settable(value.GetType()))
        {
            if (property.GetValue(value) is IList list && Element(property.PropertyType) is { } element && !IsScalar(element))
            {
                // The binder makes one item per child key, in key order: the item's key is the child's, which is not
                // its position when a key is missing (Site:Immersions:1 set, 0 not, or 0 dropped as unconvertible).
                var keys = configuration.GetSection($"{path}:{property.Name}").GetChildren().Select(c => c.Key).ToList();
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is { } item)
                    {
                        var index = keys.Count == list.Count ? keys[i] : i.ToString(CultureInfo.InvariantCulture);
                        foreach (var line in Annotations($"{path}:{property.Name}:{index}", item, configuration, raw))
                        {
                            yield return line;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The message with every configured secret's value replaced (never echoed): quoted, and wherever it stands as a
    /// word of its own. Not inside other words, so that a short secret ("p") cannot mangle the rest of the message.
    /// </summary>
    private static string Masked(string message, IConfiguration configuration)
    {
        foreach (var key in SecretKeys)
        {
            if (configuration[key] is { Length: > 0 } secret)
            {
                message = message.Replace($"'{secret}'", "(set but invalid; not shown)", StringComparison.Ordinal);
                message = Regex.Replace(message, $@"(?<![\w]){Regex.Escape(secret)}(?![\w])", "***", RegexOptions.CultureInvariant);
            }
        }

        return message;
    }

    /// <summary>What the binder can set: public settable properties, and get-only mutable lists it adds to.</summary>
    /// <remarks>
    /// The types come from <see cref="Sections"/> and their properties' types. Every one of them is kept whole in the
    /// Native AOT binary by OptionsTypes.xml (a trimmer root descriptor; a test checks it lists them all), so their
    /// properties can be read here.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The options classes are rooted whole by OptionsTypes.xml.")]
    public static PropertyInfo[] Settable(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0
            && ((p.CanWrite && p.SetMethod!.IsPublic) || (p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() is var g
                && (g == typeof(IList<>) || g == typeof(List<>) || g == typeof(ICollection<>)))))];

    /// <summary>A type the binder converts from one value (a leaf key), not a section.</summary>
    public static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset)
        || t == typeof(DateTime) || t == typeof(TimeOnly) || t == typeof(DateOnly) || t == typeof(Uri) || t == typeof(Guid);

    /// <summary>The item type of a list or array the binder fills item by item (Site:Immersions:0, …); null for anything else.</summary>
    public static Type? Element(Type t)
    {
        if (t.IsArray)
        {
            return t.GetElementType();
        }

        return t.IsGenericType && t.GetGenericArguments().Length == 1 && typeof(IEnumerable).IsAssignableFrom(t) && t != typeof(string)
            ? t.GetGenericArguments()[0]
            : null;
    }

    private static bool Converts(string value, Type target, bool nullable)
    {
        if (value.Length == 0)
        {
            return nullable; // the binder makes "" null for a nullable, and fails on anything else
        }

        if (target.IsEnum)
        {
            return Enum.TryParse(target, value, ignoreCase: true, out var parsed) && Enum.IsDefined(target, parsed!);
        }

        // As the configuration binder's generated code parses them (invariant culture).
        var invariant = CultureInfo.InvariantCulture;
        return Type.GetTypeCode(target) switch
        {
            TypeCode.Boolean => bool.TryParse(value, out _),
            TypeCode.Char => value.Length == 1,
            TypeCode.SByte => sbyte.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Byte => byte.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int16 => short.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt16 => ushort.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int32 => int.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt32 => uint.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Int64 => long.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.UInt64 => ulong.TryParse(value, NumberStyles.Integer, invariant, out _),
            TypeCode.Single => float.TryParse(value, NumberStyles.Float, invariant, out _),
            TypeCode.Double => double.TryParse(value, NumberStyles.Float, invariant, out _),
            TypeCode.Decimal => decimal.TryParse(value, NumberStyles.Float, invariant, out _),
            TypeCode.DateTime => DateTime.TryParse(value, invariant, DateTimeStyles.None, out _),
            _ when target == typeof(TimeSpan) => TimeSpan.TryParse(value, invariant, out _),
            _ when target == typeof(TimeOnly) => TimeOnly.TryParse(value, invariant, out _),
            _ when target == typeof(DateOnly) => DateOnly.TryParse(value, invariant, out _),
            _ when target == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, invariant, DateTimeStyles.None, out _),
            _ when target == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
            _ when target == typeof(Guid) => Guid.TryParse(value, out _),
            _ => false,
        };
    }

    private static string Describe(Type t) => t switch
    {
        _ when t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) => "a whole number",
        _ when t == typeof(double) || t == typeof(float) || t == typeof(decimal) => "a number",
        _ when t == typeof(bool) => "true or false",
        _ when t == typeof(TimeSpan) => "a duration hh:mm:ss",
        _ when t == typeof(TimeOnly) => "a time HH:mm",
        _ when t.IsEnum => $"one of {string.Join(", ", Enum.GetNames(t))}",
        _ => $"a {t.Name}",
    };

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }
}
