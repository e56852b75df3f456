using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Octopus;

/// <summary>
/// The one place every Octopus API call is counted (prices, consumption, account, GraphQL): at most
/// <c>Octopus:CallsPerHour</c> in any 60 minutes (a sliding window). Thread-safe; one per process.
/// </summary>
public sealed class OctopusCallBudget(IOptions<OctopusOptions> options, TimeProvider timeProvider)
{
    private static readonly TimeSpan s_window = TimeSpan.FromHours(1);
    private readonly Queue<DateTimeOffset> _calls = new();
    private readonly Lock _lock = new();

    public int Limit => options.Value.CallsPerHour;

    /// <summary>Calls made in the last 60 minutes.</summary>
    public int Used
    {
        get
        {
            lock (_lock)
            {
                Expire(timeProvider.GetUtcNow());
                return _calls.Count;
            }
        }
    }

    /// <summary>Counts one call now and returns true, or returns false (nothing counted) with when the next call is allowed.</summary>
    public bool TryReserve(out DateTimeOffset nextAllowedUtc)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            Expire(now);
            if (_calls.Count >= Limit)
            {
                nextAllowedUtc = _calls.Peek() + s_window;
                return false;
            }

            _calls.Enqueue(now);
            nextAllowedUtc = now;
            return true;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_calls.Count > 0 && _calls.Peek() <= now - s_window)
        {
            _calls.Dequeue();
        }
    }
}

/// <summary>
/// Counts every request of an Octopus HTTP client against <see cref="OctopusCallBudget"/>. With the budget spent, no
/// request is sent: the caller gets a 429 with Retry-After at the time the budget frees a call, so each source degrades
/// the way it does for Octopus's own 429 (its component says why) and nothing crashes.
/// </summary>
public sealed class OctopusCallBudgetHandler(OctopusCallBudget budget, TimeProvider timeProvider) : DelegatingHandler
{
    /// <summary>The reason phrase of the answer given instead of a call when the budget is spent.</summary>
    public const string SpentReason = "EdgeEnergy's Octopus call budget (Octopus:CallsPerHour) is spent";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (budget.TryReserve(out var next))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var seconds = Math.Max(1, (int)Math.Ceiling((next - timeProvider.GetUtcNow()).TotalSeconds));
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            RequestMessage = request,
            ReasonPhrase = string.Create(CultureInfo.InvariantCulture, $"{SpentReason} ({budget.Limit} an hour); next call in {seconds} s"),
        };
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return Task.FromResult(response);
    }
}
