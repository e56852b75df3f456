using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Host.Configuration;

/// <summary>A configuration problem, with a message that names the file or key.</summary>
internal sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Configuration for every command: <c>appsettings.json</c> next to the binary (or the <c>--config FILE</c> given),
/// then <c>EDGEENERGY__SECTION__KEY</c> environment variables, which win.
/// </summary>
internal static class EdgeEnergyConfiguration
{
    public const string EnvironmentPrefix = "EDGEENERGY__";

    public static IConfigurationRoot Load(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new ConfigurationException($"{configFile}: no such configuration file");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigurationException($"{configFile ?? "appsettings.json"}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads <typeparamref name="TOptions"/> now, so binding and validation errors surface as one
    /// <see cref="ConfigurationException"/> whose message names the key(s).
    /// </summary>
    public static TOptions Require<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceProvider services)
        where TOptions : class
    {
        try
        {
            return services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new ConfigurationException(string.Join("; ", e.Failures), e);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase))
        {
            // The binder's message names the key: "Failed to convert configuration value at 'Octopus:PageSize' ...".
            throw new ConfigurationException(e.Message, e);
        }
    }
}
