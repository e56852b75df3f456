using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeEnergy.Domain.Inverter;
using EdgeEnergy.Host.Cli;
using EdgeEnergy.Host.Data;
using EdgeEnergy.Host.Web;

namespace EdgeEnergy.Host;

/// <summary>
/// Compile-time JSON metadata for everything the host itself writes or reads: the web API's views, what it keeps in
/// the settings store and the command-line tools' reports. The options that use it (<see cref="WebJson"/>,
/// <see cref="CliJson"/>) set names and formatting; a type missing here fails with <see cref="NotSupportedException"/>
/// in every build, not only in the Native AOT one.
/// </summary>
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(RecommendationView))]
[JsonSerializable(typeof(PlanView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(PriceRefreshView))]
[JsonSerializable(typeof(TariffCompareView))]
[JsonSerializable(typeof(StoredTariffComparison))]
[JsonSerializable(typeof(InverterTelemetry))]
[JsonSerializable(typeof(RelayCommand.RelayCheck))]
[JsonSerializable(typeof(BenchApiCommand.BenchResult))]
internal sealed partial class HostJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Read-only options on the web defaults (camelCase, names read case-insensitively) that resolve through this
    /// context; <paramref name="configure"/> sets the rest.
    /// </summary>
    public static JsonSerializerOptions WebOptions(Action<JsonSerializerOptions>? configure = null)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = Default };
        configure?.Invoke(options);
        options.MakeReadOnly();
        return options;
    }
}
