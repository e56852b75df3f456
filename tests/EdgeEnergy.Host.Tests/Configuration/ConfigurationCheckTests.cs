using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using EdgeEnergy.Host.Configuration;
using EdgeEnergy.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Tests.Configuration;

/// <summary>
/// Issue 22: every bad configuration value is one line that names its key, exit 2, no stack trace. In process for
/// every bound key (the check <c>run</c>, <c>demo</c> and <c>config check</c> call), through the real executable for
/// the cases users met.
/// </summary>
public class ConfigurationCheckTests
{
    /// <summary>What a working <c>run</c> needs: an inverter endpoint; everything else has a default.</summary>
    private static readonly Dictionary<string, string?> s_valid = new()
    {
        ["Inverter:Endpoint"] = "tcp://127.0.0.1:1502",
    };

    private static ConfigurationReport Check(params (string Key, string? Value)[] set)
    {
        var values = new Dictionary<string, string?>(s_valid);
        foreach (var (key, value) in set)
        {
            values[key] = value;
        }

        return ConfigurationCheck.Run(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), replayPrices: false);
    }

    /// <summary>Every scalar key of every section the service binds (list items as item 0), with its type and property.</summary>
    public static IEnumerable<(string Key, Type Type, PropertyInfo Property)> Keys()
    {
        foreach (var (section, type) in ConfigurationCheck.Sections)
        {
            foreach (var key in Keys(section, type, depth: 0))
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<(string Key, Type Type, PropertyInfo Property)> Keys(string path, Type type, int depth)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (t == typeof(string) || t.IsPrimitive || t.IsEnum || t == typeof(TimeSpan))
            {
                yield return ($"{path}:{p.Name}", t, p);
            }
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && depth == 0 && !t.GetGenericArguments()[0].IsPrimitive && t.GetGenericArguments()[0] != typeof(string))
            {
                foreach (var item in Keys($"{path}:{p.Name}:0", t.GetGenericArguments()[0], depth + 1))
                {
                    yield return item;
                }
            }
            else if (t.IsClass && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && depth < 2)
            {
                // A nested section, e.g. HomeAssistant:Entities.
                foreach (var item in Keys($"{path}:{p.Name}", t, depth + 1))
                {
                    yield return item;
                }
            }
        }
    }

    public static TheoryData<string> TypedKeys() => [.. Keys().Where(k => k.Type != typeof(string)).Select(k => k.Key)];

    public static TheoryData<string> RangedKeys() => [.. Keys().Where(k => k.Property.GetCustomAttribute<RangeAttribute>() is not null).Select(k => k.Key)];

    /// <summary>
    /// The keys of docs/configuration.md's reference table (the single list): every backticked key of a row's first
    /// cell, "…:X" read as the first key's section path + X, a list's item N as item 0.
    /// </summary>
    private static HashSet<string> ReferenceKeys()
    {
        var page = File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "docs", "configuration.md"));
        var table = page[page.IndexOf("## Reference table", StringComparison.Ordinal)..];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line.Split('|')[1];
            var items = System.Text.RegularExpressions.Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
            var first = items[0];
            foreach (var item in items)
            {
                var key = item.StartsWith("…:", StringComparison.Ordinal) ? $"{first[..first.LastIndexOf(':')]}:{item[2..]}" : item;
                keys.Add(key.Replace(":N:", ":0:", StringComparison.Ordinal));
            }
        }

        return keys;
    }

    /// <summary>Lists of strings (one row each), in a section or a nested section (Fleet:Mqtt:FailoverBrokers).</summary>
    private static IEnumerable<string> StringLists(string path, Type type, int depth)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var t = p.PropertyType;
            if (t.IsGenericType && t.GetGenericArguments()[0] == typeof(string)
                && t.GetGenericTypeDefinition() is var g && (g == typeof(IList<>) || g == typeof(List<>) || g == typeof(ICollection<>)))
            {
                yield return $"{path}:{p.Name}";
            }
            else if (t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && p.CanWrite && depth < 1)
            {
                foreach (var nested in StringLists($"{path}:{p.Name}", t, depth + 1))
                {
                    yield return nested;
                }
            }
        }
    }

    [Fact]
    public void Every_bound_key_is_in_the_reference_table_and_every_row_of_our_sections_is_a_bound_key()
    {
        var reference = ReferenceKeys();
        // Lists of values (Solcast:Sites) are one row; lists of objects (Site:Immersions) a row per item key.
        var bound = Keys().Select(k => k.Key).Concat(ConfigurationCheck.Sections.SelectMany(s => StringLists(s.Key, s.Value, depth: 0))).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(bound.Where(k => !reference.Contains(k)).Order());
        Assert.Empty(reference.Where(k => ConfigurationCheck.Sections.ContainsKey(k.Split(':')[0]) && !bound.Contains(k)).Order());
    }

    [Fact]
    public void The_valid_base_configuration_passes_without_warnings()
    {
        var report = Check();

        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        Assert.True(TypedKeys().Count > 60, $"only {TypedKeys().Count} typed keys found: the walk over the options classes is broken");
    }

    [Theory]
    [MemberData(nameof(TypedKeys))]
    public void A_value_of_the_wrong_type_is_one_line_naming_the_key(string key)
    {
        var report = Check((key, "not-a-value"));

        var line = Assert.Single(report.Errors);
        Assert.StartsWith($"{key}: ", line, StringComparison.Ordinal);
        Assert.Contains("'not-a-value'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TypedKeys))]
    public void An_empty_value_is_refused_or_means_unset_never_a_crash(string key)
    {
        var property = Keys().Single(k => k.Key == key).Property;
        var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null;

        var report = Check((key, ""));

        if (nullable)
        {
            Assert.DoesNotContain(report.Errors, e => e.StartsWith($"{key}: empty", StringComparison.Ordinal));
        }
        else
        {
            var line = Assert.Single(report.Errors);
            Assert.StartsWith($"{key}: empty", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RangedKeys))]
    public void A_value_outside_its_range_is_one_line_naming_the_key(string key)
    {
        var range = Keys().Single(k => k.Key == key).Property.GetCustomAttribute<RangeAttribute>()!;
        var above = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture) + 1;
        var type = Keys().Single(k => k.Key == key).Type;
        var text = type == typeof(double) ? above.ToString(CultureInfo.InvariantCulture) : ((long)above).ToString(CultureInfo.InvariantCulture);

        var report = Check((key, text));

        Assert.Contains(report.Errors, e => e.StartsWith($"{key}: ", StringComparison.Ordinal) || e.StartsWith($"{key} ", StringComparison.Ordinal));
        Assert.All(report.Errors, e => Assert.DoesNotContain("   at ", e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_list_item_is_named_by_its_own_key_when_an_earlier_item_is_missing_or_dropped()
    {
        // Item 0 holds only an unconvertible value, so the binder makes one item, from key 1: the range error is
        // item 1's, with the value given.
        var report = Check(("Site:Immersions:0:PowerKw", "lots"), ("Site:Immersions:1:DailyMaxKwh", "500"));

        Assert.Contains(report.Errors, e => e.StartsWith("Site:Immersions:0:PowerKw: 'lots' is not a number", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.StartsWith("Site:Immersions:1:DailyMaxKwh: ", StringComparison.Ordinal) && e.EndsWith("(got '500')", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Errors, e => e.StartsWith("Site:Immersions:0:DailyMaxKwh", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("off", true)]
    [InlineData("sometimes", false)]
    public void The_scheduled_load_setting_is_auto_or_off(string value, bool valid)
    {
        var report = Check(("Control:ScheduledLoad", value));

        if (valid)
        {
            Assert.Empty(report.Errors);
        }
        else
        {
            Assert.Contains(report.Errors, e => e.Contains("Control:ScheduledLoad must be 'auto' or 'off'", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_mistyped_key_is_a_warning_naming_the_closest_known_key()
    {
        var report = Check(("Site:BaterryCapacityKwh", "5"));

        Assert.Empty(report.Errors);
        Assert.Equal("Site:BaterryCapacityKwh: unknown key, ignored (did you mean Site:BatteryCapacityKwh?)", Assert.Single(report.Warnings));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_not_only_the_first()
    {
        var report = Check(("Mqtt:Port", "abc"), ("Octopus:Region", "Z"), ("Site:Immersions:0:PowerKw", "lots"), ("Control:Mode", "sometimes"));

        Assert.Contains(report.Errors, e => e.StartsWith("Mqtt:Port: 'abc' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.StartsWith("Octopus:Region", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.StartsWith("Site:Immersions:0:PowerKw: 'lots' is not a number", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.StartsWith("Control:Mode", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_is_never_echoed()
    {
        const string token = "s3cr3t-token-value";
        var report = Check(("Http:Urls", "http://0.0.0.0:8080"), ("Http:Token", token), ("Mqtt:Password", token), ("Mqtt:Port", "abc"));

        Assert.All(report.Errors.Concat(report.Warnings), e => Assert.DoesNotContain(token, e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_secret_is_masked_where_it_stands_alone_not_inside_other_words()
    {
        var report = Check(("Mqtt:Username", "u"), ("Mqtt:Password", "p"), ("Solcast:Sites:0", "abc"));

        Assert.Contains(report.Errors, e => e.StartsWith("Solcast:ApiKey is required when Solcast:Sites is set", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sections_checked_are_every_options_class_the_service_binds()
    {
        var services = new ServiceCollection();
        EdgeEnergy.Host.Appliance.ApplianceHost.AddAppliance(services, new ConfigurationBuilder().AddInMemoryCollection(s_valid).Build(), replayPrices: false);

        var bound = services.Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0]).ToHashSet();

        Assert.Subset(ConfigurationCheck.Sections.Values.ToHashSet(), bound);
    }

    [Theory]
    [InlineData("run", "EDGEENERGY__OCTOPUS__REGION", "Z", "edgeenergy: configuration: Octopus:Region 'Z' must be one GSP region letter")]
    [InlineData("run", "EDGEENERGY__MQTT__PORT", "abc", "edgeenergy: configuration: Mqtt:Port: 'abc' is not a whole number")]
    [InlineData("run", "EDGEENERGY__HTTP__URLS", "http://0.0.0.0:8080", "edgeenergy: configuration: Http:Token is required")]
    [InlineData("demo", "EDGEENERGY__MQTT__PORT", "abc", "edgeenergy: configuration: Mqtt:Port: 'abc' is not a whole number")]
    [InlineData("demo", "--urls", "http://0.0.0.0:8080", "edgeenergy: configuration: Http:Token is required")]
    [InlineData("config", "EDGEENERGY__SITE__RESERVESOCPERCENT", "150", "edgeenergy: configuration: Site:ReserveSocPercent: ")]
    public async Task The_executable_exits_2_with_one_line_per_problem_and_no_stack_trace(string command, string variable, string value, string expected)
    {
        var data = Directory.CreateTempSubdirectory("edgeenergy-config-");
        try
        {
            // A setting comes as an environment variable, or (the demo's --urls) as an option.
            var environment = new Dictionary<string, string>
            {
                ["EDGEENERGY__INVERTER__ENDPOINT"] = "tcp://127.0.0.1:1502",
                ["EDGEENERGY__STORAGE__PATH"] = Path.Combine(data.FullName, "edgeenergy.db"),
            };
            string[] option = variable.StartsWith("--", StringComparison.Ordinal) ? [variable, value] : [];
            if (option.Length == 0)
            {
                environment[variable] = value;
            }

            string[] args = command switch
            {
                "demo" => ["demo", "--data", data.FullName, "--mqtt-port", EdgeEnergy.Testing.Net.FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture), .. option],
                "config" => ["config", "check"],
                _ => [command],
            };

            var r = await CliRunner.RunAsync(args, environment: environment, timeout: TimeSpan.FromSeconds(60));

            Assert.Equal(2, r.ExitCode);
            var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith(expected, line, StringComparison.Ordinal);
            Assert.Empty(r.Stdout.Trim());
            // Nothing was opened or written before the check refused the start.
            Assert.False(File.Exists(Path.Combine(data.FullName, "edgeenergy.db")));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>The keys the demo sets itself (its own settings win over the environment), so a bad value there is not the user's.</summary>
    private static readonly HashSet<string> s_demoSets = new(StringComparer.Ordinal)
    {
        "Inverter:Endpoint", "Inverter:Family", "Inverter:Unit", "Inverter:SettleAfterConnectMilliseconds", "Storage:Path", "Http:Urls",
        "Mqtt:EmbeddedBroker", "Mqtt:EmbeddedBrokerPort", "Site:BatteryCapacityKwh", "Site:BatteryMaxChargeKw", "Site:BatteryMaxDischargeKw",
    };

    /// <summary>
    /// Every key at once through the real executable: one run per command and kind of bad value, each key set wrong by
    /// its environment variable. All problems are reported in one go, so each key must have its own line.
    /// </summary>
    [Theory]
    [InlineData("run", "wrong type")]
    [InlineData("run", "empty")]
    [InlineData("run", "out of range")]
    [InlineData("demo", "wrong type")]
    [InlineData("demo", "empty")]
    [InlineData("demo", "out of range")]
    public async Task Every_key_set_wrong_at_once_gets_its_own_line_from_the_executable(string command, string kind)
    {
        var keys = Keys().Where(k => k.Type != typeof(string) && (command != "demo" || !s_demoSets.Contains(k.Key))).ToList();
        var wrong = kind switch
        {
            "wrong type" => keys.ToDictionary(k => k.Key, _ => "not-a-value"),
            "empty" => keys.Where(k => Nullable.GetUnderlyingType(k.Property.PropertyType) is null).ToDictionary(k => k.Key, _ => ""),
            _ => keys.Where(k => k.Property.GetCustomAttribute<RangeAttribute>() is not null).ToDictionary(k => k.Key, k =>
            {
                var above = Convert.ToDouble(k.Property.GetCustomAttribute<RangeAttribute>()!.Maximum, CultureInfo.InvariantCulture) + 1;
                return k.Type == typeof(double) ? above.ToString(CultureInfo.InvariantCulture) : ((long)above).ToString(CultureInfo.InvariantCulture);
            }),
        };
        var data = Directory.CreateTempSubdirectory("edgeenergy-config-");
        try
        {
            var environment = wrong.ToDictionary(kv => "EDGEENERGY__" + kv.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), kv => kv.Value);
            environment.TryAdd("EDGEENERGY__INVERTER__ENDPOINT", "tcp://127.0.0.1:1502");
            environment.TryAdd("EDGEENERGY__STORAGE__PATH", Path.Combine(data.FullName, "edgeenergy.db"));
            string[] args = command == "demo"
                ? ["demo", "--data", data.FullName, "--mqtt-port", EdgeEnergy.Testing.Net.FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)]
                : ["run"];

            var r = await CliRunner.RunAsync(args, environment: environment, timeout: TimeSpan.FromSeconds(60));

            Assert.Equal(2, r.ExitCode);
            var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.StartsWith("edgeenergy: configuration", l, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            var missing = wrong.Keys.Where(key => lines.Count(l => l.StartsWith($"edgeenergy: configuration: {key}:", StringComparison.Ordinal)
                || l.StartsWith($"edgeenergy: configuration: {key} ", StringComparison.Ordinal)) != 1).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {wrong.Count} keys without exactly one line: {string.Join(", ", missing)}\n{r.Stderr}");
            Assert.False(File.Exists(Path.Combine(data.FullName, "edgeenergy.db")));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Config_check_prints_the_effective_configuration_with_sources_and_masks_secrets()
    {
        var r = await CliRunner.RunAsync(["config", "check"], environment: new Dictionary<string, string>
        {
            ["EDGEENERGY__INVERTER__ENDPOINT"] = "tcp://127.0.0.1:1502",
            ["EDGEENERGY__SITE__BATTERYCAPACITYKWH"] = "13.5",
            ["EDGEENERGY__MQTT__USERNAME"] = "edgeenergy",
            ["EDGEENERGY__MQTT__PASSWORD"] = "hunter2-secret",
        });

        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)!;
        Assert.Equal(13.5, json["Site:BatteryCapacityKwh"]!["value"]!.GetValue<double>());
        Assert.Equal("environment (EDGEENERGY__SITE__BATTERYCAPACITYKWH)", json["Site:BatteryCapacityKwh"]!["source"]!.GetValue<string>());
        Assert.Equal("default", json["Site:ReserveSocPercent"]!["source"]!.GetValue<string>());
        Assert.Equal("(set)", json["Mqtt:Password"]!["value"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2-secret", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }
}
