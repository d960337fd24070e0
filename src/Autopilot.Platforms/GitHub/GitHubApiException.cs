using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.GitHub;

/// <summary>One entry of the <c>errors</c> array GitHub adds to a 422 "Validation Failed".</summary>
/// <param name="Resource">The resource the error concerns, e.g. <c>Issue</c>.</param>
/// <param name="Field">The offending field, e.g. <c>title</c>.</param>
/// <param name="Code">GitHub's code: <c>missing</c>, <c>missing_field</c>, <c>invalid</c>, <c>already_exists</c>, <c>unprocessable</c>, <c>custom</c>.</param>
/// <param name="Message">Free-text explanation, when GitHub gave one.</param>
public sealed record GitHubValidationError(string? Resource, string? Field, string? Code, string? Message);

/// <summary>
/// GitHub answered with an error. Carries GitHub's own <c>message</c>, <c>documentation_url</c> and, for 422,
/// the validation <c>errors</c>. Whether it is transient (and how long to wait) follows GitHub's documented
/// semantics; subclasses mark the cases callers branch on.
/// </summary>
public class GitHubApiException : PlatformException
{
    /// <summary>Creates the exception; all text must already be redacted.</summary>
    public GitHubApiException(
        string operation,
        int statusCode,
        string? apiMessage,
        string? documentationUrl,
        IReadOnlyList<GitHubValidationError> errors,
        bool isTransient = false,
        TimeSpan? retryAfter = null)
        : base("github", Describe(operation, statusCode, apiMessage, errors), statusCode, isTransient, retryAfter)
    {
        Operation = operation;
        ApiMessage = apiMessage;
        DocumentationUrl = documentationUrl;
        Errors = errors;
    }

    /// <summary>The request that failed, e.g. <c>POST /repos/acme/web/issues</c>.</summary>
    public string Operation { get; }

    /// <summary>GitHub's <c>message</c> (redacted).</summary>
    public string? ApiMessage { get; }

    /// <summary>GitHub's <c>documentation_url</c>.</summary>
    public string? DocumentationUrl { get; }

    /// <summary>The validation errors of a 422; empty otherwise.</summary>
    public IReadOnlyList<GitHubValidationError> Errors { get; }

    private static string Describe(string operation, int statusCode, string? apiMessage, IReadOnlyList<GitHubValidationError> errors)
    {
        var details = errors.Count == 0
            ? ""
            : " [" + string.Join("; ", errors.Select(e => string.Join(" ", new[] { e.Resource, e.Field, e.Code, e.Message }.Where(p => !string.IsNullOrEmpty(p))))) + "]";
        return $"GitHub {operation} failed ({statusCode}): {apiMessage ?? "(no message)"}{details}";
    }
}

/// <summary>Which GitHub rate limit was hit.</summary>
public enum GitHubRateLimitKind
{
    /// <summary>The hourly request quota (<c>x-ratelimit-remaining: 0</c>); resets at <c>x-ratelimit-reset</c>.</summary>
    Primary,

    /// <summary>An abuse/concurrency limit; wait <c>retry-after</c>, else at least a minute, growing exponentially.</summary>
    Secondary,
}

/// <summary>GitHub refused the request because of a rate limit; <see cref="PlatformException.RetryAfter"/> says how long to wait.</summary>
public sealed class GitHubRateLimitedException(
    string operation, int statusCode, string? apiMessage, string? documentationUrl, GitHubRateLimitKind kind, TimeSpan retryAfter)
    : GitHubApiException(operation, statusCode, apiMessage, documentationUrl, [], isTransient: true, retryAfter)
{
    /// <summary>Primary or secondary limit.</summary>
    public GitHubRateLimitKind Kind { get; } = kind;
}

/// <summary>A merge was refused with 405: the pull request is not mergeable (conflicts, failing required checks, …).</summary>
public sealed class GitHubPullRequestNotMergeableException(string operation, string? apiMessage, string? documentationUrl)
    : GitHubApiException(operation, 405, apiMessage, documentationUrl, []);

/// <summary>A merge was refused with 409: the head moved since the SHA the caller expected; re-review before merging.</summary>
public sealed class GitHubHeadModifiedException(string operation, string? apiMessage, string? documentationUrl)
    : GitHubApiException(operation, 409, apiMessage, documentationUrl, []);
