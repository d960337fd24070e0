using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// The Bot API answered <c>{"ok":false,"error_code","description","parameters"}</c>. Classified like every
/// <see cref="PlatformException"/>: 429 (flood control) and 5xx are transient, and a 429's
/// <c>parameters.retry_after</c> becomes <see cref="PlatformException.RetryAfter"/>, which
/// <see cref="PlatformResilience"/> waits out before retrying.
/// </summary>
public sealed class TelegramApiException : PlatformException
{
    /// <summary>Creates the exception from a decoded error envelope; <paramref name="description"/> must be redacted.</summary>
    public TelegramApiException(string operation, int errorCode, string description, TimeSpan? retryAfter, long? migrateToChatId)
        : base(
            TelegramPlatform.Name,
            $"Telegram {operation} failed with {errorCode}: {description}",
            errorCode,
            isTransient: errorCode == 429 || errorCode >= 500,
            retryAfter)
    {
        ErrorCode = errorCode;
        Description = description;
        MigrateToChatId = migrateToChatId;
    }

    /// <summary>The envelope's <c>error_code</c> (equal to the HTTP status).</summary>
    public int ErrorCode { get; }

    /// <summary>The envelope's <c>description</c>, e.g. "Bad Request: chat not found" (redacted).</summary>
    public string Description { get; }

    /// <summary>When a group became a supergroup, the id to send to instead.</summary>
    public long? MigrateToChatId { get; }

    /// <summary>True when the token was rejected (401, or 404 for a token the server cannot even parse): retrying cannot help.</summary>
    public bool IsBadToken => ErrorCode is 401 or 404;
}
