namespace EdgeEnergy.Adapters.Http;

/// <summary>Checks shared by the options validators; each message names the key.</summary>
internal static class HttpOptionsChecks
{
    public static void BaseUrl(List<string> errors, string key, string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} '{value}' must be an absolute http:// or https:// URL");
        }
    }

    public static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max}, not {value}");
        }
    }

    public static void Retry(List<string> errors, string section, int attempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan timeout)
    {
        Range(errors, $"{section}:RetryAttempts", attempts, 1, 10);
        if (baseDelay < TimeSpan.Zero || baseDelay > maxDelay)
        {
            errors.Add($"{section}:RetryBaseDelay ({baseDelay}) must be between 0 and {section}:RetryMaxDelay ({maxDelay})");
        }

        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{section}:Timeout ({timeout}) must be between 0 and 10 minutes");
        }
    }

    /// <summary>The base URL with a trailing slash, so relative paths append instead of replacing its last segment.</summary>
    public static Uri Normalise(string baseUrl) => new(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute);
}
