using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeEnergy.Host.Cli;

/// <summary>The command-line tools' JSON reports on stdout: camelCase, indented, nulls written.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Indented { get; } = HostJsonContext.WebOptions(o =>
    {
        o.WriteIndented = true;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    });
}
