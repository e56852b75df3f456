using System.Text.Json;

namespace EdgeEnergy.Domain.Planning;

/// <summary>The outcome of reading a problem: the problem, or one line that says where and what was wrong.</summary>
public sealed record ParsedProblem(PlanProblem? Problem, string? Error, IReadOnlyList<string> Warnings);

/// <summary>
/// Turns problem JSON into a validated <see cref="PlanProblem"/>. Pure: the caller reads the file. Every error is
/// one line that names the source, the line or field, and what was wrong.
/// </summary>
public static class PlanProblemParser
{
    public static ParsedProblem Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var warnings = new List<string>();
        PlanProblem? problem;
        try
        {
            problem = JsonSerializer.Deserialize(json, PlanJson.Strict.For<PlanProblem>());
        }
        catch (JsonException strict) when (IsUnmappedMember(strict))
        {
            // Unknown fields are reported, then ignored: other tools may add their own annotations, but a misspelt
            // optional field must not pass unnoticed.
            warnings.Add($"{sourceName}: {Describe(strict)} (ignored)");
            try
            {
                problem = JsonSerializer.Deserialize(json, PlanJson.Lenient.For<PlanProblem>());
            }
            catch (JsonException e)
            {
                return new ParsedProblem(null, $"{sourceName}: {Describe(e)}", warnings);
            }
        }
        catch (JsonException e)
        {
            return new ParsedProblem(null, $"{sourceName}: {Describe(e)}", warnings);
        }

        if (problem is null)
        {
            return new ParsedProblem(null, $"{sourceName}: the document is null, expected a problem object", warnings);
        }

        var errors = PlanProblemValidator.Validate(problem);
        if (errors.Count > 0)
        {
            var more = errors.Count > 1 ? $" (and {errors.Count - 1} more)" : string.Empty;
            return new ParsedProblem(null, $"{sourceName}: {errors[0]}{more}", warnings);
        }

        return new ParsedProblem(problem, null, warnings);
    }

    private static bool IsUnmappedMember(JsonException e) =>
        e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal);

    /// <summary>System.Text.Json's message names .NET types; ours names the JSON path and line.</summary>
    private static string Describe(JsonException e)
    {
        var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "document" : e.Path.TrimStart('$', '.');
        var line = e.LineNumber is { } l ? $"line {l + 1}: " : string.Empty;
        var message = e.Message;
        string what;
        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var start = message.IndexOf("including:", StringComparison.Ordinal);
            var names = start >= 0 ? message[(start + "including:".Length)..].Trim().TrimEnd('.') : "?";
            what = $"missing required field {names}";
        }
        else if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var q1 = message.IndexOf('\'', StringComparison.Ordinal);
            var q2 = q1 >= 0 ? message.IndexOf('\'', q1 + 1) : -1;
            var name = q1 >= 0 && q2 > q1 ? message[(q1 + 1)..q2] : "?";
            what = $"unknown field '{name}'";
        }
        else if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            what = "value has the wrong type (expected a number, string, object or array as the contract says)";
        }
        else if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase))
        {
            what = "must not be null";
        }
        else
        {
            // Syntax errors: keep System.Text.Json's wording up to its own location suffix.
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            what = "malformed JSON: " + (cut > 0 ? message[..cut] : message).TrimEnd('.');
        }

        return $"{line}{path}: {what}";
    }
}
