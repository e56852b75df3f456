using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Sqlite;

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>Storage:Path</c>: the SQLite file (created with its folder when missing).</summary>
    public string Path { get; set; } = "edgeenergy.db";

    /// <summary><c>Storage:TelemetryMinuteRetentionDays</c>: minute telemetry older than this is averaged into 30-minute rows.</summary>
    public int TelemetryMinuteRetentionDays { get; set; } = 14;

    /// <summary><c>Storage:TelemetryRetentionDays</c>: 30-minute telemetry older than this is deleted.</summary>
    public int TelemetryRetentionDays { get; set; } = 730;

    /// <summary><c>Storage:PlanRetentionDays</c>: stored plans (with their full inputs) older than this are deleted.</summary>
    public int PlanRetentionDays { get; set; } = 90;

    /// <summary><c>Storage:ForecastRetentionDays</c>: PV forecasts issued longer ago than this are deleted.</summary>
    public int ForecastRetentionDays { get; set; } = 400;
}

/// <summary>Checks <see cref="StorageOptions"/>; every message names the configuration key.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add("Storage:Path must name the SQLite file");
        }
        else if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"Storage:Path '{options.Path}' contains characters that cannot be in a path");
        }

        Positive(errors, "Storage:TelemetryMinuteRetentionDays", options.TelemetryMinuteRetentionDays);
        Positive(errors, "Storage:TelemetryRetentionDays", options.TelemetryRetentionDays);
        Positive(errors, "Storage:PlanRetentionDays", options.PlanRetentionDays);
        Positive(errors, "Storage:ForecastRetentionDays", options.ForecastRetentionDays);
        if (options.TelemetryRetentionDays < options.TelemetryMinuteRetentionDays)
        {
            errors.Add($"Storage:TelemetryRetentionDays ({options.TelemetryRetentionDays}) must be at least Storage:TelemetryMinuteRetentionDays ({options.TelemetryMinuteRetentionDays})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string key, int value)
    {
        if (value <= 0)
        {
            errors.Add($"{key} must be a positive number of days, not {value}");
        }
    }
}
