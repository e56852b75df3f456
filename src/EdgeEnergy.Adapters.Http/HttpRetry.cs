using System.Net;
using Microsoft.Extensions.Logging;

namespace EdgeEnergy.Adapters.Http;

/// <summary>Bounded retry: how many attempts, the first back-off (doubled each time) and the longest wait we accept.</summary>
public sealed record RetrySettings(int Attempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>False where a 429 means a spent quota (Solcast): it ends the attempts at once with its Retry-After.</summary>
    public bool RetryTooManyRequests { get; init; } = true;
}

/// <summary>The last answer after retries ran out, or a refusal with the time the server asked us to come back.</summary>
internal sealed class HttpGiveUpException(string message, HttpStatusCode? status, DateTimeOffset? retryAfterUtc, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public DateTimeOffset? RetryAfterUtc { get; } = retryAfterUtc;
}

/// <summary>
/// Our own bounded retry with exponential back-off on <see cref="TimeProvider"/>: network errors, timeouts, 5xx and
/// 429 are retried; 429/503 wait for Retry-After when the server gives one (up to <see cref="RetrySettings.MaxDelay"/>;
/// a longer Retry-After ends the attempts at once). Other statuses are returned to the caller untouched.
/// </summary>
internal static class HttpRetry
{
    /// <summary>
    /// Sends <paramref name="request"/> (built afresh per attempt) until it succeeds or is not transient.
    /// <paramref name="beforeAttempt"/> runs before every attempt (e.g. to reserve a metered call); false stops with no request.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient client,
        Func<HttpRequestMessage> request,
        RetrySettings settings,
        TimeProvider timeProvider,
        ILogger logger,
        string what,
        Func<CancellationToken, Task<bool>>? beforeAttempt,
        CancellationToken cancellationToken)
    {
        var delay = settings.BaseDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (beforeAttempt is not null && !await beforeAttempt(cancellationToken))
            {
                throw new HttpGiveUpException($"{what}: not sent, the call budget is spent", null, null);
            }

            string failure;
            DateTimeOffset? retryAfter = null;
            HttpStatusCode? status = null;
            Exception? error = null;
            try
            {
                using var message = request();
                var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (!IsTransient(response.StatusCode))
                {
                    return response;
                }

                status = response.StatusCode;
                retryAfter = RetryAfter(response, timeProvider.GetUtcNow());
                failure = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
                error = e;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timed out";
                error = e;
            }

            var now = timeProvider.GetUtcNow();
            var wait = retryAfter is { } at ? at - now : delay;
            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }

            var quotaSpent = status == HttpStatusCode.TooManyRequests && !settings.RetryTooManyRequests;
            if (quotaSpent || attempt >= settings.Attempts || wait > settings.MaxDelay)
            {
                throw new HttpGiveUpException($"{what}: {failure} after {attempt} attempt(s)", status, retryAfter, error);
            }

            logger.HttpRetrying(what, failure, attempt, settings.Attempts, wait);
            await Task.Delay(wait, timeProvider, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxDelay.Ticks));
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Retry-After as a delay in seconds or an HTTP date, as an absolute instant.</summary>
    internal static DateTimeOffset? RetryAfter(HttpResponseMessage response, DateTimeOffset nowUtc)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return nowUtc + delta;
        }

        return header?.Date;
    }
}
