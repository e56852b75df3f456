using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeEnergy.Host.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy config check [--config FILE]</c>: the start-up configuration check on its own; when it passes, the
/// effective configuration as JSON on stdout, every key with its value (secrets masked) and where it came from
/// (the file, an environment variable, or the default).
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var config = RunCommand.ConfigOption();
        var check = new Command("check", "Checks the configuration as run would (exit 2 with one line per problem) and prints the effective configuration with each value's source.");
        check.Options.Add(config);
        check.SetAction(async (parse, ct) =>
        {
            IConfigurationRoot root;
            try
            {
                root = EdgeEnergyConfiguration.Load(parse.GetValue(config));
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy: configuration: {e.Message}");
                return ExitCodes.BadInput;
            }

            if (!await ReportAsync(ConfigurationCheck.Run(root, replayPrices: false)))
            {
                return ExitCodes.BadInput;
            }

            await Console.Out.WriteLineAsync(Effective(root).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        });
        var command = new Command("config", "Configuration tools.");
        command.Subcommands.Add(check);
        return command;
    }

    /// <summary>Prints the warnings and errors, one line each; false when there are errors.</summary>
    public static async Task<bool> ReportAsync(ConfigurationReport report)
    {
        foreach (var warning in report.Warnings)
        {
            await Console.Error.WriteLineAsync($"edgeenergy: configuration warning: {warning}");
        }

        foreach (var error in report.Errors)
        {
            await Console.Error.WriteLineAsync($"edgeenergy: configuration: {error}");
        }

        return report.Errors.Count == 0;
    }

    /// <summary>Every leaf key of every section: { "Site:BatteryCapacityKwh": { "value": 9.5, "source": "default" }, … }.</summary>
    public static JsonObject Effective(IConfigurationRoot root)
    {
        var result = new JsonObject();
        foreach (var section in ConfigurationCheck.Sections.Keys.Order(StringComparer.Ordinal))
        {
            Leaves(section, ConfigurationCheck.Bind(root, section), root, result);
        }

        return result;
    }

    private static void Leaves(string path, object? value, IConfigurationRoot root, JsonObject into)
    {
        if (value is null || ConfigurationCheck.IsScalar(value.GetType()))
        {
            var secret = ConfigurationCheck.SecretKeys.Contains(path);
            into[path] = new JsonObject
            {
                ["value"] = secret ? (value is string { Length: > 0 } ? "(set)" : null) : Scalar(value),
                ["source"] = Source(root, path),
            };
            return;
        }

        if (value is IList list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Leaves($"{path}:{i}", list[i], root, into);
            }

            return;
        }

        foreach (var property in ConfigurationCheck.Settable(value.GetType()))
        {
            Leaves($"{path}:{property.Name}", property.GetValue(value), root, into);
        }
    }

    /// <summary>The provider the value comes from: the last one that has the key wins, as in the binder.</summary>
    private static string Source(IConfigurationRoot root, string key)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(key, out _))
            {
                return provider switch
                {
                    EnvironmentVariablesConfigurationProvider => $"environment ({EdgeEnergyConfiguration.EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()})",
                    JsonConfigurationProvider json => $"file ({json.Source.Path})",
                    _ => "override",
                };
            }
        }

        return "default";
    }

    /// <summary>
    /// A bound scalar as System.Text.Json writes it without converters (numbers, true/false, text; enums as their
    /// numbers; durations "c"; times of day HH:mm:ss), built without reflection so the Native AOT binary prints it too.
    /// </summary>
    private static JsonValue? Scalar(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        short h => JsonValue.Create(h),
        byte y => JsonValue.Create(y),
        Enum e => JsonValue.Create(Convert.ToInt64(e, CultureInfo.InvariantCulture)),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t),
        DateTime t => JsonValue.Create(t),
        Guid g => JsonValue.Create(g),
        Uri u => JsonValue.Create(u.OriginalString),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
