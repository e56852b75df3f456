using System.Globalization;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Solcast;

/// <summary>The <c>Solcast</c> configuration section. Empty <see cref="Sites"/> turns the forecast source off.</summary>
public sealed class SolcastOptions
{
    public const string SectionName = "Solcast";

    /// <summary><c>Solcast:BaseUrl</c>.</summary>
    public string BaseUrl { get; set; } = "https://api.solcast.com.au/";

    /// <summary><c>Solcast:ApiKey</c>: sent as a Bearer token; never logged.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary><c>Solcast:Sites</c>: rooftop site resource ids (the hobbyist plan allows two).</summary>
    public IList<string> Sites { get; } = [];

    /// <summary><c>Solcast:DailyCallBudget</c>: API calls allowed per UTC day (hobbyist plan: 10). Every request counts.</summary>
    public int DailyCallBudget { get; set; } = 10;

    /// <summary><c>Solcast:ForecastTimes</c>: UK local times to refresh forecasts (one call per site each).</summary>
    public IList<string> ForecastTimes { get; } = [];

    /// <summary><c>Solcast:EstimatedActualsTimes</c>: UK local times to fetch estimated actuals, budget permitting.</summary>
    public IList<string> EstimatedActualsTimes { get; } = [];

    /// <summary><c>Solcast:ForecastHours</c>: forecast horizon asked for.</summary>
    public int ForecastHours { get; set; } = 72;

    /// <summary><c>Solcast:RetryAttempts</c>: attempts per request on network errors and 5xx (each spends a call).</summary>
    public int RetryAttempts { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Early morning, mid-morning, midday, and before the 16:00 prices and afternoon plan.</summary>
    public static IReadOnlyList<string> DefaultForecastTimes { get; } = ["04:30", "09:30", "12:30", "15:30"];

    public static IReadOnlyList<string> DefaultEstimatedActualsTimes { get; } = ["21:30"];

    public bool Enabled => Sites.Count > 0;

    public IReadOnlyList<TimeOnly> ForecastTimesLocal => ParseTimes(ForecastTimes.Count > 0 ? [.. ForecastTimes] : DefaultForecastTimes);

    public IReadOnlyList<TimeOnly> EstimatedActualsTimesLocal => ParseTimes(EstimatedActualsTimes.Count > 0 ? [.. EstimatedActualsTimes] : DefaultEstimatedActualsTimes);

    /// <summary>Site ids, with comma-separated entries split (so <c>EDGEENERGY__SOLCAST__SITES__0=a,b</c> works).</summary>
    public IReadOnlyList<string> SiteIds => [.. Sites.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    internal static IReadOnlyList<TimeOnly> ParseTimes(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => TimeOnly.TryParseExact(v, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : (TimeOnly?)null)
            .OfType<TimeOnly>().Order()];

    public override string ToString() => $"Solcast {BaseUrl} sites={string.Join(',', SiteIds)} key={(string.IsNullOrEmpty(ApiKey) ? "unset" : "***")}";
}

/// <summary>Checks <see cref="SolcastOptions"/>; every message names the key and none repeats the key's value.</summary>
public sealed class SolcastOptionsValidator : IValidateOptions<SolcastOptions>
{
    public ValidateOptionsResult Validate(string? name, SolcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        HttpOptionsChecks.BaseUrl(errors, "Solcast:BaseUrl", options.BaseUrl);
        if (!options.Enabled)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add("Solcast:ApiKey is required when Solcast:Sites is set");
        }

        foreach (var site in options.SiteIds.Where(s => !s.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            errors.Add($"Solcast:Sites entry '{site}' is not a resource id like 9d85-2347-e8eb-ee72");
        }

        CheckTimes(errors, "Solcast:ForecastTimes", options.ForecastTimes);
        CheckTimes(errors, "Solcast:EstimatedActualsTimes", options.EstimatedActualsTimes);
        HttpOptionsChecks.Range(errors, "Solcast:DailyCallBudget", options.DailyCallBudget, 1, 100_000);
        HttpOptionsChecks.Range(errors, "Solcast:ForecastHours", options.ForecastHours, 1, 336);
        HttpOptionsChecks.Retry(errors, "Solcast", options.RetryAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.Timeout);
        var needed = options.ForecastTimesLocal.Count * options.SiteIds.Count;
        if (needed > options.DailyCallBudget)
        {
            errors.Add($"Solcast:ForecastTimes needs {needed} calls a day for {options.SiteIds.Count} site(s), more than Solcast:DailyCallBudget ({options.DailyCallBudget})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckTimes(List<string> errors, string key, IList<string> values)
    {
        foreach (var value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                errors.Add($"{key} entry '{value}' is not a time like 04:30");
            }
        }
    }
}
