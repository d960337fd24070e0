using System.Net.Http.Headers;

namespace Autopilot.Platforms.Http;

/// <summary>Reads the standard <c>Retry-After</c> header, which may be a number of seconds or an HTTP date.</summary>
public static class RetryAfterHeader
{
    /// <summary>
    /// The wait the server asked for, measured from <paramref name="timeProvider"/>'s now; null when absent.
    /// A date in the past yields <see cref="TimeSpan.Zero"/>.
    /// </summary>
    public static TimeSpan? Read(HttpResponseHeaders headers, TimeProvider timeProvider)
    {
        var value = headers.RetryAfter;
        if (value?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (value?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
