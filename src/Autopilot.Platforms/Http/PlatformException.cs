namespace Autopilot.Platforms.Http;

/// <summary>
/// Base of every failure a platform client reports. Callers (and <see cref="PlatformResilience"/>) decide what to
/// do from the classification — <see cref="IsTransient"/> and <see cref="RetryAfter"/> — rather than from the
/// concrete type or the text, so every platform can be handled the same way.
/// </summary>
/// <remarks>Messages are built from redacted text only: they never carry a token, key or variable value.</remarks>
public abstract class PlatformException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> must already be free of secrets.</summary>
    protected PlatformException(string platform, string message, int? statusCode, bool isTransient, TimeSpan? retryAfter)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        Platform = platform;
        StatusCode = statusCode;
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>Which platform failed ("railway", "github", …), for logs and incident grouping.</summary>
    public string Platform { get; }

    /// <summary>The HTTP status code of the failed exchange, or null when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>True when repeating the same request later may succeed (timeouts, 5xx, rate limits).</summary>
    public bool IsTransient { get; }

    /// <summary>How long the platform asked us to wait before trying again, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The platform refused the call because a rate limit was hit; retry after <see cref="PlatformException.RetryAfter"/>.</summary>
public sealed class PlatformRateLimitedException(string platform, string message, int? statusCode, TimeSpan? retryAfter)
    : PlatformException(platform, message, statusCode, isTransient: true, retryAfter);

/// <summary>The platform did not answer usefully: a 5xx, a timeout or a broken connection. Worth retrying.</summary>
public sealed class PlatformUnavailableException(string platform, string message, int? statusCode = null, TimeSpan? retryAfter = null)
    : PlatformException(platform, message, statusCode, isTransient: true, retryAfter);

/// <summary>The credentials were missing, wrong, expired or lack permission (401/403). Retrying cannot help.</summary>
public sealed class PlatformAuthenticationException(string platform, string message, int? statusCode)
    : PlatformException(platform, message, statusCode, isTransient: false, retryAfter: null);

/// <summary>The platform rejected the request itself (a 4xx other than auth and rate limits). Retrying cannot help.</summary>
public sealed class PlatformRequestException(string platform, string message, int? statusCode)
    : PlatformException(platform, message, statusCode, isTransient: false, retryAfter: null);
