using Microsoft.Extensions.Logging.Console;

namespace EdgeEnergy.Host.Configuration;

/// <summary>
/// A service provider for one-shot commands: configuration loaded as the service loads it, logs on stderr (stdout
/// stays machine-readable), and the registrations the command asks for.
/// </summary>
internal static class CliServices
{
    public static ServiceProvider Build(string? configFile, Action<IServiceCollection, IConfiguration> register, LogLevel minimumLevel = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(register);
        var configuration = EdgeEnergyConfiguration.Load(configFile);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(minimumLevel);
            // HttpClient's per-request logs repeat what our adapters log; keep them at warning.
            logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        register(services, configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Builds the services, runs the command, and maps configuration problems to exit 2 with a one-line reason.</summary>
    public static async Task<int> RunAsync(
        string name, string? configFile, Action<IServiceCollection, IConfiguration> register, Func<IServiceProvider, Task<int>> body, LogLevel minimumLevel = LogLevel.Information)
    {
        try
        {
            await using var provider = Build(configFile, register, minimumLevel);
            return await body(provider);
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"edgeenergy {name}: {e.Message}");
            return Cli.ExitCodes.BadInput;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"edgeenergy {name}: {e.Message}");
            return Cli.ExitCodes.Failure;
        }
    }
}
