using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeEnergy.Domain.Planning;

/// <summary>The contract's JSON form of problems and plans: camelCase, UTC ISO-8601 times.</summary>
public static class PlanJson
{
    /// <summary>Reads problems: unknown members are errors, so a misspelt optional field is never silently 0.</summary>
    public static JsonSerializerOptions Strict { get; } = Create(JsonUnmappedMemberHandling.Disallow, indented: false);

    /// <summary>Reads problems while ignoring unknown members (after <see cref="Strict"/> has reported them).</summary>
    public static JsonSerializerOptions Lenient { get; } = Create(JsonUnmappedMemberHandling.Skip, indented: false);

    /// <summary>Writes plans and problems, indented for people.</summary>
    public static JsonSerializerOptions Output { get; } = Create(JsonUnmappedMemberHandling.Skip, indented: true);

    private static JsonSerializerOptions Create(JsonUnmappedMemberHandling unmapped, bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = unmapped,
            WriteIndented = indented,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Skip,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = PlanJsonContext.Default,
        };
        options.MakeReadOnly();
        return options;
    }
}
