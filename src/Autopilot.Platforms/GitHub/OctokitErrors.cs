using System.Globalization;
using Autopilot.Platforms.Redaction;
using Octokit;

namespace Autopilot.Platforms.GitHub;

/// <summary>
/// Turns Octokit's exceptions into the product's typed GitHub errors. Rate limits become waits: a primary limit
/// (<see cref="RateLimitExceededException"/>) until its reset instant; a secondary limit (or a 429) for its
/// Retry-After, else at least <see cref="GitHubClientOptions.SecondaryRateLimitWait"/>, doubling while it persists.
/// Every text taken from a response goes through the <see cref="Redactor"/>.
/// </summary>
internal sealed class OctokitErrors(GitHubClientOptions options, TimeProvider time, Redactor redactor)
{
    private int _consecutiveSecondaryLimits;

    /// <summary>A call succeeded: the secondary-limit backoff starts over.</summary>
    public void Succeeded() => Interlocked.Exchange(ref _consecutiveSecondaryLimits, 0);

    public GitHubApiException Map(string operation, ApiException e)
    {
        var status = (int)e.StatusCode;
        var message = Snippet(e.ApiError?.Message);
        var documentation = Snippet(e.ApiError?.DocumentationUrl);
        var errors = (e.ApiError?.Errors ?? [])
            .Select(d => new GitHubValidationError(Snippet(d.Resource), Snippet(d.Field), Snippet(d.Code), Snippet(d.Message)))
            .ToArray();

        switch (e)
        {
            case RateLimitExceededException primary:
                var untilReset = primary.Reset - time.GetUtcNow();
                return new GitHubRateLimitedException(operation, status, message, documentation, GitHubRateLimitKind.Primary,
                    untilReset < TimeSpan.Zero ? TimeSpan.Zero : untilReset);
            case SecondaryRateLimitExceededException or AbuseException:
                return Secondary(operation, status, message, documentation, e);
            case PullRequestNotMergeableException:
                return new GitHubPullRequestNotMergeableException(operation, message, documentation);
            case PullRequestMismatchException:
                return new GitHubHeadModifiedException(operation, message, documentation);
        }

        if (status == 429 || (status == 403 && RetryAfter(e) is not null)
            || (message?.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return Secondary(operation, status, message, documentation, e);
        }

        return status switch
        {
            405 => new GitHubPullRequestNotMergeableException(operation, message, documentation),
            409 when operation.EndsWith("/merge", StringComparison.Ordinal) => new GitHubHeadModifiedException(operation, message, documentation),
            >= 500 or 408 => new GitHubApiException(operation, status, message ?? Snippet(e.HttpResponse?.Body as string), documentation, errors,
                isTransient: true, retryAfter: RetryAfter(e)),
            _ => new GitHubApiException(operation, status, message, documentation, errors),
        };
    }

    private GitHubRateLimitedException Secondary(string operation, int status, string? message, string? documentation, ApiException e)
    {
        var hits = Interlocked.Increment(ref _consecutiveSecondaryLimits);
        var wait = RetryAfter(e) ?? options.SecondaryRateLimitWait * Math.Pow(2, Math.Min(hits - 1, 6));
        return new GitHubRateLimitedException(operation, status, message, documentation, GitHubRateLimitKind.Secondary, wait);
    }

    private TimeSpan? RetryAfter(ApiException e)
    {
        if (e.HttpResponse?.Headers is not { } headers) return null;
        var value = headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value;
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private string? Snippet(string? text) => text is null ? null : redactor.Snippet(text, options.SnippetLength);
}
