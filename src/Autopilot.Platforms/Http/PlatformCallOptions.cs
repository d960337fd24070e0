namespace Autopilot.Platforms.Http;

/// <summary>
/// How hard a client tries before giving up on one logical call. Kept per platform so a slow platform
/// (Railway logs) can have a longer attempt timeout than a chatty one (Telegram).
/// </summary>
/// <param name="MaxAttempts">Total attempts including the first; 1 disables retries.</param>
/// <param name="BaseDelay">First backoff delay; doubles per retry, with jitter.</param>
/// <param name="MaxDelay">Cap on a computed backoff delay (a server's Retry-After is honoured as given).</param>
/// <param name="AttemptTimeout">Budget for a single attempt; an attempt that exceeds it counts as transient.</param>
/// <param name="MaxRetryAfter">
/// Longest server-requested wait we are willing to sit through inside one call; when a platform asks for more
/// (e.g. a primary rate limit resetting in 40 minutes) the failure is surfaced so the caller can reschedule.
/// </param>
public sealed record PlatformCallOptions(
    int MaxAttempts,
    TimeSpan BaseDelay,
    TimeSpan MaxDelay,
    TimeSpan AttemptTimeout,
    TimeSpan MaxRetryAfter)
{
    /// <summary>Defaults suited to control-plane APIs: 4 attempts, 500 ms doubling to 30 s, 30 s per attempt.</summary>
    public static PlatformCallOptions Default { get; } = new(
        MaxAttempts: 4,
        BaseDelay: TimeSpan.FromMilliseconds(500),
        MaxDelay: TimeSpan.FromSeconds(30),
        AttemptTimeout: TimeSpan.FromSeconds(30),
        MaxRetryAfter: TimeSpan.FromMinutes(5));

    /// <summary>Throws <see cref="ArgumentException"/> when a value makes no sense, so misconfiguration fails at startup.</summary>
    public PlatformCallOptions Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException($"MaxAttempts must be at least 1 (was {MaxAttempts}).");
        if (BaseDelay < TimeSpan.Zero) throw new ArgumentException("BaseDelay must not be negative.");
        if (MaxDelay < BaseDelay) throw new ArgumentException("MaxDelay must be at least BaseDelay.");
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentException("AttemptTimeout must be positive.");
        if (MaxRetryAfter < TimeSpan.Zero) throw new ArgumentException("MaxRetryAfter must not be negative.");
        return this;
    }
}
