using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeEnergy.Host.Cli;

/// <summary>The command-line tools' JSON reports on stdout: camelCase, indented, nulls written.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Indented { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            TypeInfoResolver = HostJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}
